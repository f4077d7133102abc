using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Diagnostics;
using MtaSts.Fetching;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Fetching;

/// <summary>The strict handler, partly over loopback sockets (no other network).</summary>
public sealed class PolicyHttpHandlerFactoryTests : IDisposable
{
    private const string Domain = "example.test";
    private const string Host = "mta-sts.example.test";
    private const string Policy = "version: STSv1\nmode: testing\nmx: mx1.example.test\nmax_age: 3600\n";
    private readonly X509Certificate2 _root = TestCertificates.CreateRoot("MtaSts Handler Test Root");

    public void Dispose() => _root.Dispose();

    private MtaStsOptions Options(int port, bool trustTestRoot = true, int retries = 0)
    {
        var options = new MtaStsOptions { PolicyFetch =
    {
        Port = port,
        AllowPrivateAddresses = true,
        Retries = retries,
        Timeout = TimeSpan.FromSeconds(20),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    } };
        if (trustTestRoot)
        {
            options.AdditionalTrustedRoots.Add(X509CertificateLoader.LoadCertificate(_root.RawData));
        }

        return options;
    }

    private static async Task<PolicyFetchResult> FetchAsync(MtaStsOptions options, FixedAddressResolver resolver, string domain = Domain)
    {
        using SocketsHttpHandler handler = PolicyHttpHandlerFactory.Create(options, resolver);
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var metrics = new MtaStsMetrics(new TestMeterFactory());
        var fetcher = new PolicyFetcher(() => client, options, TimeProvider.System, NullLogger.Instance, metrics);
        return await fetcher.FetchAsync(domain, CancellationToken.None);
    }

