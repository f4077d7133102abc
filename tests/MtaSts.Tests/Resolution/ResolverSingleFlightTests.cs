using MtaSts.Discovery;
using MtaSts.Fetching;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Resolution;

/// <summary>Concurrent resolutions of one domain share one discovery and one fetch; a caller's token cancels only its wait.</summary>
public class ResolverSingleFlightTests
{
    private const string Domain = ResolverHarness.Domain;

    [Fact]
    public async Task ThousandConcurrentResolutions_ShareOneDiscoveryAndOneFetch()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());
        h.Discoverer.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var tasks = new Task<MtaStsResolution>[1000];
        Parallel.For(0, tasks.Length, i => tasks[i] = h.Resolver.ResolveAsync(i % 2 == 0 ? Domain : "Example.Test."));
        await h.Discoverer.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(tasks, task => Assert.False(task.IsCompleted));

        h.Discoverer.Gate.SetResult();
        var results = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, h.Discoverer.CallCount);
        Assert.Equal(1, h.Fetcher.CallCount);
        Assert.All(results, result => Assert.Same(results[0], result));
        Assert.Equal(PolicySource.Fetched, results[0].Source);
    }

    [Fact]
    public async Task A_20_ForcedRecheck_DoesNotJoinAnOrdinaryFlight_ItLooksTheRecordUpItself()
    {
        // Also: STS-5.1-c. An ordinary flight may be answered from a state that turned warm meanwhile, without a TXT
        // lookup; the re-check before an enforce deferral must see DNS now.
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());
        h.Discoverer.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ordinary = h.Resolver.ResolveAsync(Domain);
        await h.Discoverer.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        h.Discoverer.Started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var recheck = h.Resolver.RecheckAsync(Domain, CancellationToken.None);
        await h.Discoverer.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var recheckTwice = h.Resolver.RecheckAsync(Domain, CancellationToken.None);
        h.Discoverer.Gate.SetResult();
        await Task.WhenAll(ordinary, recheck, recheckTwice).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, h.Discoverer.CallCount); // the ordinary flight's and one shared by both re-checks
        Assert.Equal(MtaStsOutcome.Policy, (await recheck).Outcome);
    }

    [Fact]
    public async Task DifferentDomains_DoNotShareAFlight()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy(), domain: "a.example.test");
        h.Publish("id1", ResolverHarness.Policy(), domain: "b.example.test");
        h.Discoverer.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var a = h.Resolver.ResolveAsync("a.example.test");
        var b = h.Resolver.ResolveAsync("b.example.test");
        h.Discoverer.Gate.SetResult();
        await Task.WhenAll(a, b).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, h.Discoverer.CallsFor("a.example.test"));
        Assert.Equal(1, h.Discoverer.CallsFor("b.example.test"));
        Assert.Equal("a.example.test", (await a).Domain);
        Assert.Equal("b.example.test", (await b).Domain);
    }

    [Fact]
    public async Task CallerCancellation_CancelsOnlyThatCallersWait_NotTheSharedWork()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());
        h.Fetcher.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource();

        var impatient = h.Resolver.ResolveAsync(Domain, cts.Token);
        var patient = h.Resolver.ResolveAsync(Domain);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(patient.IsCompleted);

        h.Fetcher.Gate.SetResult();
        var result = await patient.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal(1, h.Fetcher.CallCount);

        // The shared work completed and was cached although its first caller gave up.
        var cached = h.Resolver.ResolveAsync(Domain);
        Assert.True(cached.IsCompletedSuccessfully);
        Assert.Equal(PolicySource.Cache, (await cached).Source);
    }

    [Fact]
    public async Task CompletedFlight_LeavesTheTable_SoTheNextResolutionStartsAfresh()
    {
        using var h = new ResolverHarness();
        h.Discoverer.DnsFailure(Domain);

        await h.ResolveAsync();
        h.Discoverer.Found(Domain, "id1");
        h.Fetcher.Serve(Domain, ResolverHarness.Policy());
        var second = await h.ResolveAsync();

        Assert.Equal(2, h.Discoverer.CallCount);
        Assert.Equal(MtaStsOutcome.Policy, second.Outcome);
    }

    [Fact]
    public async Task UnexpectedException_ReachesEveryWaiter_AndTheNextCallTriesAgain()
    {
        using var h = new ResolverHarness();
        h.Discoverer.Answer(Domain, new DiscoveryResult { Status = DiscoveryStatus.Found, Record = new MtaStsRecord("id1", "v=STSv1; id=id1") });
        var broken = new ThrowingFetcher();
        using var resolver = new MtaStsPolicyResolver(h.Discoverer, broken, h.Options, h.Time, h.Logger, h.Metrics);
        broken.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = resolver.ResolveAsync(Domain);
        var second = resolver.ResolveAsync(Domain);
        broken.Gate.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => first).WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<InvalidOperationException>(() => second).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, broken.CallCount);
        Assert.Single(h.LogsWithId(MtaSts.Diagnostics.Log.IdResolutionFailed));

        broken.Gate = null;
        await Assert.ThrowsAsync<InvalidOperationException>(() => resolver.ResolveAsync(Domain));
        Assert.Equal(2, broken.CallCount);
    }

    [Fact]
    public async Task Dispose_CancelsTheWorkInFlight()
    {
        var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());
        h.Discoverer.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = h.Resolver.ResolveAsync(Domain);

        h.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, h.Fetcher.CallCount);
    }

    [Fact]
    public async Task ThrowingLogger_NeverLeavesTheFlightBehind()
    {
        // A logging provider that throws (Logger aggregates provider exceptions and rethrows them) must not leave the
        // domain's flight in the table: that would make every later resolution of the domain wait forever.
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());
        using var resolver = new MtaStsPolicyResolver(h.Discoverer, h.Fetcher, h.Options, h.Time, new ThrowingLogger(), h.Metrics);

        var first = resolver.ResolveAsync(Domain);
        await Assert.ThrowsAnyAsync<Exception>(() => first).WaitAsync(TimeSpan.FromSeconds(10));

        var second = resolver.ResolveAsync(Domain);
        await Assert.ThrowsAnyAsync<Exception>(() => second).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotSame(first, second);
    }

    private sealed class ThrowingFetcher : IPolicyFetcher
    {
        private int _calls;

        public TaskCompletionSource? Gate { get; set; }

        public int CallCount => Volatile.Read(ref _calls);

        public async Task<PolicyFetchResult> FetchAsync(string domain, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (Gate is { } gate)
            {
                await gate.Task;
            }

            throw new InvalidOperationException("a bug in the fetcher");
        }
    }
}
