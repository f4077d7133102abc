using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.IntegrationTests.Dnssec;

/// <summary>
/// One real TLS handshake on loopback, as an MTA would run it after STARTTLS: a server presents a certificate, the client
/// sends the decision's SNI and checks the certificate with the decision's own validation callback.
/// </summary>
internal static class DecisionHandshake
{
    public sealed record Outcome(bool Succeeded, IReadOnlyList<CertificateValidationResult> Observed, string? ServerNameSeen)
    {
        public CertificateValidationResult Result => Assert.Single(Observed);

        /// <summary>What the callback reported, for failure messages.</summary>
        public string Describe => Observed.Count == 0 ? "the callback was not called" : string.Join("; ", Observed);
    }

    public static async Task<Outcome> RunAsync(MxDecision decision, X509Certificate2 serverCertificate)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var context = SslStreamCertificateContext.Create(serverCertificate, additionalCertificates: null, offline: true);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        string? serverNameSeen = null;
        var server = Task.Run(
            async () =>
            {
                using var accepted = await listener.AcceptTcpClientAsync(timeout.Token);
                await using var tls = new SslStream(accepted.GetStream());
                try
                {
                    await tls.AuthenticateAsServerAsync(
                        (_, clientHello, _, _) =>
                        {
                            serverNameSeen = clientHello.ServerName;
                            return ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificateContext = context });
                        },
                        state: null,
                        timeout.Token);
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
            TargetHost = decision.Sni,
            RemoteCertificateValidationCallback = decision.CreateCertificateValidationCallback(result =>
            {
                lock (observed)
                {
                    observed.Add(result);
                }
            }),
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
        return new Outcome(succeeded, observed, serverNameSeen);
    }
}
