using System.Net;
using MtaSts.Dns;
using MtaSts.Reporting;
using MtaSts.IntegrationTests.Testing;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Reporting.Delivery;

/// <summary>RFC 8460 §5.4 over real sockets: POSTs to an HTTPS endpoint on 127.0.0.1 whose certificate is from the kit's CA.</summary>
public class TlsReportHttpsDeliveryTests(PolicyHostFixture fixture) : IClassFixture<PolicyHostFixture>
{
    private const string Path = "/v1/tlsrpt";

    private static TlsReport Report()
    {
        var aggregator = new TlsReportAggregator();
        var day = new DateOnly(2026, 3, 1);
        aggregator.AddSuccess(day, "recipient.example", TlsRptPolicy.NoPolicyFound("recipient.example"), 42);
        aggregator.AddFailure(day, "recipient.example", TlsRptPolicy.NoPolicyFound("recipient.example"), new TlsRptFailure(TlsRptResultType.StartTlsNotSupported, "starttls-missing") { ReceivingMxHostname = "mx.recipient.example" }, 2);
        var options = new TlsReportOptions { OrganizationName = "Sender Example", ContactInfo = "tlsrpt@sender.example", Submitter = "mail.sender.example" };
        return Assert.Single(new TlsReportBuilder(options).Build(aggregator.Snapshot(day, "recipient.example")!));
    }

    private static string UniqueHost() => $"r{Guid.NewGuid():N}.reports.example";

    private Uri Endpoint(string host) => new($"https://{host}:{fixture.Host.Port}{Path}");

    private static TlsRptRecord Record(Uri uri) => new([uri], "v=TLSRPTv1; rua=" + uri);

    private TlsReportSender Sender(int attempts = 3, TimeSpan? timeout = null, bool trustKit = true, bool allowPrivate = true, bool acceptInvalidCertificates = false)
    {
        var options = new TlsReportDeliveryOptions
        {
            MaxAttempts = attempts,
            InitialRetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(100),
            HttpsTimeout = timeout ?? TimeSpan.FromSeconds(10),
            AllowPrivateAddresses = allowPrivate,
            AcceptInvalidCertificates = acceptInvalidCertificates,
            AddressResolver = new LoopbackResolver(),
        };
        if (trustKit)
        {
            options.AdditionalTrustedRoots.Add(fixture.Authority.RootCertificate);
        }

        return new TlsReportSender(options);
    }

    private List<PolicyRequestLog> RequestsTo(string host) => fixture.Host.Requests.Where(r => r.Host == host).ToList();

    [Fact]
    public async Task RPT_5_4_a_Https2xx_IsDelivered_AndTheBodyIsTheGzipOfTheReport()
    {
        var host = UniqueHost();
        fixture.Host.SetResponse(host, Path, new PolicyResponse { StatusCode = 201, ContentType = null });
        var report = Report();
        using var sender = Sender();

        var result = await sender.SendAsync(report, Record(Endpoint(host)));

        var attempt = Assert.Single(result.Attempts);
        Assert.Equal(TlsReportDeliveryStatus.Delivered, attempt.Status);
        Assert.Equal(201, attempt.HttpStatusCode);
        var request = Assert.Single(RequestsTo(host));
        Assert.Equal("POST", request.Method);
        Assert.Equal(host, request.Sni);
        Assert.Equal("application/tlsrpt+gzip", request.ContentType);
        Assert.False(request.BodyTruncated);
        Assert.Equal(report.ToGzip(), request.Body.ToArray());
        var read = TlsReportReader.Read(request.Body.Span);
        Assert.True(read.IsValid, string.Join("; ", read.Errors));
        Assert.True(read.WasCompressed);
        Assert.Equal(report.Json.ToArray(), TlsReportWriter.Serialize(read.Report!));
        Assert.Equal(report.ReportId, read.Report!.ReportId);
    }

