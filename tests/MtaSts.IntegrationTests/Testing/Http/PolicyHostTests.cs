using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Testing.Http;

public sealed class PolicyHostTests(PolicyHostFixture fixture) : IClassFixture<PolicyHostFixture>
{
    private const string Policy = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 86400\r\n";

    private PolicyHost Host => fixture.Host;

    public static TheoryData<TestCertificateKind, SslPolicyErrors, X509ChainStatusFlags> CertificateOutcomes => new()
    {
        { TestCertificateKind.Valid, SslPolicyErrors.None, X509ChainStatusFlags.NoError },
        { TestCertificateKind.Wildcard, SslPolicyErrors.None, X509ChainStatusFlags.NoError },
        { TestCertificateKind.Expired, SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.NotTimeValid },
        { TestCertificateKind.NotYetValid, SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.NotTimeValid },
        { TestCertificateKind.WrongName, SslPolicyErrors.RemoteCertificateNameMismatch, X509ChainStatusFlags.NoError },
        { TestCertificateKind.Untrusted, SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.PartialChain },
        { TestCertificateKind.SelfSigned, SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.UntrustedRoot },
    };

    [Theory]
    [MemberData(nameof(CertificateOutcomes))]
    public async Task EachCertificateKind_GivesItsHandshakeOutcome(TestCertificateKind kind, SslPolicyErrors expected, X509ChainStatusFlags chainStatus)
    {
        var host = $"mta-sts.{kind.ToString().ToLowerInvariant()}.example.test";
        Host.SetCertificate(host, kind);
        Host.SetResponse(host, new PolicyResponse { Body = Policy });
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);

        var request = client.GetAsync($"https://{host}/.well-known/mta-sts.txt");

