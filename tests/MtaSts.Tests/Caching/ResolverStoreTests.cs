using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MtaSts.Diagnostics;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Caching;

/// <summary>
/// The resolver with a policy store: read-through and write-through, restart and fleet, the shared back-off, and a
/// store that fails, hangs or lies (decisions S-1 … S-4), on fakes and a fake clock.
/// </summary>
public sealed class ResolverStoreTests : IDisposable
{
    private const string Domain = ResolverHarness.Domain;
    private readonly InMemoryPolicyStore _store = new();
    private readonly List<ResolverHarness> _harnesses = [];

    public void Dispose()
    {
        foreach (var harness in _harnesses)
        {
            harness.Dispose();
        }
    }

    [Fact]
    public async Task S_1_WriteThrough_AFetchedPolicyIsStoredAsPlainFacts()
    {
        var h = Node();
        h.Publish("id1", ResolverHarness.Policy(maxAge: 86400));

        var result = await h.ResolveAsync();

        var stored = _store[Domain]!;
        Assert.Equal("id1", stored.RecordId);
        Assert.Equal(ResolverHarness.Policy(maxAge: 86400), stored.PolicyText);
        Assert.Equal(result.FetchedAt, stored.FetchedAt);
        Assert.Equal(result.ExpiresAt, stored.ExpiresAt);
        Assert.Null(stored.Backoff);
        Assert.Contains("id=id1", stored.RecordText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task S_2_ReadThrough_AMissInMemoryReadsTheStore_AndAStoredPolicyForTheSameIdNeedsNoFetch()
    {
        var first = Node();
        first.Publish("id1", ResolverHarness.Policy());
        var fetched = await first.ResolveAsync();

        var second = Node();
        second.Discoverer.Found(Domain, "id1");
        var result = await second.ResolveAsync();

        Assert.Equal(0, second.Fetcher.CallCount);
        Assert.Equal(PolicySource.Cache, result.Source);
        Assert.Equal(MtaStsMode.Enforce, result.Policy!.Mode);
        Assert.Equal(fetched.FetchedAt, result.FetchedAt);
        Assert.Equal(fetched.ExpiresAt, result.ExpiresAt); // the lifetime did not restart
        Assert.True(second.Resolver.CachedDomainCount == 1);

        // Warm in memory now: the store is not asked again.
        var gets = _store.Gets;
        await second.ResolveAsync();
        Assert.Equal(gets, _store.Gets);
    }

    [Fact]
    public async Task STS_3_3_m_Restart_AFreshResolverOnTheSameStore_WithDnsAndHttpsFailing_AppliesTheEnforcePolicy()
    {
        var before = Node();
        before.Publish("id1", ResolverHarness.Policy("enforce"));
        await before.ResolveAsync();
        before.Dispose();
        _harnesses.Remove(before);

        var after = Node();
        after.Discoverer.DnsFailure(Domain);
        after.Fetcher.Fail(Domain);
        after.Time.Advance(TimeSpan.FromHours(3));
        var result = await after.ResolveAsync();

        Assert.Equal(PolicySource.CacheAfterFailure, result.Source);
        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal(MtaStsMode.Enforce, result.Policy!.Mode);
        Assert.Equal(MtaStsFailure.DnsFailure, result.Failure);
        Assert.Equal(0, after.Fetcher.CallCount);
    }

    [Fact]
    public async Task S_2_Fleet_AnotherNodesFetchOfANewId_IsFoundInTheStoreBeforeFetching()
    {
        var a = Node();
        var b = Node();
        a.Publish("id1", ResolverHarness.Policy(maxAge: 86400));
        b.Publish("id1", ResolverHarness.Policy(maxAge: 86400));
        await a.ResolveAsync();
        await b.ResolveAsync();
        Assert.Equal(1, a.Fetcher.CallCount);
        Assert.Equal(0, b.Fetcher.CallCount);

        // The publisher moves to id2; node a fetches it first. Node b remembers id1 in memory, but asks the store
        // before fetching and takes a's fetch.
        a.Publish("id2", ResolverHarness.Policy("testing", maxAge: 86400));
        b.Publish("id2", ResolverHarness.Policy("testing", maxAge: 86400));
        a.Time.Advance(TimeSpan.FromHours(2));
        b.Time.Advance(TimeSpan.FromHours(2));
        await a.ResolveAsync();
        var fromStore = await b.ResolveAsync();

        Assert.Equal(2, a.Fetcher.CallCount);
        Assert.Equal(0, b.Fetcher.CallCount);
        Assert.Equal("id2", fromStore.Record!.Id);
        Assert.Equal(MtaStsMode.Testing, fromStore.Policy!.Mode);
    }

    [Fact]
    public async Task STS_3_3_j_TheBackoffIsShared_AnotherNodeDoesNotFetchAFailingPolicyHostAgain()
    {
        var a = Node();
        a.Discoverer.Found(Domain, "id1");
        a.Fetcher.Fail(Domain, status: 503, message: "HTTP status 503");
        var failed = await a.ResolveAsync();
        Assert.Equal(MtaStsOutcome.FetchFailure, failed.Outcome);
        Assert.Equal("id1", _store[Domain]!.Backoff!.RecordId);

        var b = Node();
        b.Publish("id1", ResolverHarness.Policy());
        b.Time.Advance(TimeSpan.FromMinutes(4));
        var remembered = await b.ResolveAsync();

        Assert.Equal(0, b.Fetcher.CallCount);
        Assert.Equal(MtaStsOutcome.FetchFailure, remembered.Outcome);
        Assert.Equal(MtaStsFailure.PolicyFetchError, remembered.Failure);
        Assert.Equal(failed.Evidence!.ReasonCode, remembered.Evidence!.ReasonCode);

        b.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(11));
        var retried = await b.ResolveAsync();
        Assert.Equal(1, b.Fetcher.CallCount);
        Assert.Equal(MtaStsOutcome.Policy, retried.Outcome);
    }

    [Fact]
    public async Task A_6_AFetchedMaxAgeZero_RemovesTheStoredPolicy()
    {
        var h = Node();
        h.Publish("id1", ResolverHarness.Policy());
        await h.ResolveAsync();
        Assert.NotNull(_store[Domain]);

        h.Publish("id2", ResolverHarness.Policy(maxAge: 0));
        h.Time.Advance(TimeSpan.FromMinutes(2));
        await h.ResolveAsync();

        Assert.Null(_store[Domain]);
        Assert.Equal(1, _store.Removes);
    }

    [Fact]
    public async Task S_2_AStoreThatThrows_IsSkipped_WithAWarningAMetricAndATraceEvent_AndTheResolutionGoesOn()
    {
        var h = Node();
        using var operations = new MetricCollector<long>(h.MeterFactory, MtaStsTelemetry.MeterName, MtaStsTelemetry.StoreOperations);
        using var events = new ActivityEvents(MtaStsTelemetry.StoreDegradedEventName);
        h.Publish("id1", ResolverHarness.Policy());
        _store.Fault = StoreFault.Throw;

        var result = await h.ResolveAsync();

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal(PolicySource.Fetched, result.Source);
        var warnings = h.LogsWithId(Log.IdStoreSkipped);
        Assert.Equal(2, warnings.Count); // the read while discovering (memory was empty), the write after the fetch
        Assert.All(warnings, w => Assert.DoesNotContain("secret", w.Message, StringComparison.Ordinal));
        Assert.Contains(operations.GetMeasurementSnapshot(), m => (string?)m.Tags["mtasts.store.operation"] == "get" && (string?)m.Tags["mtasts.store.result"] == "error");
        Assert.Contains(operations.GetMeasurementSnapshot(), m => (string?)m.Tags["mtasts.store.operation"] == "set" && (string?)m.Tags["mtasts.store.result"] == "error");
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public async Task S_2_AStoreThatNeverAnswers_CostsAtMostItsTimeoutPerCall_AndNeverHangsAResolution()
    {
        var h = Node(o => o.Cache.StoreTimeout = TimeSpan.FromMilliseconds(250));
        using var operations = new MetricCollector<long>(h.MeterFactory, MtaStsTelemetry.MeterName, MtaStsTelemetry.StoreOperations);
        h.Publish("id1", ResolverHarness.Policy());
        _store.Fault = StoreFault.Hang;
        var started = h.Time.GetUtcNow();

        var resolving = h.ResolveAsync();
        var step = TimeSpan.FromMilliseconds(10);
        while (!resolving.IsCompleted && h.Time.GetUtcNow() - started < TimeSpan.FromSeconds(5))
        {
            h.Time.Advance(step);
            await Task.Delay(1);
        }

        Assert.True(resolving.IsCompleted, "the resolution hung on the store");
        var result = await resolving;
        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);

        // One read (overlapping the TXT lookup) and one write: two timeouts at most (plus the fake clock's stepping).
        Assert.True(h.Time.GetUtcNow() - started <= (2 * TimeSpan.FromMilliseconds(250)) + TimeSpan.FromMilliseconds(100), $"took {h.Time.GetUtcNow() - started}");
        Assert.Equal(2, operations.GetMeasurementSnapshot().Count(m => (string?)m.Tags["mtasts.store.result"] == "timeout"));
        Assert.Contains(h.LogsWithId(Log.IdStoreSkipped), w => w.Message.Contains("no answer within 250 ms", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData((int)StoreFault.WrongDomain)]
    [InlineData((int)StoreFault.InvalidPolicyText)]
    public async Task S_1_AStoredEntryThatLies_IsRefusedAndLogged_AndThePolicyIsFetched(int faultValue)
    {
        var fault = (StoreFault)faultValue;
        var seeding = Node();
        seeding.Publish("id1", ResolverHarness.Policy("testing"));
        await seeding.ResolveAsync();

        var h = Node();
        h.Publish("id1", ResolverHarness.Policy("enforce"));
        _store.Fault = fault;
        var result = await h.ResolveAsync();

        Assert.Equal(1, h.Fetcher.CallCount);
        Assert.Equal(MtaStsMode.Enforce, result.Policy!.Mode);
        Assert.NotEmpty(h.LogsWithId(Log.IdStoreEntryUnusable));
    }

    [Fact]
    public async Task S_3_AnExpiredStoredPolicy_IsNeverApplied_EvenIfTheStoreStillReturnsIt()
    {
        _store.Put(new StoredPolicy
        {
            Domain = Domain,
            RecordId = "id1",
            PolicyText = ResolverHarness.Policy(maxAge: 3600),
            FetchedAt = ResolverHarness.Start.AddHours(-2),
            ExpiresAt = ResolverHarness.Start.AddHours(-1),
        });
        var h = Node();
        h.Discoverer.DnsFailure(Domain);

        var result = await h.ResolveAsync();

        Assert.Equal(MtaStsOutcome.DnsFailure, result.Outcome);
        Assert.Null(result.Policy);
    }

    [Fact]
    public async Task S_3_AStoredExpiryBeyondMaxAge_IsCutToFetchTimePlusMaxAge()
    {
        // A tampered or foreign entry claims a year; the policy's own max_age (one hour) wins.
        _store.Put(new StoredPolicy
        {
            Domain = Domain,
            RecordId = "id1",
            PolicyText = ResolverHarness.Policy(maxAge: 3600),
            FetchedAt = ResolverHarness.Start.AddMinutes(-30),
            ExpiresAt = ResolverHarness.Start.AddDays(365),
        });
        var h = Node();
        h.Discoverer.DnsFailure(Domain);

        var applied = await h.ResolveAsync();
        Assert.Equal(ResolverHarness.Start.AddMinutes(30), applied.ExpiresAt);

        h.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.Null((await h.ResolveAsync()).Policy);
    }

    [Fact]
    public async Task S_4_AResolverNeverOverwritesANewerStoredFetchWithAnOlderOne()
    {
        var h = Node();
        h.Publish("id1", ResolverHarness.Policy("enforce"));
        _store.Put(new StoredPolicy
        {
            Domain = Domain,
            RecordId = "id0",
            PolicyText = ResolverHarness.Policy("testing"),
            FetchedAt = ResolverHarness.Start.AddHours(1), // another node's clock is ahead
            ExpiresAt = ResolverHarness.Start.AddDays(2),
        });

        await h.ResolveAsync();

        Assert.Equal("id0", _store[Domain]!.RecordId);
        Assert.NotEmpty(h.LogsWithId(Log.IdStoreWriteKept));
    }

    private ResolverHarness Node(Action<MtaStsOptions>? configure = null)
    {
        var harness = new ResolverHarness(options =>
        {
            options.Cache.Store = _store;
            configure?.Invoke(options);
        });
        _harnesses.Add(harness);
        return harness;
    }

    /// <summary>Counts the activity events of one name raised by the library's activity source.</summary>
    private sealed class ActivityEvents : IDisposable
    {
        private readonly ActivityListener _listener;
        private int _count;

        public ActivityEvents(string name)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == MtaStsTelemetry.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity => Interlocked.Add(ref _count, activity.Events.Count(e => e.Name == name)),
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public int Count => Volatile.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
