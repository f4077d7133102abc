using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using static MtaSts.Tests.Reporting.ReportingFixtures;
using static MtaSts.Tests.Reporting.TlsReportCountsFormatTests;

namespace MtaSts.Tests.Reporting.Stores;

/// <summary>The file report store: adds merge, processes share a directory, a restart reads what was stored.</summary>
public sealed class FileTlsReportStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mtasts-rpt-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private FileTlsReportStore Store(FakeLogger? logger = null) => new(_directory, timeProvider: _clock, logger: logger);

    [Fact]
    public async Task Add_Twice_MergesByAdding_AndANewInstanceReadsIt()
    {
        await Store().AddAsync(MixedDay());
        await Store().AddAsync(MixedDay());

        var read = await Store().GetAsync(Day, "recipient.example");

        var doubled = new TlsReportAggregator();
        doubled.Merge(MixedDay());
        doubled.Merge(MixedDay());
        Assert.Equal(Describe(doubled.Snapshot(Day, "recipient.example")!), Describe(read!));
        Assert.Equal(["recipient.example"], await Store().GetDomainsAsync(Day));
        Assert.Empty(await Store().GetDomainsAsync(Day.AddDays(1)));
        Assert.Null(await Store().GetAsync(Day, "other.example"));
    }

    [Fact]
    public async Task ConcurrentAdds_FromManyWriters_LoseNoCount()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => Store()).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            var one = new TlsReportAggregator();
            one.AddSuccess(Day, "recipient.example", StsPolicy(), 1);
            await stores[i % stores.Length].AddAsync(one.Snapshot()[0]);
        })));

        var read = await Store().GetAsync(Day, "recipient.example");
        Assert.Equal(40, Assert.Single(read!.Policies).SuccessfulSessions);
    }

    [Fact]
    public async Task TryMarkSent_IsTrueOnce_ForAnyNumberOfCallers()
    {
        await Store().AddAsync(MixedDay());
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Store().TryMarkSentAsync(Day, "recipient.example"))));

        Assert.Equal(1, results.Count(r => r));
        Assert.True(await Store().TryMarkSentAsync(Day, "other.example"));
        Assert.True(await Store().RemoveAsync(Day, "recipient.example"));
        Assert.Null(await Store().GetAsync(Day, "recipient.example"));
        Assert.True(await Store().TryMarkSentAsync(Day, "recipient.example"));
    }

    [Fact]
    public async Task AnUnreadableFile_IsIgnoredWithAWarning_AndTheNextAddReplacesIt()
    {
        var logger = new FakeLogger();
        var store = Store(logger);
        await store.AddAsync(MixedDay());
        await File.WriteAllTextAsync(store.GetPath(Day, "recipient.example"), "{\"format\":\"mta-sts-tlsrpt-counts\",\"version\":1,\"day\":");

        Assert.Null(await store.GetAsync(Day, "recipient.example"));
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Message.Contains("not well-formed", StringComparison.Ordinal));

        await store.AddAsync(MixedDay());
        Assert.Equal(Describe(MixedDay()), Describe((await store.GetAsync(Day, "recipient.example"))!));
    }

    [Fact]
    public async Task AFileHoldingAnotherDomain_IsNotReadForThisOne()
    {
        var store = Store();
        await store.AddAsync(MixedDay());
        var other = store.GetPath(Day, "other.example");
        File.Copy(store.GetPath(Day, "recipient.example"), other);

        Assert.Null(await store.GetAsync(Day, "other.example"));
        Assert.Equal(["recipient.example"], await store.GetDomainsAsync(Day));
    }

    [Fact]
    public async Task DayFolders_OlderThanTheRetention_GoWhenANewDayStarts()
    {
        var store = Store();
        await store.AddAsync(MixedDay()); // 2026-03-01
        _clock.Advance(TimeSpan.FromDays(9));
        var later = new TlsReportAggregator();
        later.AddSuccess(DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime), "recipient.example", StsPolicy());
        await store.AddAsync(later.Snapshot()[0]);

        Assert.Null(await store.GetAsync(Day, "recipient.example"));
        Assert.False(Directory.Exists(Path.Combine(_directory, "2026-03-01")));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FileTlsReportStore(_directory, TimeSpan.FromDays(1)));
    }
}
