using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MtaSts.Reporting;
using MtaSts.Tests.Fakes;
using static MtaSts.Tests.Reporting.ReportingFixtures;

namespace MtaSts.Tests.Reporting.Delivery;

public class TlsReportSenderTests
{
    private static TlsReport Report() => Assert.Single(new TlsReportBuilder(Options()).Build(MixedDay()));

    private static TlsRptRecord Record(params string[] uris) => new(uris.Select(u => new Uri(u)).ToArray(), "v=TLSRPTv1; rua=" + string.Join(",", uris));

    private static TlsReportDeliveryOptions Fast(int attempts = 3) => new()
    {
        MaxAttempts = attempts,
        InitialRetryDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(5),
        HttpsTimeout = TimeSpan.FromSeconds(10),
    };

    private static TlsReportSender Sender(ScriptedHandler handler, TlsReportDeliveryOptions? options = null, ITlsReportMailer? mailer = null, IMeterFactory? meters = null) =>
        new(options ?? Fast(), mailer, TimeProvider.System, null, meters, handler);

    [Fact]
    public async Task RPT_5_4_a_Https_PostsGzipReport_WithTlsrptGzipMediaType_2xxIsDelivered()
    {
        var handler = new ScriptedHandler(HttpStatusCode.Created);
        var report = Report();
        using var sender = Sender(handler);

        var result = await sender.SendAsync(report, Record("https://reports.recipient.example/v1/tlsrpt"));

        var attempt = Assert.Single(result.Attempts);
        Assert.Equal(TlsReportDeliveryStatus.Delivered, attempt.Status);
        Assert.Equal(TlsReportDeliveryMethod.Https, attempt.Method);
        Assert.Null(attempt.ReasonCode);
        Assert.Equal(201, attempt.HttpStatusCode);
        Assert.Equal(1, attempt.Tries);
        Assert.True(result.Delivered);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("application/tlsrpt+gzip", request.ContentType);
        Assert.True(request.ConnectionClose);
        Assert.Equal(0x1f, request.Body[0]);
        Assert.Equal(0x8b, request.Body[1]);
        var read = TlsReportReader.Read(request.Body);
        Assert.True(read.IsValid);
        Assert.True(read.WasCompressed);
        Assert.Equal(report.Json.ToArray(), TlsReportWriter.Serialize(read.Report!));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(202)]
    [InlineData(204)]
    [InlineData(299)]
    public async Task R_4_Https_Any2xx_IsDelivered(int status)
    {
        using var sender = Sender(new ScriptedHandler((HttpStatusCode)status));
        var result = await sender.SendAsync(Report(), Record("https://reports.recipient.example/"));
        Assert.Equal(TlsReportDeliveryStatus.Delivered, Assert.Single(result.Attempts).Status);
    }

    [Fact]
    public async Task RPT_5_5_a_Https_500Then200_IsRetried_AndDelivered()
    {
        var handler = new ScriptedHandler(HttpStatusCode.InternalServerError, HttpStatusCode.OK);
        using var sender = Sender(handler);

        var attempt = Assert.Single((await sender.SendAsync(Report(), Record("https://reports.recipient.example/"))).Attempts);

        Assert.Equal(TlsReportDeliveryStatus.Delivered, attempt.Status);
        Assert.Equal(2, attempt.Tries);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task RPT_5_5_a_Https_Always503_StopsAfterMaxAttempts_Transient()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable);
        using var sender = Sender(handler, Fast(attempts: 4));

        var attempt = Assert.Single((await sender.SendAsync(Report(), Record("https://reports.recipient.example/"))).Attempts);