    [Fact(DisplayName = "RFC 8461 §3.3, §7.2: the handler is strict: TLS 1.2/1.3 only, no redirects, cookies, proxy or decompression")]
    public void STS_7_2_a_Create_ConfiguresStrictHandler()
    {
        // Also: STS-7.2-b, STS-3.3-g, STS-3.3-e (revocation not checked: a MAY)
        var options = new MtaStsOptions { PolicyFetch = { ConnectTimeout = TimeSpan.FromSeconds(3) } };

        using SocketsHttpHandler handler = PolicyHttpHandlerFactory.Create(options, null);

        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, handler.SslOptions.EnabledSslProtocols);
        Assert.False(handler.AllowAutoRedirect);
        Assert.False(handler.UseCookies);
        Assert.False(handler.UseProxy);
        Assert.Equal(DecompressionMethods.None, handler.AutomaticDecompression);
        Assert.Equal(TimeSpan.FromSeconds(3), handler.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), handler.PooledConnectionLifetime);
        Assert.Equal(TimeSpan.FromSeconds(2), handler.PooledConnectionIdleTimeout); // issue 10 §1: no idle connections kept
        Assert.Equal(2, handler.MaxConnectionsPerServer);
        Assert.Equal(16, handler.MaxResponseHeadersLength);
        Assert.Equal(X509RevocationMode.NoCheck, handler.SslOptions.CertificateRevocationCheckMode);
        Assert.NotNull(handler.SslOptions.RemoteCertificateValidationCallback);
        Assert.Null(handler.SslOptions.CertificateChainPolicy);
        Assert.NotNull(handler.ConnectCallback);
    }

    [Fact(DisplayName = "RFC 8461 §7.1: SNI carries the policy host; the connection goes to PolicyHostPort at the resolver's address")]
    public async Task STS_7_1_b_SniIsPolicyHost_ConnectionRoutedToPolicyHostPort()
    {
        // Also: STS-3.3-a (a valid certificate from an added root is accepted)
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, [Host]);
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(leaf, LoopbackTlsServer.Http(200, "OK", Policy));
        var resolver = new FixedAddressResolver(IPAddress.Loopback);

        PolicyFetchResult result = await FetchAsync(Options(server.Port), resolver);

        Assert.Equal(MtaStsFailure.None, result.Failure);
        Assert.Equal(Policy, result.Body);
        Assert.Equal([Host], server.ServerNames);
        Assert.Equal([Host], resolver.Asked);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: over TLS, a CN-only certificate is sts-webpki-invalid with the precise problem")]
    public async Task STS_3_3_c_CommonNameOnlyCertificate_OverTls_IsWebPkiInvalid()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, Host, []);
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(leaf, LoopbackTlsServer.Http(200, "OK", Policy));

        PolicyFetchResult result = await FetchAsync(Options(server.Port, retries: 2), new FixedAddressResolver(IPAddress.Loopback));

        Assert.Equal(MtaStsFailure.WebPkiInvalid, result.Failure);
        Assert.Equal("certificate-name-mismatch", result.Evidence!.ReasonCode);
        Assert.Contains("no SAN dNSName", result.Evidence.CertificateProblem);
        Assert.Equal(1, server.Connections);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: over TLS, a certificate for another name is sts-webpki-invalid")]
    public async Task STS_3_3_a_WrongNameCertificate_OverTls_IsWebPkiInvalid()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, ["a.example.test"]);
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(leaf, LoopbackTlsServer.Http(200, "OK", Policy));

        PolicyFetchResult result = await FetchAsync(Options(server.Port), new FixedAddressResolver(IPAddress.Loopback));

        Assert.Equal(MtaStsFailure.WebPkiInvalid, result.Failure);
        Assert.Equal("name mismatch: certificate SAN [a.example.test] does not cover mta-sts.example.test", result.Evidence!.CertificateProblem);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: over TLS, a chain to an untrusted root is sts-webpki-invalid 'certificate-untrusted'")]
    public async Task STS_3_3_a_UntrustedRoot_OverTls_IsWebPkiInvalid()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, [Host]);
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(leaf, LoopbackTlsServer.Http(200, "OK", Policy));

        PolicyFetchResult result = await FetchAsync(Options(server.Port, trustTestRoot: false), new FixedAddressResolver(IPAddress.Loopback));

        Assert.Equal(MtaStsFailure.WebPkiInvalid, result.Failure);
        Assert.Equal("certificate-untrusted", result.Evidence!.ReasonCode);
        Assert.NotNull(result.Evidence.CertificateProblem);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: over TLS, an intermediate sent by the server completes the chain to an added root")]
    public async Task STS_3_3_a_IntermediateSentByServer_IsUsed()
    {
        using X509Certificate2 intermediate = TestCertificates.CreateIntermediate(_root, "MtaSts Handler Test Intermediate");
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(intermediate, null, ["*.example.test"]);
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(leaf, LoopbackTlsServer.Http(200, "OK", Policy), intermediate);

        PolicyFetchResult result = await FetchAsync(Options(server.Port), new FixedAddressResolver(IPAddress.Loopback));

        Assert.Equal(MtaStsFailure.None, result.Failure);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: over a real connection, a 301 is not followed")]
    public async Task STS_3_3_g_Redirect_OverTls_IsNotFollowed()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, [Host]);
        string response = LoopbackTlsServer.Http(301, "Moved Permanently", string.Empty, "text/html", "Location: https://mta-sts.example.test/elsewhere.txt\r\n");
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(leaf, response);

        PolicyFetchResult result = await FetchAsync(Options(server.Port), new FixedAddressResolver(IPAddress.Loopback));

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal(301, result.HttpStatusCode);
        Assert.Equal(1, server.Connections);
    }

    [Fact(DisplayName = "A refused connection is a fetch error 'connection-refused' after the retries")]
    public async Task ConnectionRefused_OverLoopback_IsFetchError()
    {
        int closedPort = ClosedPort();

        PolicyFetchResult result = await FetchAsync(Options(closedPort, retries: 1), new FixedAddressResolver(IPAddress.Loopback));

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal("connection-refused", result.Evidence!.ReasonCode);
        Assert.Contains(Host, result.Evidence.Message);
    }

    [Fact(DisplayName = "A failing address lookup through the resolver is a fetch error 'name-resolution', not retried")]
    public async Task NameResolutionFailure_ThroughHandler_IsFetchError()
    {
        var resolver = new FixedAddressResolver()
        {
            Fail = host => new HttpRequestException(HttpRequestError.NameResolutionError, $"DNS lookup of {host} failed: ServerFailure (SERVFAIL)"),
        };

        PolicyFetchResult result = await FetchAsync(Options(443, retries: 2), resolver);

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal("name-resolution", result.Evidence!.ReasonCode);
        Assert.Contains("SERVFAIL", result.Evidence.Message);
        Assert.Single(resolver.Asked);
    }

    [Theory(DisplayName = "RFC 9112 §6.3: a response with invalid or ambiguous framing is discarded, not applied")]
    [InlineData("Content-Length: -1\r\n")]
    [InlineData("Content-Length: abc\r\n")]
    [InlineData("Content-Length: +60\r\n")]
    [InlineData("Content-Length: 60\r\nContent-Length: 61\r\n")]
    [InlineData("Content-Length: 60, 61\r\n")]
    [InlineData("Content-Length: 60\r\nTransfer-Encoding: chunked\r\n")]
    public async Task RFC9112_6_3_InvalidFraming_ResponseIsDiscarded(string framing)
    {
        string body = framing.Contains("chunked", StringComparison.Ordinal)
            ? $"{Policy.Length:x}\r\n{Policy}\r\n0\r\n\r\n"
            : Policy;
        string response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + framing + "Connection: close\r\n\r\n" + body;
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, [Host]);
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(leaf, response);

        PolicyFetchResult result = await FetchAsync(Options(server.Port), new FixedAddressResolver(IPAddress.Loopback));

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Null(result.Body);
        Assert.Equal("invalid-framing", result.Evidence!.ReasonCode);
    }

    [Fact(DisplayName = "RFC 9112 §6.3: the same response with a valid Content-Length is applied (the framing test's control)")]
    public async Task RFC9112_6_3_ValidFraming_IsAccepted()
    {
        string response = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {Policy.Length}\r\nConnection: close\r\n\r\n{Policy}";
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, [Host]);
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(leaf, response);

        PolicyFetchResult result = await FetchAsync(Options(server.Port), new FixedAddressResolver(IPAddress.Loopback));

        Assert.Equal(MtaStsFailure.None, result.Failure);
        Assert.Equal(Policy, result.Body);
    }

    [Fact(DisplayName = "RFC 8461 §3.2, RFC 9110 §5.3: two Content-Type fields make the media type ambiguous: sts-policy-invalid")]
    public async Task STS_3_2_b_TwoContentTypeHeaders_IsPolicyInvalid()
    {
        string response = LoopbackTlsServer.Http(200, "OK", Policy, contentType: "text/plain", extraHeaders: "Content-Type: text/html\r\n");
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, [Host]);
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(leaf, response);

        PolicyFetchResult result = await FetchAsync(Options(server.Port), new FixedAddressResolver(IPAddress.Loopback));

        Assert.Equal(MtaStsFailure.PolicyInvalid, result.Failure);
        Assert.Equal("content-type-ambiguous", result.Evidence!.ReasonCode);
        Assert.Null(result.Body);
    }

    [Fact(DisplayName = "A certificate with 10,000 SAN names gets a specific reason, not \"see inner exception\"")]
    public async Task STS_3_3_a_CertificateWithTenThousandNames_HasASpecificReason()
    {
        string[] names = [.. Enumerable.Range(0, 10_000).Select(i => $"n{i}.example.test"), Host];
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, names);
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(leaf, LoopbackTlsServer.Http(200, "OK", Policy));

        PolicyFetchResult result = await FetchAsync(Options(server.Port), new FixedAddressResolver(IPAddress.Loopback));

        // OpenSSL refuses the certificate message ("excessive message size") before our callback sees it.
        Assert.Equal(MtaStsFailure.WebPkiInvalid, result.Failure);
        Assert.Equal("certificate-too-large", result.Evidence!.ReasonCode);
        Assert.DoesNotContain("inner exception", result.Evidence.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(result.Evidence.Message.Length <= 1024, $"{result.Evidence.Message.Length} characters");
    }

    [Theory(DisplayName = "SSRF: by default a policy host at a non-public address is refused, with no connection")]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("fc00::1")]
    [InlineData("fec0::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:192.168.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("2002:a00:1::1")]
    [InlineData("2002:c0a8:101::")]
    public async Task SSRF_NonPublicPolicyHostAddress_IsRefusedByDefault(string address)
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, [Host]);
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(leaf, LoopbackTlsServer.Http(200, "OK", Policy));
        MtaStsOptions options = Options(server.Port, retries: 2);
        options.PolicyFetch.AllowPrivateAddresses = false;
        var resolver = new FixedAddressResolver(IPAddress.Parse(address));

        PolicyFetchResult result = await FetchAsync(options, resolver);

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal("address-not-allowed", result.Evidence!.ReasonCode);
        Assert.Contains("MtaStsOptions.PolicyFetch.AllowPrivateAddresses", result.Evidence.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
        Assert.Single(resolver.Asked); // not retried
    }

    [Fact]
    public void SSRF_TheDefaults_RefuseNonPublicPolicyHosts_AndKeepMxAddressesAsLookedUp()
    {
        // The refusal above is only a default if the option starts off: a fresh options object, as DI and Create make it.
        var options = new MtaStsOptions();

        Assert.False(options.PolicyFetch.AllowPrivateAddresses);
        Assert.False(options.PolicyFetch.Clone().AllowPrivateAddresses);
        Assert.False(options.Delivery.ExcludeNonPublicAddresses);
    }

    [Theory(DisplayName = "Never connect to unspecified, multicast, broadcast or reserved addresses, even with private addresses allowed")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("::")]
    [InlineData("::ffff:0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("255.255.255.255")]
    [InlineData("240.0.0.1")]
    [InlineData("ff02::1")]
    public async Task SSRF_UnspecifiedMulticastBroadcastPolicyHostAddress_IsNeverConnected(string address)
    {
        // 0.0.0.0:port reaches the local listener on Linux: without the check this fetch would succeed.
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, [Host]);
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(leaf, LoopbackTlsServer.Http(200, "OK", Policy));
        var resolver = new FixedAddressResolver(IPAddress.Parse(address));

        PolicyFetchResult result = await FetchAsync(Options(server.Port), resolver);

        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal("address-not-allowed", result.Evidence!.ReasonCode);
        Assert.Equal(0, server.Connections);
    }

    [Fact(DisplayName = "A refused address is skipped; the host's other, allowed address is used")]
    public async Task SSRF_RefusedAddressIsSkipped_AllowedAddressIsUsed()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, [Host]);
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(leaf, LoopbackTlsServer.Http(200, "OK", Policy));

        PolicyFetchResult result = await FetchAsync(Options(server.Port), new FixedAddressResolver(IPAddress.Any, IPAddress.Loopback));

        Assert.Equal(MtaStsFailure.None, result.Failure);
        Assert.Equal(1, server.Connections);
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("192.0.2.10", true)]
    [InlineData("172.15.255.255", true)]
    [InlineData("172.32.0.1", true)]
    [InlineData("100.63.255.255", true)]
    [InlineData("100.128.0.1", true)]
    [InlineData("169.253.0.1", true)]
    [InlineData("2001:4860:4860::8888", true)]
    [InlineData("::ffff:8.8.8.8", true)]
    [InlineData("64:ff9b::808:808", true)]
    [InlineData("64:ff9b:0:0:1::a00:1", true)] // not the /96 prefix: an ordinary address
    [InlineData("2002:808:808::1", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("64:ff9b::a00:1", false)]
    [InlineData("2002:7f00:1::", false)]
    [InlineData("fe80::1%1", false)]
    public void SSRF_AddressScope_PublicAddressesAreAllowed(string address, bool expected)
    {
        Assert.Equal(expected, MtaSts.Dns.AddressScope.IsAllowed(IPAddress.Parse(address), allowNonPublic: false));
        Assert.True(MtaSts.Dns.AddressScope.IsAllowed(IPAddress.Parse(address), allowNonPublic: true));
    }

    [Fact]
    public async Task ConnectAsync_TriesEachAddressInTurn()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var resolver = new FixedAddressResolver(IPAddress.Parse("127.0.0.2"), IPAddress.Loopback);

        await using Stream stream = await PolicyHttpHandlerFactory.ConnectAsync(Host, port, resolver, TimeSpan.FromSeconds(5), allowNonPublic: true, CancellationToken.None);
        using TcpClient accepted = await listener.AcceptTcpClientAsync();

        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)accepted.Client.LocalEndPoint!).Address);
        NetworkStream network = Assert.IsType<NetworkStream>(stream);
        Assert.True(network.Socket.NoDelay);
    }

    [Fact]
    public async Task ConnectAsync_AllAddressesFail_ThrowsConnectionErrorWithLastSocketError()
    {
        int closedPort = ClosedPort();
        var resolver = new FixedAddressResolver(IPAddress.Loopback, IPAddress.Parse("127.0.0.3"));

        var ex = await Assert.ThrowsAsync<HttpRequestException>(async () => await PolicyHttpHandlerFactory.ConnectAsync(Host, closedPort, resolver, TimeSpan.FromSeconds(5), allowNonPublic: true, CancellationToken.None));

        Assert.Equal(HttpRequestError.ConnectionError, ex.HttpRequestError);
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(ex.InnerException).SocketErrorCode);
        Assert.Contains("127.0.0.3", ex.Message);
    }

    [Fact]
    public async Task ConnectAsync_EmptyAddressList_ThrowsNameResolutionError()
    {
        var ex = await Assert.ThrowsAsync<HttpRequestException>(async () => await PolicyHttpHandlerFactory.ConnectAsync(Host, 443, new FixedAddressResolver(), TimeSpan.FromSeconds(5), allowNonPublic: true, CancellationToken.None));

        Assert.Equal(HttpRequestError.NameResolutionError, ex.HttpRequestError);
    }

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
