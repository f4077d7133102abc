using DnsClient;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MtaSts.Tests.Fakes;
using static MtaSts.Tests.Fakes.FakeDnsQuery;
using static MtaSts.Tests.Reporting.ReportingFixtures;
using static MtaSts.Tests.Reporting.TlsReportCountsFormatTests;

namespace MtaSts.Tests.Reporting;

/// <summary>The recorder: counts in memory, flushes to the store on a timer and on dispose, keeps what the store refused.</summary>
public sealed class TlsReportRecorderTests : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mtasts-rec-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _clock = new(Noon);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private FileTlsReportStore Store() => new(_directory, timeProvider: _clock);

    private TlsReportRecorder Recorder(ITlsReportStore store, ITlsRptRecordDiscoverer? records = null) =>
        new(store, records, new TlsReportRecorderOptions { RequireTlsRptRecord = records is not null, FlushInterval = TimeSpan.FromMinutes(1) }, _clock);

    private static TlsSession Failure(string domain = "recipient.example") => new(domain, StsPolicy(), CertificateExpired());

    private static TlsSession Success(string domain = "recipient.example") => new(domain, StsPolicy());

    [Fact]
    public async Task Sessions_AreCountedPerDayDomainPolicyAndFailure_AndFlushedToTheStore()
    {
        var store = Store();
        await using var recorder = Recorder(store);
        recorder.Record(Success());
        recorder.Record(Success("RECIPIENT.example."));
        recorder.Record(Failure());
        recorder.Record(new TlsSession("recipient.example", TlsaPolicy()) { Time = Noon.AddDays(-1) });
        Assert.Equal(2, recorder.PendingReports);

        Assert.Equal(2, await recorder.FlushAsync());

        Assert.Equal(0, recorder.PendingReports);
        var today = await store.GetAsync(Day, "recipient.example");
        var sts = Assert.Single(today!.Policies);
        Assert.Equal((2, 1), (sts.SuccessfulSessions, sts.FailedSessions));
        Assert.Equal(CertificateExpired(), Assert.Single(sts.Failures).Failure);
        Assert.Equal(1, Assert.Single((await store.GetAsync(Day.AddDays(-1), "recipient.example"))!.Policies).SuccessfulSessions);
    }

    [Fact(DisplayName = "RFC 8460 §4 (decision R-2): a session of a domain with DANE and RequireMtaSts counts under both policies")]
    public async Task R_2_ASessionAlsoUnderTheStsPolicy_CountsUnderBoth()
    {
        var store = Store();
        await using var recorder = Recorder(store);
        recorder.Record(new TlsSession("recipient.example", TlsaPolicy(), CertificateExpired()) { AlsoUnder = StsPolicy() });
        await recorder.FlushAsync();

        var counts = (await store.GetAsync(Day, "recipient.example"))!;
        Assert.Equal(2, counts.Policies.Count);
        Assert.All(counts.Policies, p => Assert.Equal(1, p.FailedSessions));
    }

    [Fact]
    public async Task TheTimer_FlushesEveryInterval()
    {
        var store = Store();
        await using var recorder = Recorder(store);
        recorder.Record(Success());

        _clock.Advance(TimeSpan.FromMinutes(1));

        await WaitUntilAsync(async () => await store.GetAsync(Day, "recipient.example") is not null);
        Assert.Equal(0, recorder.PendingReports);
    }

    [Fact]
    public async Task ARestart_BetweenRecordAndBuild_LosesNothingFlushed()
    {
        await using (var recorder = Recorder(Store()))
        {
            recorder.Record(Success());
            recorder.Record(Failure());
            await recorder.FlushAsync();
            recorder.Record(Success()); // flushed by dispose
        }

        // A new process: a new store object on the same directory, and the report is built from it.
        var counts = await Store().GetAsync(Day, "recipient.example");
        var report = Assert.Single(new TlsReportBuilder(Options()).Build(counts!));
        var read = TlsReportReader.Read(report.ToGzip());
        Assert.Equal(2, read.Report!.TotalSuccessfulSessionCount);
        Assert.Equal(1, read.Report.TotalFailureSessionCount);
    }

    [Fact]
    public async Task CountsTheStoreRefuses_StayInMemory_AndGoWithTheNextFlush()
    {
        var store = new FlakyStore(Store()) { FailuresLeft = 1 };
        await using var recorder = Recorder(store);
        recorder.Record(Success());

        Assert.Equal(0, await recorder.FlushAsync());
        Assert.Equal(1, recorder.PendingReports);

        recorder.Record(Success());
        Assert.Equal(1, await recorder.FlushAsync());
        Assert.Equal(2, Assert.Single((await store.GetAsync(Day, "recipient.example"))!.Policies).SuccessfulSessions);
    }

    [Fact]
    public async Task MaxPendingReports_BoundsMemory_WhileTheStoreIsDown()
    {
        var store = new FlakyStore(Store()) { FailuresLeft = int.MaxValue };
        await using var recorder = new TlsReportRecorder(store, null, new TlsReportRecorderOptions { RequireTlsRptRecord = false, MaxPendingReports = 3 }, _clock);
        for (var i = 0; i < 10; i++)
        {
            recorder.Record(Success($"d{i}.example"));
        }

        recorder.Record(Success("d0.example")); // a report already held still counts
        Assert.Equal(3, recorder.PendingReports);
        await recorder.FlushAsync();
        Assert.Equal(3, recorder.PendingReports);
    }

    [Fact(DisplayName = "RFC 8460 §3 (decision R-10): counts are kept only for domains that publish a usable TLS-RPT record; a DNS failure keeps them")]
    public async Task R_10_OnlyDomainsWithAUsableRecord_AreStored()
    {
        var dns = new FakeDnsQuery()
            .Answer("_smtp._tls.wants.example", QueryType.TXT, Txt("_smtp._tls.wants.example", 300, "v=TLSRPTv1; rua=mailto:tlsrpt@wants.example"))
            .NxDomain("_smtp._tls.silent.example", QueryType.TXT)
            .Answer("_smtp._tls.invalid.example", QueryType.TXT, Txt("_smtp._tls.invalid.example", 300, "v=TLSRPTv1; rua=ftp://x.example"))
            .Rcode("_smtp._tls.broken.example", QueryType.TXT, DnsHeaderResponseCode.ServerFailure);
        var store = Store();
        await using var recorder = Recorder(store, new TlsRptRecordDiscoverer(dns, _clock, NullLogger.Instance));
        foreach (var domain in new[] { "wants.example", "silent.example", "invalid.example", "broken.example" })
        {
            recorder.Record(Success(domain));
        }

        Assert.Equal(2, await recorder.FlushAsync());

        Assert.Equal(["broken.example", "wants.example"], await store.GetDomainsAsync(Day));
    }

    [Fact]
    public async Task Record_RefusesWhatIsNotASession()
    {
        await using var recorder = Recorder(Store());
        Assert.Throws<ArgumentException>(() => recorder.Record(new TlsSession("", StsPolicy())));
        Assert.Throws<ArgumentNullException>(() => recorder.Record(new TlsSession("a.example", null!)));
        Assert.ThrowsAny<ArgumentException>(() => recorder.Record(new TlsSession("not a domain", StsPolicy())));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TlsReportRecorder(Store(), null, new TlsReportRecorderOptions { RequireTlsRptRecord = false, FlushInterval = TimeSpan.Zero }));
        Assert.Throws<ArgumentException>(() => new TlsReportRecorder(Store(), null));
    }

    [Theory(DisplayName = "RFC 8460 §4.4 (decision R-8): sending-mta-ip is the session's address, a configured public one, or left out")]
    [InlineData(TlsRptSendingIpMode.LocalAddress, "198.51.100.10")]
    [InlineData(TlsRptSendingIpMode.Configured, "192.0.2.25")]
    [InlineData(TlsRptSendingIpMode.Omitted, null)]
    public async Task R_8_SendingMtaIp_FollowsTheOption(TlsRptSendingIpMode mode, string? expected)
    {
        var store = Store();
        var options = new TlsReportRecorderOptions
        {
            RequireTlsRptRecord = false,
            SendingMtaIp = mode,
            PublicSendingAddress = mode == TlsRptSendingIpMode.Configured ? System.Net.IPAddress.Parse("192.0.2.25") : null,
        };
        await using (var recorder = new TlsReportRecorder(store, null, options, _clock))
        {
            recorder.Record(Failure()); // the session's own address is 198.51.100.10
        }

        var report = Assert.Single(new TlsReportBuilder(Options()).Build((await store.GetAsync(Day, "recipient.example"))!));
        var detail = Assert.Single(Assert.Single(report.Document.Policies).FailureDetails);
        Assert.Equal(expected, detail.SendingMtaIp);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TlsReportRecorder(store, null, new TlsReportRecorderOptions { RequireTlsRptRecord = false, SendingMtaIp = TlsRptSendingIpMode.Configured }));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail("the condition did not hold within 5 s");
    }

    /// <summary>A store that throws on its next <see cref="FailuresLeft"/> adds.</summary>
    private sealed class FlakyStore(ITlsReportStore inner) : ITlsReportStore
    {
        public int FailuresLeft { get; set; }

        public Task AddAsync(TlsReportCounts counts, CancellationToken cancellationToken = default) =>
            FailuresLeft-- > 0 ? throw new IOException("disk full") : inner.AddAsync(counts, cancellationToken);

        public Task<TlsReportCounts?> GetAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default) => inner.GetAsync(day, reportDomain, cancellationToken);

        public Task<IReadOnlyList<string>> GetDomainsAsync(DateOnly day, CancellationToken cancellationToken = default) => inner.GetDomainsAsync(day, cancellationToken);

        public Task<bool> TryMarkSentAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default) => inner.TryMarkSentAsync(day, reportDomain, cancellationToken);

        public Task<bool> RemoveAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default) => inner.RemoveAsync(day, reportDomain, cancellationToken);
    }
}
