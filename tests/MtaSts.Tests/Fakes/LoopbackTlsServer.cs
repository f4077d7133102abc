using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MtaSts.Dns;

namespace MtaSts.Tests.Fakes;

/// <summary>
/// A tiny HTTPS server on a random loopback port: TLS with the given certificate, one canned HTTP/1.1 response per
/// connection. Records the SNI each client sent. Only for checking the policy handler's TLS and routing behaviour;
/// the full loopback test kit lives in MtaSts.Testing.
/// </summary>
internal sealed class LoopbackTlsServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly X509Certificate2Collection _intermediates;
    private readonly string _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _connections;

    private LoopbackTlsServer(X509Certificate2 certificate, X509Certificate2Collection intermediates, string response)
    {
        // Round-trip through PKCS#12 so the TLS stack gets a persisted private key on every platform.
        _certificate = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
        _intermediates = intermediates;
        _response = response;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The SNI host names clients sent, in order (empty string: none).</summary>
    public ConcurrentQueue<string> ServerNames { get; } = new();

    public static LoopbackTlsServer Start(X509Certificate2 certificate, string response, params X509Certificate2[] intermediates) =>
        new(certificate, [.. intermediates], response);

    /// <summary>An HTTP/1.1 response with a body, closing the connection.</summary>
    public static string Http(int status, string reason, string body, string? contentType = "text/plain", string? extraHeaders = null)
    {
        var builder = new StringBuilder();
        builder.Append("HTTP/1.1 ").Append(status).Append(' ').Append(reason).Append("\r\n");
        if (contentType is not null)
        {
            builder.Append("Content-Type: ").Append(contentType).Append("\r\n");
        }

        builder.Append("Content-Length: ").Append(Encoding.UTF8.GetByteCount(body)).Append("\r\n");
        builder.Append(extraHeaders);
        builder.Append("Connection: close\r\n\r\n").Append(body);
        return builder.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _certificate.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = SslStreamCertificateContext.Create(_certificate, _intermediates, offline: true),
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateRequired = false,
                }, _stop.Token);
                ServerNames.Enqueue(tls.TargetHostName ?? string.Empty);

                // Read the request head, then answer.
                var buffer = new byte[8192];
                var head = new StringBuilder();
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    int read = await tls.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                await tls.WriteAsync(Encoding.UTF8.GetBytes(_response), _stop.Token);
                await tls.FlushAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is IOException or AuthenticationException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client rejected the certificate or went away: that is what some tests are about.
            }
        }
    }
}

/// <summary>An <see cref="IHostAddressResolver"/> with fixed answers that records what it was asked.</summary>
internal sealed class FixedAddressResolver(params IPAddress[] addresses) : IHostAddressResolver
{
    public ConcurrentQueue<string> Asked { get; } = new();

    public Func<string, Exception>? Fail { get; init; }

    public Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        Asked.Enqueue(host);
        return Fail is null
            ? Task.FromResult<IReadOnlyList<IPAddress>>(addresses)
            : Task.FromException<IReadOnlyList<IPAddress>>(Fail(host));
    }
}
