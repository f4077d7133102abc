using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Tests.Validation;

/// <summary>One real TLS handshake on loopback: a server presenting a certificate (and intermediates), a client using the validator's callback.</summary>
internal static class TlsLoopback
{
    public sealed record Outcome(bool HandshakeSucceeded, IReadOnlyList<CertificateValidationResult> Observed)
    {
        public CertificateValidationResult Result => Assert.Single(Observed);
    }

    public static async Task<Outcome> HandshakeAsync(CertificateRequirement requirement, X509Certificate2 serverCertificate, params X509Certificate2[] intermediates)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var context = SslStreamCertificateContext.Create(serverCertificate, [.. intermediates], offline: true);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var server = Task.Run(
            async () =>
            {
                using var accepted = await listener.AcceptTcpClientAsync(timeout.Token);
                await using var tls = new SslStream(accepted.GetStream());
                try
                {
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = context }, timeout.Token);
                }
                catch (Exception e) when (e is AuthenticationException or IOException)
                {
                    // The client refused the certificate.
                }
            },
            timeout.Token);

        var observed = new List<CertificateValidationResult>();
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = requirement.MxHost,
            RemoteCertificateValidationCallback = CertificateValidator.CreateCallback(requirement, r => { lock (observed) { observed.Add(r); } }),
        };

        bool succeeded;
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            await using var tls = new SslStream(client.GetStream());
            try
            {
                await tls.AuthenticateAsClientAsync(options, timeout.Token);
                succeeded = true;
            }
            catch (AuthenticationException)
            {
                succeeded = false;
            }
        }

        await server;
        return new Outcome(succeeded, observed);
    }
}
