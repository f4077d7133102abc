using System.Net;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using MtaSts.Reporting;
using MtaSts.Tests.Fakes;
using static MtaSts.Tests.Reporting.Delivery.TlsReportSenderTests;
using static MtaSts.Tests.Reporting.ReportingFixtures;

namespace MtaSts.Tests.Reporting.Scheduling;

/// <summary>The scheduler: R-10 at send time, the sent mark before delivery, the random delay, and later tries within the window.</summary>
public sealed class TlsReportSchedulerTests : IDisposable
{
    private const string Endpoint = "https://reports.recipient.example/v1";

    private static readonly DateTimeOffset LateEvening = new(2026, 3, 1, 23, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mtasts-sched-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _clock = new(LateEvening);
    private readonly Records _records = new();

    public TlsReportSchedulerTests() => _records.Publish("recipient.example", "v=TLSRPTv1; rua=" + Endpoint);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private FileTlsReportStore Store() => new(_directory, timeProvider: _clock);

    private static TlsReportSender Sender(ScriptedHandler handler) =>
        new(new TlsReportDeliveryOptions { MaxAttempts = 1 }, null, TimeProvider.System, null, null, handler);

    private TlsReportScheduler Scheduler(ITlsReportStore store, TlsReportSender sender, TlsReportSchedulerOptions? options = null, System.Diagnostics.Metrics.IMeterFactory? meters = null) =>
        new(store, _records, sender, Options(), options ?? new TlsReportSchedulerOptions(), _clock, meterFactory: meters);

    private static async Task<FileTlsReportStore> WithCountsAsync(FileTlsReportStore store, params string[] domains)
    {
        foreach (var domain in domains)
        {
            var aggregator = new TlsReportAggregator();
            aggregator.AddSuccess(Day, domain, TlsRptPolicy.NoPolicyFound(domain), 5);
            aggregator.AddFailure(Day, domain, TlsRptPolicy.NoPolicyFound(domain), CertificateExpired(), 2);
            await store.AddAsync(aggregator.Snapshot(Day, domain)!);
        }

        return store;
    }

    [Fact(DisplayName = "RFC 8460 §5: a day is built, marked and delivered; sending it again sends nothing")]
    public async Task SendDay_DeliversEachDomain_OnceOnly()
    {
        var store = await WithCountsAsync(Store(), "recipient.example");
        var handler = new ScriptedHandler(HttpStatusCode.OK);
        using var sender = Sender(handler);
        await using var scheduler = Scheduler(store, sender);

        var result = Assert.Single(await scheduler.SendDayAsync(Day));

        Assert.Equal(TlsReportSendStatus.Delivered, result.Status);
        Assert.Equal("recipient.example", result.ReportDomain);
        Assert.False(result.IsTransient);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(new Uri(Endpoint), request.Uri);
        var read = TlsReportReader.Read(request.Body);
        Assert.Equal((5, 2), (read.Report!.TotalSuccessfulSessionCount, read.Report.TotalFailureSessionCount));
        Assert.Equal(result.Deliveries.Single().ReportId, read.Report.ReportId);

        Assert.Equal(TlsReportSendStatus.AlreadySent, Assert.Single(await scheduler.SendDayAsync(Day)).Status);
        Assert.Single(handler.Requests);

        Assert.Equal(TlsReportSendStatus.Delivered, Assert.Single(await scheduler.SendDayAsync(Day, resend: true)).Status);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(request.Body, handler.Requests[1].Body); // the same report, byte for byte (decision R-14)
    }

    [Fact(DisplayName = "RFC 8460 §3 (decision R-10): a domain whose record is gone at send time gets nothing, and its counts are dropped")]
    public async Task R_10_RecordGoneAtSendTime_DropsTheCounts_SendsNothing()
    {
        var store = await WithCountsAsync(Store(), "recipient.example", "quiet.example", "two.example");
        _records.Publish("two.example", "v=TLSRPTv1; rua=" + Endpoint, "v=TLSRPTv1; rua=mailto:x@two.example");
        var handler = new ScriptedHandler(HttpStatusCode.OK);
        using var sender = Sender(handler);
        await using var scheduler = Scheduler(store, sender);

        var results = await scheduler.SendDayAsync(Day);

        Assert.Equal(
            [("quiet.example", TlsReportSendStatus.RecordGone), ("recipient.example", TlsReportSendStatus.Delivered), ("two.example", TlsReportSendStatus.RecordGone)],
            results.Select(r => (r.ReportDomain, r.Status)));
        Assert.Single(handler.Requests);
        Assert.Null(await store.GetAsync(Day, "quiet.example"));
        Assert.Null(await store.GetAsync(Day, "two.example"));
    }

    [Fact]
    public async Task ADnsFailureAtSendTime_MarksNothing_SoALaterSendDelivers()
    {
        var store = await WithCountsAsync(Store(), "recipient.example");
        _records.Fail("recipient.example");
        var handler = new ScriptedHandler(HttpStatusCode.OK);
        using var sender = Sender(handler);
        await using var scheduler = Scheduler(store, sender);

        var failed = Assert.Single(await scheduler.SendDayAsync(Day));
        Assert.Equal(TlsReportSendStatus.RecordLookupFailed, failed.Status);
        Assert.True(failed.IsTransient);
        Assert.Empty(handler.Requests);
        Assert.NotNull(await store.GetAsync(Day, "recipient.example"));

        _records.Publish("recipient.example", "v=TLSRPTv1; rua=" + Endpoint);
        Assert.Equal(TlsReportSendStatus.Delivered, Assert.Single(await scheduler.SendDayAsync(Day)).Status);
    }

    [Fact]
    public async Task ABrokenStore_IsAResult_NotAnException_AndMarksNothing()
    {
        var store = await WithCountsAsync(Store(), "recipient.example");
        var broken = new ThrowingGetStore(store);
        var handler = new ScriptedHandler(HttpStatusCode.OK);
        using var sender = Sender(handler);
        await using var scheduler = Scheduler(broken, sender);

        var result = Assert.Single(await scheduler.SendDayAsync(Day));

        Assert.Equal(TlsReportSendStatus.StoreFailed, result.Status);
        Assert.True(result.IsTransient);
        Assert.Empty(handler.Requests);
        Assert.True(await store.TryMarkSentAsync(Day, "recipient.example")); // no mark was set
    }

    [Fact(DisplayName = "RFC 8460 §5 (decision R-3): counts that make no report send nothing and set no mark")]
    public async Task R_3_SuccessOnlyReportsOff_NothingToReport()
    {
        var store = Store();
        var aggregator = new TlsReportAggregator();
        aggregator.AddSuccess(Day, "recipient.example", StsPolicy(), 9);
        await store.AddAsync(aggregator.Snapshot(Day, "recipient.example")!);
        var handler = new ScriptedHandler(HttpStatusCode.OK);
        using var sender = Sender(handler);
        await using var scheduler = new TlsReportScheduler(store, _records, sender, Options(successOnly: false), timeProvider: _clock);

        Assert.Equal(TlsReportSendStatus.NothingToReport, Assert.Single(await scheduler.SendDayAsync(Day)).Status);
        Assert.Empty(handler.Requests);
        Assert.True(await store.TryMarkSentAsync(Day, "recipient.example"));
    }

    [Fact(DisplayName = "A fleet: schedulers of several nodes on one store send each report once")]
    public async Task AFleet_OnOneStore_SendsEachReportOnce()
    {
        await WithCountsAsync(Store(), "recipient.example", "b.example", "c.example");
        _records.Publish("b.example", "v=TLSRPTv1; rua=" + Endpoint);
        _records.Publish("c.example", "v=TLSRPTv1; rua=" + Endpoint);
        var handler = new ScriptedHandler(HttpStatusCode.OK);
        using var sender = Sender(handler);
        var schedulers = Enumerable.Range(0, 4).Select(_ => Scheduler(Store(), sender)).ToArray();

        var results = (await Task.WhenAll(schedulers.Select(s => s.SendDayAsync(Day)))).SelectMany(r => r).ToArray();

        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal(3, results.Count(r => r.Status == TlsReportSendStatus.Delivered));
        Assert.Equal(9, results.Count(r => r.Status == TlsReportSendStatus.AlreadySent));
        foreach (var scheduler in schedulers)
        {
            await scheduler.DisposeAsync();
        }
    }

    [Fact(DisplayName = "RFC 8460 §4.1 (RPT-4.1-a): the hosted scheduler sends a finished day after the delay, not before")]
    public async Task RPT_4_1_a_HostedScheduler_SendsTheFinishedDay_AfterTheDelay()
    {
        var store = await WithCountsAsync(Store(), "recipient.example");
        var handler = new ScriptedHandler(HttpStatusCode.OK);
        using var sender = Sender(handler);
        await using var scheduler = Scheduler(store, sender, new TlsReportSchedulerOptions { MinSendDelay = TimeSpan.FromHours(2), MaxSendDelay = TimeSpan.FromHours(2) });

        await scheduler.StartAsync(CancellationToken.None); // at 23:00 of Day: the day before is sent at once (nothing in it), Day at 02:00
        _clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(59));
        await Task.Delay(200);
        Assert.Empty(handler.Requests);

        _clock.Advance(TimeSpan.FromMinutes(2));
        await WaitUntilAsync(() => handler.Requests.Count == 1);
        Assert.Equal("recipient.example", TlsReportReader.Read(handler.Requests[0].Body).Report!.Policies[0].Policy.PolicyDomain);
        await scheduler.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void TheDrawnDelay_StaysWithinTheRange_AndVaries()
    {
        using var sender = Sender(new ScriptedHandler(HttpStatusCode.OK));
        var scheduler = Scheduler(Store(), sender);
        var delays = Enumerable.Range(0, 200).Select(_ => scheduler.DrawSendDelay()).ToArray();

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromSeconds(1), TimeSpan.FromHours(4)));
        Assert.True(delays.Distinct().Count() > 150);
        Assert.Equal(new DateOnly(2026, 2, 28), TlsReportScheduler.FirstDay(new DateTimeOffset(2026, 3, 1, 0, 0, 1, TimeSpan.Zero)));
    }

    [Fact(DisplayName = "RFC 8460 §5.5 (RPT-5.5-a): a report that reached no endpoint is tried again later, only where the failure may pass")]
    public async Task RPT_5_5_a_LaterTries_GoOnlyToTransientEndpoints_UntilDelivered()
    {
        const string Permanent = "https://gone.recipient.example/";
        _records.Publish("recipient.example", $"v=TLSRPTv1; rua={Permanent},{Endpoint}");
        var store = await WithCountsAsync(Store(), "recipient.example");
        var transientTries = 0;
        var handler = new ScriptedHandler(request => request.RequestUri!.Host.StartsWith("gone", StringComparison.Ordinal)
            ? HttpStatusCode.NotFound
            : Interlocked.Increment(ref transientTries) < 3 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK);
        using var sender = Sender(handler);
        await using var scheduler = Scheduler(store, sender, NoDelay());

        await scheduler.StartAsync(CancellationToken.None);
        await RunClockUntilAsync(() => handler.Requests.Count(r => r.Uri.Host.StartsWith("reports", StringComparison.Ordinal)) == 3, TimeSpan.FromHours(3));
        await scheduler.StopAsync(CancellationToken.None);

        Assert.Single(handler.Requests, r => r.Uri.Host.StartsWith("gone", StringComparison.Ordinal));
        Assert.Single(handler.Requests.Select(r => Convert.ToBase64String(r.Body)).Distinct()); // every try sends the same bytes
        Assert.Equal(TlsReportSendStatus.AlreadySent, Assert.Single(await scheduler.SendDayAsync(Day)).Status);
    }

    [Fact(DisplayName = "RFC 8460 §5.5 (RPT-5.5-a): later tries stop at the end of the retry window")]
    public async Task RPT_5_5_a_LaterTries_StopAtTheEndOfTheWindow()
    {
        var store = await WithCountsAsync(Store(), "recipient.example");
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable);
        using var sender = Sender(handler);
        var options = NoDelay();
        options.RetryWindow = TimeSpan.FromMinutes(100); // tries at 0, 15 and 45 minutes; the next would be at 105
        await using var scheduler = Scheduler(store, sender, options);

        await scheduler.StartAsync(CancellationToken.None);
        await RunClockUntilAsync(() => false, TimeSpan.FromHours(4));
        await scheduler.StopAsync(CancellationToken.None);

        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task ReportsBuilt_AreCounted()
    {
        var store = await WithCountsAsync(Store(), "recipient.example");
        using var meters = new TestMeterFactory();
        using var collector = new MetricCollector<long>(meters, MtaStsTelemetry.MeterName, MtaStsTelemetry.TlsRptReports);
        using var sender = Sender(new ScriptedHandler(HttpStatusCode.OK));
        await using var scheduler = Scheduler(store, sender, meters: meters);

        await scheduler.SendDayAsync(Day);

        Assert.Equal(1, collector.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.All(collector.GetMeasurementSnapshot(), m => Assert.Empty(m.Tags));
    }

    [Theory]
    [InlineData(-1, 0, 24 * 60, 15, 1)]
    [InlineData(0, 21 * 60, 24 * 60, 15, 1)]
    [InlineData(0, 60, 24 * 60, 0, 1)]
    [InlineData(0, 60, 24 * 60, 15, 0)]
    [InlineData(0, 60, 24 * 60, 15, 65)]
    [InlineData(0, 60, 4 * 24 * 60, 15, 1)]
    public void Options_OutOfRange_AreRefused(int minMinutes, int maxMinutes, int windowMinutes, int retryMinutes, int concurrency)
    {
        using var sender = Sender(new ScriptedHandler(HttpStatusCode.OK));
        var options = new TlsReportSchedulerOptions
        {
            MinSendDelay = TimeSpan.FromMinutes(minMinutes),
            MaxSendDelay = TimeSpan.FromMinutes(maxMinutes),
            RetryWindow = TimeSpan.FromMinutes(windowMinutes),
            InitialRetryInterval = TimeSpan.FromMinutes(retryMinutes),
            MaxConcurrentDomains = concurrency,
        };
        Assert.Throws<ArgumentOutOfRangeException>(() => Scheduler(Store(), sender, options));
    }

    private static TlsReportSchedulerOptions NoDelay() => new() { MinSendDelay = TimeSpan.Zero, MaxSendDelay = TimeSpan.Zero };

    /// <summary>Moves the fake clock on in small steps (as a fast real clock would) until the condition holds or the span has passed.</summary>
    private async Task RunClockUntilAsync(Func<bool> condition, TimeSpan span)
    {
        var end = _clock.GetUtcNow() + span;
        while (!condition() && _clock.GetUtcNow() < end)
        {
            _clock.Advance(TimeSpan.FromSeconds(20));
            await Task.Delay(2);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition(), "the condition did not hold within 5 s");
    }

    /// <summary>TLS-RPT records by domain: published texts, a DNS failure, or nothing.</summary>
    private sealed class Records : ITlsRptRecordDiscoverer
    {
        private readonly Dictionary<string, string[]?> _texts = [];

        public void Publish(string domain, params string[] texts)
        {
            lock (_texts)
            {
                _texts[domain] = texts;
            }
        }

        public void Fail(string domain)
        {
            lock (_texts)
            {
                _texts[domain] = null;
            }
        }

        public Task<TlsRptDiscoveryResult> DiscoverAsync(string domain, CancellationToken cancellationToken = default)
        {
            lock (_texts)
            {
                if (!_texts.TryGetValue(domain, out var texts))
                {
                    return Task.FromResult(new TlsRptDiscoveryResult(domain, TlsRptRecordStatus.NotFound, null, TimeSpan.FromMinutes(5), "no record"));
                }

                if (texts is null)
                {
                    return Task.FromResult(new TlsRptDiscoveryResult(domain, TlsRptRecordStatus.DnsFailure, null, TimeSpan.Zero, "SERVFAIL"));
                }

                var parsed = TlsRptRecordParser.Select(texts);
                var status = texts.Length > 1 ? TlsRptRecordStatus.MultipleRecords : parsed.Record is null ? TlsRptRecordStatus.Invalid : TlsRptRecordStatus.Found;
                return Task.FromResult(new TlsRptDiscoveryResult(domain, status, parsed, TimeSpan.FromMinutes(5), null));
            }
        }
    }

    private sealed class ThrowingGetStore(ITlsReportStore inner) : ITlsReportStore
    {
        public Task AddAsync(TlsReportCounts counts, CancellationToken cancellationToken = default) => inner.AddAsync(counts, cancellationToken);

        public Task<TlsReportCounts?> GetAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default) => throw new IOException("disk gone");

        public Task<IReadOnlyList<string>> GetDomainsAsync(DateOnly day, CancellationToken cancellationToken = default) => inner.GetDomainsAsync(day, cancellationToken);

        public Task<bool> TryMarkSentAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default) => inner.TryMarkSentAsync(day, reportDomain, cancellationToken);

        public Task<bool> RemoveAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default) => inner.RemoveAsync(day, reportDomain, cancellationToken);
    }
}