        if (expected == SslPolicyErrors.None)
        {
            using var response = await request;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(Policy, await response.Content.ReadAsStringAsync());
        }
        else
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => request);
            Assert.Equal(HttpRequestError.SecureConnectionError, error.HttpRequestError);
        }

        Assert.Equal(expected, client.LastErrors);
        Assert.Equal(chainStatus, client.LastChainStatus & chainStatus);
        Assert.Equal(host, client.LastSni);
    }

    [Fact]
    public async Task CommonNameOnly_HasTheHostOnlyInTheSubject_AndPassesThePlatformsNameCheck()
    {
        const string host = "mta-sts.cn-only.example.test";
        Host.SetCertificate(host, TestCertificateKind.CommonNameOnly);
        Host.SetResponse(host, new PolicyResponse { Body = Policy });
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);

        try
        {
            using var _ = await client.GetAsync($"https://{host}/.well-known/mta-sts.txt");
        }
        catch (HttpRequestException) when (!OperatingSystem.IsLinux())
        {
            // Other platforms may refuse the CN fallback themselves.
        }

        var served = client.LastCertificate!;
        Assert.Equal(host, served.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.DoesNotContain(served.Extensions, e => e is X509SubjectAlternativeNameExtension);
        Assert.False(served.MatchesHostname(host, allowWildcards: true, allowCommonName: false));
        if (OperatingSystem.IsLinux())
        {
            // .NET on Linux falls back to the CN when a certificate has no SAN, so SslPolicyErrors alone lets this
            // certificate through: a client that wants SAN-only matching (decision A-9) must check the SAN itself.
            Assert.Equal(SslPolicyErrors.None, client.LastErrors);
        }
    }

    [Fact]
    public async Task UnknownSni_GetsTheUnknownInvalidCertificate()
    {
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("https://mta-sts.never-configured.example.test/.well-known/mta-sts.txt"));

        Assert.Equal(HttpRequestError.SecureConnectionError, error.HttpRequestError);
        Assert.Equal(SslPolicyErrors.RemoteCertificateNameMismatch, client.LastErrors);
        Assert.True(client.LastCertificate!.MatchesHostname(PolicyHost.UnknownHostName));
    }

    [Fact]
    public async Task Sni_SelectsTheCertificate_PerConnection()
    {
        Host.SetPolicy("good.example.test", Policy);
        Host.SetPolicy("bad.example.test", Policy);
        Host.SetCertificate("MTA-STS.BAD.EXAMPLE.TEST.", TestCertificateKind.Expired);
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);

        using (var good = await client.GetAsync("https://mta-sts.good.example.test/.well-known/mta-sts.txt"))
        {
            Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        }

        Assert.True(client.LastCertificate!.MatchesHostname("mta-sts.good.example.test", allowCommonName: false));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("https://mta-sts.bad.example.test/.well-known/mta-sts.txt"));
        Assert.True(client.LastCertificate!.NotAfter < DateTime.Now);
        Assert.True(client.LastCertificate!.MatchesHostname("mta-sts.bad.example.test", allowCommonName: false));
    }

    [Fact]
    public async Task SetPolicy_ServesTextPlain_AndOtherPathsAre404()
    {
        Host.SetPolicy("plain.example.test", Policy);
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);

        using var ok = await client.GetAsync($"https://mta-sts.plain.example.test:{Host.Port}/.well-known/mta-sts.txt");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("text/plain", ok.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Policy.Length, ok.Content.Headers.ContentLength);
        Assert.Equal(Policy, await ok.Content.ReadAsStringAsync());

        using var missing = await client.GetAsync("https://mta-sts.plain.example.test/.well-known/other.txt");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var otherHost = await client.GetAsync("https://mta-sts.plain.example.test/");
        Assert.Equal(HttpStatusCode.NotFound, otherHost.StatusCode);
    }

    [Fact]
    public async Task ScriptedResponse_SetsStatusContentTypeHeadersAndBytes()
    {
        const string host = "mta-sts.scripted.example.test";
        var script = new PolicyResponse { StatusCode = 500, ContentType = null, Body = "boom" };
        script.Headers["X-Test"] = "yes";
        Host.SetResponse(host, script);
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);

        using (var failed = await client.GetAsync($"https://{host}/.well-known/mta-sts.txt"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            Assert.Null(failed.Content.Headers.ContentType);
            Assert.Equal("yes", Assert.Single(failed.Headers.GetValues("X-Test")));
            Assert.Equal("boom", await failed.Content.ReadAsStringAsync());
        }

        // The script is read per request, and raw bytes win over Body.
        script.StatusCode = 200;
        script.ContentType = "text/html; charset=utf-8";
        script.BodyBytes = [0xEF, 0xBB, 0xBF, (byte)'v', 0xFF];
        using var bytes = await client.GetAsync($"https://{host}/.well-known/mta-sts.txt");
        Assert.Equal("text/html", bytes.Content.Headers.ContentType!.MediaType);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'v', 0xFF }, await bytes.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Redirect_CarriesLocation_AndTheTargetPathCanBeServed()
    {
        const string host = "mta-sts.redirect.example.test";
        Host.SetResponse(host, new PolicyResponse { StatusCode = 301, Location = $"https://{host}/moved.txt", ContentType = null });
        Host.SetResponse(host, "/moved.txt", new PolicyResponse { Body = Policy });
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);

        using var redirect = await client.GetAsync($"https://{host}/.well-known/mta-sts.txt");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal(new Uri($"https://{host}/moved.txt"), redirect.Headers.Location);

        using var target = await client.GetAsync(redirect.Headers.Location);
        Assert.Equal(Policy, await target.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GeneratedBody_HasTheRequestedSize_WithOrWithoutContentLength(bool contentLength)
    {
        var host = $"mta-sts.big-{contentLength}.example.test".ToLowerInvariant();
        Host.SetResponse(host, new PolicyResponse { Body = Policy, GeneratedBodyBytes = 200_000, SendContentLength = contentLength });
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);

        using var response = await client.GetAsync($"https://{host}/.well-known/mta-sts.txt", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(contentLength ? 200_000 : null, response.Content.Headers.ContentLength);
        Assert.Equal(!contentLength, response.Headers.TransferEncodingChunked ?? false);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(200_000, body.Length);
        Assert.StartsWith(Policy + "xxxx", Encoding.ASCII.GetString(body, 0, Policy.Length + 100));
        Assert.EndsWith("\r\n", Encoding.ASCII.GetString(body, body.Length - Policy.Length - 64, Policy.Length + 64).TrimEnd('x'));
    }

    [Fact]
    public async Task EndlessBody_KeepsComing_UntilTheClientStops()
    {
        const string host = "mta-sts.endless.example.test";
        Host.SetResponse(host, new PolicyResponse { Body = Policy, EndlessBody = true });
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);

        using (var response = await client.GetAsync($"https://{host}/.well-known/mta-sts.txt", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Null(response.Content.Headers.ContentLength);
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[64 * 1024];
            long total = 0;
            while (total < 2 * 1024 * 1024)
            {
                var read = await stream.ReadAsync(buffer);
                Assert.NotEqual(0, read);
                total += read;
            }
        }

        // The host is still fine afterwards.
        Host.SetPolicy("after-endless.example.test", Policy);
        using var next = await client.GetAsync("https://mta-sts.after-endless.example.test/.well-known/mta-sts.txt");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task HeaderDelay_AndTrickle_SlowTheResponse()
    {
        const string host = "mta-sts.slow.example.test";
        Host.SetResponse(host, new PolicyResponse { Body = "abcdef", HeaderDelay = TimeSpan.FromMilliseconds(200) });
        Host.SetResponse(host, "/trickle", new PolicyResponse { Body = "abcdef", ByteDelay = TimeSpan.FromMilliseconds(60), TrickleChunkBytes = 2 });
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);

        var watch = Stopwatch.StartNew();
        using (var delayed = await client.GetAsync($"https://{host}/.well-known/mta-sts.txt", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(180), $"headers after {watch.Elapsed}");
        }

        using var trickled = await client.GetAsync($"https://{host}/trickle", HttpCompletionOption.ResponseHeadersRead);
        watch.Restart();
        await using var stream = await trickled.Content.ReadAsStreamAsync();
        var reads = new List<int>();
        var buffer = new byte[100];
        int read;
        var text = new StringBuilder();
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            reads.Add(read);
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.Equal("abcdef", text.ToString());
        Assert.True(reads.Count >= 2, $"arrived in {reads.Count} piece(s)");
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(100), $"body after {watch.Elapsed}");
    }

    [Fact]
    public async Task FailFirstRequests_FailsThenServes_AndRestartsWhenSetAgain()
    {
        const string host = "mta-sts.flaky.example.test";
        var script = new PolicyResponse { Body = Policy, FailFirstRequests = 2 };
        Host.SetResponse(host, script);
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);
        var url = $"https://{host}/.well-known/mta-sts.txt";

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync(url);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], statuses);

        script.FailStatusCode = 502;
        script.FailFirstRequests = 1;
        Host.SetResponse(host, script);
        using (var again = await client.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.BadGateway, again.StatusCode);
        }

        using var last = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
    }

    [Fact]
    public async Task ResetConnection_ResetsTheTcpConnectionWithoutAResponse()
    {
        const string host = "mta-sts.reset.example.test";
        Host.SetResponse(host, new PolicyResponse { Body = Policy, ResetConnection = true });
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"https://{host}/.well-known/mta-sts.txt"));

        var reset = Assert.IsType<SocketException>(error.InnerException?.InnerException);
        Assert.Equal(SocketError.ConnectionReset, reset.SocketErrorCode);
        Assert.Equal(SslPolicyErrors.None, client.LastErrors); // the TLS part succeeded
    }

    [Fact]
    public async Task RequestLog_RecordsHostSniPathAndHeaders()
    {
        const string host = "mta-sts.logged.example.test";
        Host.SetPolicy("logged.example.test", Policy);
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{host}:{Host.Port}/.well-known/mta-sts.txt?x=1");
        request.Headers.Add("X-Probe", "42");

        using (var response = await client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, Host.RequestCount("MTA-STS.LOGGED.EXAMPLE.TEST."));
        var logged = Assert.Single(Host.Requests, r => r.Host == host);
        Assert.Equal(host, logged.Sni);
        Assert.Equal("GET", logged.Method);
        Assert.Equal("/.well-known/mta-sts.txt", logged.Path);
        Assert.Equal("?x=1", logged.QueryString);
        Assert.Equal("HTTP/1.1", logged.HttpVersion);
        Assert.True(logged.TlsProtocol is SslProtocols.Tls12 or SslProtocols.Tls13);
        Assert.Equal("42", logged.Headers["x-probe"]);
        Assert.Equal($"{host}:{Host.Port}", logged.Headers["Host"]);
        Assert.DoesNotContain(logged.Headers.Keys, k => k.StartsWith("If-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task TlsProtocols_AreLimitedPerHost()
    {
        Host.SetPolicy("tls13.example.test", Policy);
        Host.SetTlsProtocols("mta-sts.tls13.example.test", SslProtocols.Tls13);
        Host.SetPolicy("tls12.example.test", Policy);
        Host.SetTlsProtocols("mta-sts.tls12.example.test", SslProtocols.Tls12);

        using (var only12 = new TestClient(fixture.Authority, fixture.Host.Port, SslProtocols.Tls12))
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => only12.GetAsync("https://mta-sts.tls13.example.test/.well-known/mta-sts.txt"));
            Assert.Equal(HttpRequestError.SecureConnectionError, error.HttpRequestError);
        }

        using var client = new TestClient(fixture.Authority, fixture.Host.Port);
        using (var tls13 = await client.GetAsync("https://mta-sts.tls13.example.test/.well-known/mta-sts.txt"))
        {
            Assert.Equal(HttpStatusCode.OK, tls13.StatusCode);
        }

        using (var tls12 = await client.GetAsync("https://mta-sts.tls12.example.test/.well-known/mta-sts.txt"))
        {
            Assert.Equal(HttpStatusCode.OK, tls12.StatusCode);
        }

        Assert.Equal(SslProtocols.Tls13, Host.Requests.Last(r => r.Host == "mta-sts.tls13.example.test").TlsProtocol);
        Assert.Equal(SslProtocols.Tls12, Host.Requests.Last(r => r.Host == "mta-sts.tls12.example.test").TlsProtocol);
    }

    [Fact]
    public async Task Tls11OnlyHost_FailsTheHandshake()
    {
        // On Linux with OpenSSL 3 this fails even for a client that allows TLS 1.1 (the security level forbids it);
        // elsewhere it fails because the default client no longer offers TLS 1.1. Either way: a handshake failure.
        Host.SetPolicy("tls11.example.test", Policy);
#pragma warning disable SYSLIB0039, CA5397 // an obsolete protocol on purpose
        Host.SetTlsProtocols("mta-sts.tls11.example.test", SslProtocols.Tls11);
#pragma warning restore SYSLIB0039, CA5397
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("https://mta-sts.tls11.example.test/.well-known/mta-sts.txt"));

        Assert.Equal(HttpRequestError.SecureConnectionError, error.HttpRequestError);
        Assert.Equal(0, Host.RequestCount("mta-sts.tls11.example.test"));
    }

    [Fact]
    public async Task CustomCertificate_IsServedForItsHost()
    {
        using var certificate = fixture.Authority.IssueCertificate(new TestCertificateOptions
        {
            DnsNames = { "mta-sts.custom.example.test", "other.example.test" },
            KeyAlgorithm = TestKeyAlgorithm.Rsa2048,
        });
        Host.SetCertificate("mta-sts.custom.example.test", certificate);
        Host.SetPolicy("custom.example.test", Policy);
        using var client = new TestClient(fixture.Authority, fixture.Host.Port);

        using var response = await client.GetAsync("https://mta-sts.custom.example.test/.well-known/mta-sts.txt");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(certificate.Thumbprint, client.LastCertificate!.Thumbprint);
    }

    [Fact]
    public async Task IntermediateAuthority_ChainIsSentByTheHost()
    {
        using var intermediate = fixture.Authority.CreateIntermediate();
        await using var host = await PolicyHost.StartAsync(intermediate);
        host.SetPolicy("chained.example.test", Policy);
        using var client = new TestClient(fixture.Authority, host.Port);

        using var response = await client.GetAsync("https://mta-sts.chained.example.test/.well-known/mta-sts.txt");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SslPolicyErrors.None, client.LastErrors);
        Assert.Equal(3, client.LastChainLength);
    }

    [Fact]
    public async Task Dispose_StopsListening()
    {
        var host = await PolicyHost.StartAsync(fixture.Authority);
        var port = host.Port;
        Assert.NotEqual(0, port);

        await host.DisposeAsync();

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var error = await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }
}