    [Fact]
    public async Task RPT_5_5_a_500Then200_IsRetried_AndDelivered()
    {
        var host = UniqueHost();
        fixture.Host.SetResponse(host, Path, new PolicyResponse { StatusCode = 200, FailFirstRequests = 1, FailStatusCode = 500 });
        using var sender = Sender();

        var attempt = Assert.Single((await sender.SendAsync(Report(), Record(Endpoint(host)))).Attempts);

        Assert.Equal(TlsReportDeliveryStatus.Delivered, attempt.Status);
        Assert.Equal(2, attempt.Tries);
        Assert.Equal(2, RequestsTo(host).Count);
    }

    [Fact]
    public async Task RPT_3_h_Redirect_IsNotFollowed()
    {
        var host = UniqueHost();
        var target = UniqueHost();
        fixture.Host.SetResponse(host, Path, new PolicyResponse { StatusCode = 307, Location = Endpoint(target).ToString() });
        fixture.Host.SetResponse(target, Path, new PolicyResponse { StatusCode = 200 });
        using var sender = Sender();

        var attempt = Assert.Single((await sender.SendAsync(Report(), Record(Endpoint(host)))).Attempts);

        Assert.Equal(TlsReportDeliveryStatus.Failed, attempt.Status);
        Assert.Equal(TlsReportDeliveryReasons.RedirectNotFollowed, attempt.ReasonCode);
        Assert.Equal(307, attempt.HttpStatusCode);
        Assert.Single(RequestsTo(host));
        Assert.Empty(RequestsTo(target));
    }

    [Fact]
    public async Task R_4_NoAnswerWithinTheTimeout_IsClassifiedTimeout()
    {
        var host = UniqueHost();
        fixture.Host.SetResponse(host, Path, new PolicyResponse { StatusCode = 200, HeaderDelay = TimeSpan.FromSeconds(5) });
        using var sender = Sender(attempts: 1, timeout: TimeSpan.FromMilliseconds(500));

        var attempt = Assert.Single((await sender.SendAsync(Report(), Record(Endpoint(host)))).Attempts);

        Assert.Equal(TlsReportDeliveryStatus.Failed, attempt.Status);
        Assert.Equal(TlsReportDeliveryReasons.Timeout, attempt.ReasonCode);
        Assert.True(attempt.IsTransient);
    }

    [Theory]
    [InlineData(TestCertificateKind.Untrusted, "certificate-untrusted")]
    [InlineData(TestCertificateKind.SelfSigned, "certificate-untrusted")]
    [InlineData(TestCertificateKind.WrongName, "certificate-name-mismatch")]
    [InlineData(TestCertificateKind.Expired, "certificate-expired")]
    public async Task R_4_BadCertificate_IsRefused_BeforeAnyRequest(TestCertificateKind kind, string reason)
    {
        var host = UniqueHost();
        fixture.Host.SetCertificate(host, kind);
        fixture.Host.SetResponse(host, Path, new PolicyResponse { StatusCode = 200 });
        using var sender = Sender();

        var attempt = Assert.Single((await sender.SendAsync(Report(), Record(Endpoint(host)))).Attempts);

        Assert.Equal(TlsReportDeliveryStatus.Failed, attempt.Status);
        Assert.Equal(reason, attempt.ReasonCode);
        Assert.False(attempt.IsTransient);
        Assert.Empty(RequestsTo(host));
    }

    [Theory]
    [InlineData(TestCertificateKind.Untrusted)]
    [InlineData(TestCertificateKind.SelfSigned)]
    [InlineData(TestCertificateKind.WrongName)]
    [InlineData(TestCertificateKind.Expired)]
    public async Task RPT_3_h_RelaxedOption_AcceptsABadEndpointCertificate(TestCertificateKind kind)
    {
        var host = UniqueHost();
        fixture.Host.SetCertificate(host, kind);
        fixture.Host.SetResponse(host, Path, new PolicyResponse { StatusCode = 200 });
        using var strict = Sender(attempts: 1);
        using var relaxed = Sender(attempts: 1, acceptInvalidCertificates: true);

        // The same endpoint: refused with the certificate's reason by default, delivered with the option.
        var refused = Assert.Single((await strict.SendAsync(Report(), Record(Endpoint(host)))).Attempts);
        Assert.Equal(TlsReportDeliveryStatus.Failed, refused.Status);
        Assert.StartsWith("certificate-", refused.ReasonCode, StringComparison.Ordinal);
        Assert.Empty(RequestsTo(host));

        var result = await relaxed.SendAsync(Report(), Record(Endpoint(host)));

        Assert.True(result.Delivered);
        Assert.Equal(TlsReportDeliveryStatus.Delivered, Assert.Single(result.Attempts).Status);
        Assert.Single(RequestsTo(host));
    }

