using System.Net;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>Every way the HTTPS policy fetch can fail, classified in RFC 8460 terms, through real sockets.</summary>
public sealed class FetchFailureTests(WorldFixture fixture) : IClassFixture<WorldFixture>
{
    private MtaStsTestWorld World => fixture.World;

    private async Task<MtaStsResolution> ResolveWithAsync(string label, PolicyResponse? response, Action<MtaStsOptions>? configure = null, TestCertificateKind? certificate = null)
    {
        var domain = WorldFixture.UniqueDomain(label);
        World.PublishPolicy(domain, "f1", MtaStsMode.Enforce, 86400, "mx." + domain);
        if (response is not null)
        {
            World.PolicyHost.SetResponse("mta-sts." + domain, response);
        }

        if (certificate is { } kind)
        {
            World.PolicyHost.SetCertificate("mta-sts." + domain, kind);
        }

        using var resolver = fixture.CreateResolver(configure);
        return await resolver.ResolveAsync(domain);
    }

    private static void AssertFetchFailure(MtaStsResolution result, MtaStsFailure failure, string reasonCode)
    {
        Assert.Equal(MtaStsOutcome.FetchFailure, result.Outcome);
        Assert.Equal(failure, result.Failure);
        Assert.Null(result.Policy);
        Assert.NotNull(result.Evidence);
        Assert.False(string.IsNullOrWhiteSpace(result.Evidence.Message));
        Assert.Equal(reasonCode, result.Evidence.ReasonCode);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(204)]
    [InlineData(403)]
    [InlineData(410)]
    public async Task STS_3_3_f_StatusOtherThan200_IsAPolicyFetchError(int status)
    {
        // Also: A-8
        var result = await ResolveWithAsync("status", new PolicyResponse { StatusCode = status, Body = status == 204 ? string.Empty : "version: STSv1" });

        AssertFetchFailure(result, MtaStsFailure.PolicyFetchError, $"http-status-{status}");
        Assert.Equal("sts-policy-fetch-error", result.ReportResultType);
        Assert.Equal(status, result.Evidence!.HttpStatusCode);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task STS_3_3_g_Redirects_AreNeverFollowed(int status)
    {
        var target = WorldFixture.UniqueDomain("target");
        World.PublishPolicy(target, "t1", MtaStsMode.Enforce, 86400, "mx." + target);

        var result = await ResolveWithAsync("redirect", new PolicyResponse { StatusCode = status, Location = $"https://mta-sts.{target}/.well-known/mta-sts.txt" });

        AssertFetchFailure(result, MtaStsFailure.PolicyFetchError, $"http-status-{status}");
        Assert.Equal(status, result.Evidence!.HttpStatusCode);
        Assert.Equal(0, World.PolicyHost.RequestCount("mta-sts." + target));
    }

    [Fact]
    public async Task STS_3_3_k_TransientServerErrors_AreRetriedWithinTheBudget()
    {
        var domain = WorldFixture.UniqueDomain("retry");
        World.PublishPolicy(domain, "r1", MtaStsMode.Enforce, 86400, "mx." + domain);
        World.PolicyHost.SetResponse("mta-sts." + domain, new PolicyResponse
        {
            Body = "version: STSv1\r\nmode: enforce\r\nmx: mx." + domain + "\r\nmax_age: 86400\r\n",
            FailFirstRequests = 2,
            FailStatusCode = 503,
        });
        using var resolver = fixture.CreateResolver(o => o.PolicyFetch.Retries = 2);

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal(3, World.PolicyHost.RequestCount("mta-sts." + domain));
    }

    [Fact]
    public async Task STS_3_3_f_PersistentServerError_IsAPolicyFetchErrorAfterRetries()
    {
        var domain = WorldFixture.UniqueDomain("persist");
        World.PublishPolicy(domain, "p1", MtaStsMode.Enforce, 86400, "mx." + domain);
        World.PolicyHost.SetResponse("mta-sts." + domain, new PolicyResponse { StatusCode = 500 });
        using var resolver = fixture.CreateResolver(o => o.PolicyFetch.Retries = 1);

        var result = await resolver.ResolveAsync(domain);

        AssertFetchFailure(result, MtaStsFailure.PolicyFetchError, "http-status-500");
        Assert.Equal(2, World.PolicyHost.RequestCount("mta-sts." + domain));
    }

    [Fact]
    public async Task STS_3_3_f_ClientErrors_AreNotRetried()
    {
        var domain = WorldFixture.UniqueDomain("noretry");
        World.PublishPolicy(domain, "p1", MtaStsMode.Enforce, 86400, "mx." + domain);
        World.PolicyHost.SetResponse("mta-sts." + domain, new PolicyResponse { StatusCode = 404 });
        using var resolver = fixture.CreateResolver(o => o.PolicyFetch.Retries = 3);

        await resolver.ResolveAsync(domain);

        Assert.Equal(1, World.PolicyHost.RequestCount("mta-sts." + domain));
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/json")]
    [InlineData(null)]
    public async Task STS_3_2_b_MediaTypeOtherThanTextPlain_IsAnInvalidPolicy(string? contentType)
    {
        // Also: A-7
        var result = await ResolveWithAsync("ctype", new PolicyResponse { ContentType = contentType, Body = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.test\r\nmax_age: 86400\r\n" });

        AssertFetchFailure(result, MtaStsFailure.PolicyInvalid, "content-type");
        Assert.Equal("sts-policy-invalid", result.ReportResultType);
        Assert.Equal(contentType, result.Evidence!.ContentType);
    }

    [Theory]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("TEXT/PLAIN")]
    [InlineData("text/plain; charset=us-ascii; format=flowed")]
    public async Task STS_3_2_c_TextPlainWithParametersOrAnyCase_IsAccepted(string contentType)
    {
        var domain = WorldFixture.UniqueDomain("ctypeok");
        World.PublishPolicy(domain, "c1", MtaStsMode.Enforce, 86400, "mx." + domain);
        World.PolicyHost.SetResponse("mta-sts." + domain, new PolicyResponse { ContentType = contentType, Body = "version: STSv1\r\nmode: enforce\r\nmx: mx." + domain + "\r\nmax_age: 86400\r\n" });
        using var resolver = fixture.CreateResolver();

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
    }

    [Fact]
    public async Task STS_3_2_k_InvalidPolicyBody_IsAnInvalidPolicyWithLineNumbers()
    {
        var result = await ResolveWithAsync("badbody", new PolicyResponse { Body = "version: STSv1\r\nmx: mx.example.test\r\nmax_age: 86400\r\n" });

        AssertFetchFailure(result, MtaStsFailure.PolicyInvalid, "mode-missing");
        Assert.NotEmpty(result.Evidence!.Errors);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_24_BodyOver64KiB_IsAPolicyFetchError(bool sendContentLength)
    {
        var result = await ResolveWithAsync("huge", new PolicyResponse { GeneratedBodyBytes = 200_000, SendContentLength = sendContentLength });

        AssertFetchFailure(result, MtaStsFailure.PolicyFetchError, "body-too-large");
    }

    [Fact]
    public async Task A_24_EndlessBody_StopsAtTheLimit()
    {
        var result = await ResolveWithAsync("endless", new PolicyResponse { EndlessBody = true });

        AssertFetchFailure(result, MtaStsFailure.PolicyFetchError, "body-too-large");
    }

    [Fact]
    public async Task STS_3_3_k_SlowBody_TimesOut()
    {
        var result = await ResolveWithAsync(
            "trickle",
            new PolicyResponse { Body = new string('x', 5000), ByteDelay = TimeSpan.FromMilliseconds(200) },
            o => { o.PolicyFetch.Timeout = TimeSpan.FromSeconds(2); o.PolicyFetch.Retries = 0; });

        AssertFetchFailure(result, MtaStsFailure.PolicyFetchError, "timeout");
    }

    [Fact]
    public async Task STS_3_3_k_SlowHeaders_TimeOut()
    {
        var result = await ResolveWithAsync(
            "slowhead",
            new PolicyResponse { HeaderDelay = TimeSpan.FromSeconds(30) },
            o => { o.PolicyFetch.Timeout = TimeSpan.FromSeconds(2); o.PolicyFetch.Retries = 0; });

        AssertFetchFailure(result, MtaStsFailure.PolicyFetchError, "timeout");
    }

    [Fact]
    public async Task ConnectionReset_IsAPolicyFetchError()
    {
        var result = await ResolveWithAsync("reset", new PolicyResponse { ResetConnection = true }, o => o.PolicyFetch.Retries = 1);

        AssertFetchFailure(result, MtaStsFailure.PolicyFetchError, "connection-reset");
    }

    [Fact]
    public async Task PolicyHostWithoutAddress_IsAPolicyFetchError()
    {
        var domain = WorldFixture.UniqueDomain("noaddr");
        World.PublishPolicy(domain, "n1", MtaStsMode.Enforce, 86400, "mx." + domain);
        World.Dns.Remove("mta-sts." + domain);
        using var resolver = fixture.CreateResolver();

        var result = await resolver.ResolveAsync(domain);

        AssertFetchFailure(result, MtaStsFailure.PolicyFetchError, "name-resolution");
    }

    [Fact]
    public async Task ConnectionRefused_IsAPolicyFetchError()
    {
        var domain = WorldFixture.UniqueDomain("refused");
        World.PublishPolicy(domain, "n1", MtaStsMode.Enforce, 86400, "mx." + domain);
        World.Dns.Remove("mta-sts." + domain);
        World.Dns.AddA("mta-sts." + domain, IPAddress.Parse("127.0.0.2"));
        using var resolver = fixture.CreateResolver(o => o.PolicyFetch.Retries = 0);

        var result = await resolver.ResolveAsync(domain);

        AssertFetchFailure(result, MtaStsFailure.PolicyFetchError, "connection-refused");
    }

    [Theory]
    [InlineData(TestCertificateKind.Expired, "certificate-expired")]
    [InlineData(TestCertificateKind.NotYetValid, "certificate-expired")]
    [InlineData(TestCertificateKind.WrongName, "certificate-name-mismatch")]
    [InlineData(TestCertificateKind.CommonNameOnly, "certificate-name-mismatch")]
    [InlineData(TestCertificateKind.Untrusted, "certificate-untrusted")]
    [InlineData(TestCertificateKind.SelfSigned, "certificate-untrusted")]
    public async Task STS_3_3_a_CertificateProblems_AreWebPkiInvalid(TestCertificateKind kind, string reasonCode)
    {
        // Also: STS-3.3-c (CN-only fails)
        var result = await ResolveWithAsync("cert", null, o => o.PolicyFetch.Retries = 2, kind);

        AssertFetchFailure(result, MtaStsFailure.WebPkiInvalid, reasonCode);
        Assert.Equal("sts-webpki-invalid", result.ReportResultType);
        Assert.False(string.IsNullOrWhiteSpace(result.Evidence!.CertificateProblem));
    }

    [Fact]
    public async Task STS_3_3_d_WholeLabelWildcardCertificate_IsAccepted()
    {
        var result = await ResolveWithAsync("wild", null, certificate: TestCertificateKind.Wildcard);

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
    }

    [Fact]
    public async Task STS_3_3_a_WithoutTheTestRoot_TheValidCertificateIsNotTrusted()
    {
        var domain = WorldFixture.UniqueDomain("noroot");
        World.PublishPolicy(domain, "n1", MtaStsMode.Enforce, 86400, "mx." + domain);
        var options = World.CreateOptions();
        options.AdditionalTrustedRoots.Clear();
        using var resolver = MtaStsPolicyResolver.Create(options);

        var result = await resolver.ResolveAsync(domain);

        AssertFetchFailure(result, MtaStsFailure.WebPkiInvalid, "certificate-untrusted");
    }

    [Fact]
    public async Task STS_7_2_a_Tls11OnlyPolicyHost_IsRefused()
    {
        // Also: STS-7.2-b. On OpenSSL 3 the server cannot even offer TLS 1.1; either way no TLS 1.2+ session exists.
        var domain = WorldFixture.UniqueDomain("tls11");
        World.PublishPolicy(domain, "t1", MtaStsMode.Enforce, 86400, "mx." + domain);
#pragma warning disable SYSLIB0039, CA5397 // TLS 1.0/1.1 are obsolete: that is the point of the test.
        World.PolicyHost.SetTlsProtocols("mta-sts." + domain, System.Security.Authentication.SslProtocols.Tls11);
#pragma warning restore SYSLIB0039, CA5397
        using var resolver = fixture.CreateResolver(o => o.PolicyFetch.Retries = 0);

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.FetchFailure, result.Outcome);
        Assert.Contains(result.Failure, new[] { MtaStsFailure.WebPkiInvalid, MtaStsFailure.PolicyFetchError });
    }

    [Fact]
    public async Task STS_3_3_h_NoConditionalOrCachingHeaders_AndSniIsThePolicyHost()
    {
        // Also: STS-7.1-b, STS-3.2-a
        var domain = WorldFixture.UniqueDomain("headers");
        World.PublishPolicy(domain, "h1", MtaStsMode.Enforce, 1, "mx." + domain);
        using var resolver = fixture.CreateResolver(o => { o.Cache.MinRecordRecheckInterval = TimeSpan.Zero; o.Cache.MaxRecordRecheckInterval = TimeSpan.Zero; });
        await resolver.ResolveAsync(domain);

        var request = Assert.Single(World.PolicyHost.Requests, r => r.Host == "mta-sts." + domain);
        Assert.Equal("mta-sts." + domain, request.Sni);
        Assert.Equal("/.well-known/mta-sts.txt", request.Path);
        foreach (var header in new[] { "If-Modified-Since", "If-None-Match", "If-Range", "If-Unmodified-Since", "If-Match" })
        {
            Assert.DoesNotContain(request.Headers.Keys, k => string.Equals(k, header, StringComparison.OrdinalIgnoreCase));
        }
    }
}