        Assert.Equal(TlsReportDeliveryStatus.Failed, attempt.Status);
        Assert.Equal("http-status-503", attempt.ReasonCode);
        Assert.Equal(503, attempt.HttpStatusCode);
        Assert.Equal(4, attempt.Tries);
        Assert.True(attempt.IsTransient);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task RPT_3_h_Https_Redirect_IsNotFollowed_NorRetried(int status)
    {
        var handler = new ScriptedHandler((HttpStatusCode)status);
        using var sender = Sender(handler);

        var attempt = Assert.Single((await sender.SendAsync(Report(), Record("https://reports.recipient.example/"))).Attempts);

        Assert.Equal(TlsReportDeliveryStatus.Failed, attempt.Status);
        Assert.Equal(TlsReportDeliveryReasons.RedirectNotFollowed, attempt.ReasonCode);
        Assert.False(attempt.IsTransient);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task RPT_5_4_a_Https_404_IsPermanent_NotRetried()
    {
        var handler = new ScriptedHandler(HttpStatusCode.NotFound);
        using var sender = Sender(handler);

        var attempt = Assert.Single((await sender.SendAsync(Report(), Record("https://reports.recipient.example/"))).Attempts);

        Assert.Equal("http-status-404", attempt.ReasonCode);
        Assert.False(attempt.IsTransient);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task R_4_Https_NoAnswerWithinTimeout_IsClassifiedTimeout()
    {
        var handler = new ScriptedHandler(HttpStatusCode.OK) { Hang = true };
        var options = Fast(attempts: 1);
        options.HttpsTimeout = TimeSpan.FromMilliseconds(200);
        using var sender = Sender(handler, options);

        var attempt = Assert.Single((await sender.SendAsync(Report(), Record("https://reports.recipient.example/"))).Attempts);

        Assert.Equal(TlsReportDeliveryStatus.Failed, attempt.Status);
        Assert.Equal(TlsReportDeliveryReasons.Timeout, attempt.ReasonCode);
        Assert.True(attempt.IsTransient);
    }

    [Fact]
    public async Task R_4_CallerCancellation_IsThrown_NotReported()
    {
        var handler = new ScriptedHandler(HttpStatusCode.OK) { Hang = true };
        using var sender = Sender(handler);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sender.SendAsync(Report(), Record("https://reports.recipient.example/"), cts.Token));
    }

    [Fact]
    public void RPT_3_c_HttpUri_IsRefused_WithoutAnyRequest()
    {
        // TlsRptRecord itself only holds mailto: and https:; the poster refuses http: on its own as well.
        var outcome = TlsReportHttpsPoster.CheckUri(new Uri("http://reports.recipient.example/"));
        Assert.NotNull(outcome);
        Assert.Equal(TlsReportDeliveryReasons.InsecureScheme, outcome.Value.ReasonCode);
        Assert.False(outcome.Value.IsTransient);
    }

    [Fact]
    public async Task RPT_3_c_HttpUri_PostAsync_RefusesBeforeSending()
    {
        var handler = new ScriptedHandler(HttpStatusCode.OK);
        using var poster = new TlsReportHttpsPoster(handler, TimeSpan.FromSeconds(5), TimeProvider.System);

        var outcome = await poster.PostAsync(new Uri("http://reports.recipient.example/"), new byte[] { 1 }, CancellationToken.None);

        Assert.False(outcome.Delivered);
        Assert.Equal(TlsReportDeliveryReasons.InsecureScheme, outcome.ReasonCode);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task RPT_3_g_EveryRua_IsTried_AndOneAcceptanceMeansDelivered()
    {
        var handler = new ScriptedHandler(request => request.RequestUri!.Host == "a.recipient.example" ? HttpStatusCode.Forbidden : HttpStatusCode.OK);
        var mailer = new RecordingMailer();
        using var sender = Sender(handler, mailer: mailer);

        var result = await sender.SendAsync(Report(), Record("https://a.recipient.example/", "mailto:tlsrpt@recipient.example", "https://b.recipient.example/"));

        Assert.Equal(3, result.Attempts.Count);
        Assert.Equal("https://a.recipient.example/", result.Attempts[0].Uri.OriginalString);
        Assert.Equal(TlsReportDeliveryStatus.Failed, result.Attempts[0].Status);
        Assert.Equal("http-status-403", result.Attempts[0].ReasonCode);
        Assert.Equal(TlsReportDeliveryStatus.Delivered, result.Attempts[1].Status);
        Assert.Equal(TlsReportDeliveryMethod.Mailto, result.Attempts[1].Method);
        Assert.Equal(TlsReportDeliveryStatus.Delivered, result.Attempts[2].Status);
        Assert.True(result.Delivered);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(["tlsrpt@recipient.example"], Assert.Single(mailer.Calls));
    }

    [Fact]
    public async Task RPT_3_g_NoEndpointAccepts_NotDelivered()
    {
        using var sender = Sender(new ScriptedHandler(HttpStatusCode.BadRequest));
        var result = await sender.SendAsync(Report(), Record("https://a.recipient.example/", "https://b.recipient.example/"));
        Assert.False(result.Delivered);
        Assert.All(result.Attempts, a => Assert.Equal(TlsReportDeliveryStatus.Failed, a.Status));
    }

    [Fact]
    public async Task RPT_3_i_Mailto_WithoutMailer_IsSkipped()
    {
        using var sender = Sender(new ScriptedHandler(HttpStatusCode.OK));

        var attempt = Assert.Single((await sender.SendAsync(Report(), Record("mailto:tlsrpt@recipient.example"))).Attempts);

        Assert.Equal(TlsReportDeliveryStatus.Skipped, attempt.Status);
        Assert.Equal(TlsReportDeliveryReasons.NoMailer, attempt.ReasonCode);
        Assert.Equal(0, attempt.Tries);
    }

    [Fact]
    public async Task RPT_3_i_Mailto_PercentEncodedAddress_IsDecoded_HeaderFieldsIgnored()
    {
        var mailer = new RecordingMailer();
        using var sender = Sender(new ScriptedHandler(HttpStatusCode.OK), mailer: mailer);

        var result = await sender.SendAsync(Report(), Record("mailto:tls%2Brpt@recipient.example?subject=ignored"));

        Assert.True(result.Delivered);
        Assert.Equal(["tls+rpt@recipient.example"], Assert.Single(mailer.Calls));
    }

    [Fact]
    public void RPT_3_d_MailtoAddresses_AnEncodedCommaIsNotASeparator_AndIsRefused()
    {
        Assert.Null(TlsReportSender.MailtoAddresses(new Uri("mailto:a%2Cb@x.example")));
        Assert.Equal(["a@x.example"], TlsReportSender.MailtoAddresses(new Uri("mailto:a@x.example")));
    }

    [Theory]
    [InlineData("mailto:a%0D%0ABcc%3Ax@recipient.example")]
    [InlineData("mailto:a%20b@recipient.example")]
    [InlineData("mailto:%3Cx%3E@recipient.example")]
    [InlineData("mailto:x%40evil.example@recipient.example")]
    [InlineData("mailto:recipient.example")]
    public async Task RPT_3_i_Mailto_UnusableAddress_IsFailed_AndNeverReachesTheMailer(string uri)
    {
        var mailer = new RecordingMailer();
        using var sender = Sender(new ScriptedHandler(HttpStatusCode.OK), mailer: mailer);

        var attempt = Assert.Single((await sender.SendAsync(Report(), Record(uri))).Attempts);

        Assert.Equal(TlsReportDeliveryStatus.Failed, attempt.Status);
        Assert.Equal(TlsReportDeliveryReasons.InvalidMailto, attempt.ReasonCode);
        Assert.Empty(mailer.Calls);
    }

    [Fact]
    public async Task RPT_5_5_a_Mailto_TransientMailerFailure_IsRetried_PermanentIsNot()
    {
        var transient = new RecordingMailer { Fail = new TlsReportDeliveryException("mail-connect-failed", "refused", isTransient: true), FailTimes = 1 };
        var permanent = new RecordingMailer { Fail = new TlsReportDeliveryException("mail-recipient-rejected", "550 no such user", isTransient: false), FailTimes = 99 };

        using (var sender = Sender(new ScriptedHandler(HttpStatusCode.OK), mailer: transient))
        {
            var attempt = Assert.Single((await sender.SendAsync(Report(), Record("mailto:tlsrpt@recipient.example"))).Attempts);
            Assert.Equal(TlsReportDeliveryStatus.Delivered, attempt.Status);
            Assert.Equal(2, attempt.Tries);
        }

        using (var sender = Sender(new ScriptedHandler(HttpStatusCode.OK), mailer: permanent))
        {
            var attempt = Assert.Single((await sender.SendAsync(Report(), Record("mailto:tlsrpt@recipient.example"))).Attempts);
            Assert.Equal(TlsReportDeliveryStatus.Failed, attempt.Status);
            Assert.Equal("mail-recipient-rejected", attempt.ReasonCode);
            Assert.Equal(1, attempt.Tries);
            Assert.False(attempt.IsTransient);
        }
    }

    [Fact]
    public async Task R_12_MailerThrowingAnythingElse_GivesMailError_WithoutExceptionText()
    {
        var mailer = new RecordingMailer { Fail = new InvalidOperationException("secret path /etc/passwd"), FailTimes = 99 };
        using var sender = Sender(new ScriptedHandler(HttpStatusCode.OK), Fast(attempts: 1), mailer);

        var result = await sender.SendAsync(Report(), Record("mailto:tlsrpt@recipient.example"));

        var attempt = Assert.Single(result.Attempts);
        Assert.Equal(TlsReportDeliveryReasons.MailError, attempt.ReasonCode);
        Assert.DoesNotContain("passwd", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_CountOnePerEndpoint_WithMethodAndOutcome_NoDomain()
    {
        using var meters = new TestMeterFactory();
        using var collector = new MetricCollector<long>(meters, MtaStsTelemetry.MeterName, MtaStsTelemetry.TlsRptDeliveries);
        using var sender = Sender(new ScriptedHandler(HttpStatusCode.OK, HttpStatusCode.OK), Fast(attempts: 1), meters: meters);

        await sender.SendAsync(Report(), Record("https://reports.recipient.example/", "mailto:tlsrpt@recipient.example"));

        var measurements = collector.GetMeasurementSnapshot();
        Assert.Equal(2, measurements.Count);
        Assert.Contains(measurements, m => (string?)m.Tags["mtasts.tlsrpt.delivery.method"] == "https" && (string?)m.Tags["mtasts.tlsrpt.delivery.outcome"] == "delivered");
        Assert.Contains(measurements, m => (string?)m.Tags["mtasts.tlsrpt.delivery.method"] == "mailto" && (string?)m.Tags["mtasts.tlsrpt.delivery.outcome"] == "skipped");
        Assert.DoesNotContain(measurements.SelectMany(m => m.Tags.Values), v => v is string s && s.Contains("example", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_OutOfRange_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TlsReportSender(new TlsReportDeliveryOptions { MaxAttempts = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TlsReportSender(new TlsReportDeliveryOptions { HttpsTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TlsReportSender(new TlsReportDeliveryOptions { InitialRetryDelay = TimeSpan.FromSeconds(10), MaxRetryDelay = TimeSpan.FromSeconds(1) }));
    }

    [Fact]
    public void R_14_Submitter_IsTheFileNamesSender()
    {
        var report = Report();
        Assert.Equal("mail.sender.example", report.Submitter);
        Assert.StartsWith(report.Submitter + "!", report.FileName, StringComparison.Ordinal);
    }

    internal sealed record SeenRequest(HttpMethod Method, Uri Uri, string? ContentType, bool ConnectionClose, byte[] Body);

    /// <summary>Answers with the scripted statuses in turn (the last repeats), or by a function of the request.</summary>
    internal sealed class ScriptedHandler : HttpMessageHandler
    {
        private readonly Func<HttpRequestMessage, HttpStatusCode> _answer;
        private readonly object _gate = new();
        private readonly List<SeenRequest> _requests = [];

        public ScriptedHandler(params HttpStatusCode[] statuses)
        {
            var next = 0;
            _answer = _ => statuses[Math.Min(Interlocked.Increment(ref next) - 1, statuses.Length - 1)];
        }

        public ScriptedHandler(Func<HttpRequestMessage, HttpStatusCode> answer) => _answer = answer;

        public bool Hang { get; init; }

        public IReadOnlyList<SeenRequest> Requests
        {
            get { lock (_gate) { return [.. _requests]; } }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            lock (_gate)
            {
                _requests.Add(new SeenRequest(request.Method, request.RequestUri!, request.Content?.Headers.ContentType?.ToString(), request.Headers.ConnectionClose == true, body));
            }

            if (Hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return new HttpResponseMessage(_answer(request)) { Content = new ByteArrayContent([]) };
        }
    }

    internal sealed class RecordingMailer : ITlsReportMailer
    {
        private readonly List<string[]> _calls = [];
        private int _failures;

        public Exception? Fail { get; init; }

        public int FailTimes { get; init; }

        public IReadOnlyList<string[]> Calls
        {
            get { lock (_calls) { return [.. _calls]; } }
        }

        public Task SendAsync(TlsReport report, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
        {
            lock (_calls)
            {
                _calls.Add([.. recipients]);
            }

            if (Fail is not null && Interlocked.Increment(ref _failures) <= FailTimes)
            {
                throw Fail;
            }

            return Task.CompletedTask;
        }
    }
}