    [Fact]
    public async Task RPT_3_h_RelaxedOption_StillRefusesPrivateAddressesAndHttp()
    {
        var host = UniqueHost();
        fixture.Host.SetCertificate(host, TestCertificateKind.SelfSigned);
        fixture.Host.SetResponse(host, Path, new PolicyResponse { StatusCode = 200 });
        using var sender = Sender(attempts: 1, allowPrivate: false, acceptInvalidCertificates: true);

        var attempt = Assert.Single((await sender.SendAsync(Report(), Record(Endpoint(host)))).Attempts);
        Assert.Equal("address-not-allowed", attempt.ReasonCode);
        Assert.Empty(RequestsTo(host));

        var options = new TlsReportDeliveryOptions { AllowPrivateAddresses = true, AcceptInvalidCertificates = true, AddressResolver = new LoopbackResolver() };
        using var poster = new TlsReportHttpsPoster(options, TimeProvider.System);
        var outcome = await poster.PostAsync(new Uri($"http://127.0.0.1:{fixture.Host.Port}{Path}"), Report().ToGzip(), CancellationToken.None);
        Assert.Equal(TlsReportDeliveryReasons.InsecureScheme, outcome.ReasonCode);
    }

    [Fact]
    public async Task R_4_KitCaNotTrusted_IsRefused()
    {
        var host = UniqueHost();
        fixture.Host.SetResponse(host, Path, new PolicyResponse { StatusCode = 200 });
        using var sender = Sender(trustKit: false);

        var attempt = Assert.Single((await sender.SendAsync(Report(), Record(Endpoint(host)))).Attempts);

        Assert.Equal("certificate-untrusted", attempt.ReasonCode);
        Assert.Empty(RequestsTo(host));
    }

    [Fact]
    public async Task R_4_LoopbackEndpoint_IsRefused_UnlessPrivateAddressesAllowed()
    {
        var host = UniqueHost();
        fixture.Host.SetResponse(host, Path, new PolicyResponse { StatusCode = 200 });
        using var sender = Sender(allowPrivate: false);

        var attempt = Assert.Single((await sender.SendAsync(Report(), Record(Endpoint(host)))).Attempts);

        Assert.Equal("address-not-allowed", attempt.ReasonCode);
        Assert.Empty(RequestsTo(host));
    }

    [Fact]
    public async Task RPT_3_c_HttpEndpoint_IsRefused()
    {
        using var poster = new TlsReportHttpsPoster(new TlsReportDeliveryOptions { AllowPrivateAddresses = true, AddressResolver = new LoopbackResolver() }, TimeProvider.System);

        var outcome = await poster.PostAsync(new Uri($"http://127.0.0.1:{fixture.Host.Port}{Path}"), Report().ToGzip(), CancellationToken.None);

        Assert.False(outcome.Delivered);
        Assert.Equal(TlsReportDeliveryReasons.InsecureScheme, outcome.ReasonCode);
    }

    [Fact]
    public async Task RPT_5_4_a_NoConnectionIsKeptAfterAPost()
    {
        var host = UniqueHost();
        fixture.Host.SetResponse(host, Path, new PolicyResponse { StatusCode = 200 });
        using var sender = Sender();

        await sender.SendAsync(Report(), Record(Endpoint(host)));

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (fixture.Host.OpenConnections > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, fixture.Host.OpenConnections);
    }

    private sealed class LoopbackResolver : IHostAddressResolver
    {
        public Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<IPAddress>>([IPAddress.Loopback]);
    }
}
