using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Testing;

/// <summary>An HttpClient that reaches the policy host whatever the URL's host, trusts only the test root and records what it saw.</summary>
internal sealed class TestClient : IDisposable
{
    private readonly HttpClient _client;

    public TestClient(TestCertificateAuthority authority, int port, SslProtocols protocols = SslProtocols.None)
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(authority.RootCertificate);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = policy,
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                {
                    LastSni = (sender as SslStream)?.TargetHostName;
                    LastErrors = errors;
                    LastCertificate = certificate is null ? null : new X509Certificate2(certificate);
                    LastChainStatus = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status) ?? X509ChainStatusFlags.NoError;
                    LastChainLength = chain?.ChainElements.Count ?? 0;
                    return errors == SslPolicyErrors.None;
                },
            },
        };
        _client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    public SslPolicyErrors LastErrors { get; private set; }

    public X509ChainStatusFlags LastChainStatus { get; private set; }

    public int LastChainLength { get; private set; }

    public X509Certificate2? LastCertificate { get; private set; }

    public string? LastSni { get; private set; }

    public Task<HttpResponseMessage> GetAsync(string url, HttpCompletionOption option = HttpCompletionOption.ResponseContentRead) =>
        _client.GetAsync(url, option);

    public Task<HttpResponseMessage> GetAsync(Uri? url) => _client.GetAsync(url);

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _client.SendAsync(request);

    public void Dispose() => _client.Dispose();
}
