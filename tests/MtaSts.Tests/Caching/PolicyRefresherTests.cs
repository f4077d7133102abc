using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Caching;

/// <summary>The background refresher (RFC 8461 §3.3, §10.2), stepped through days on a fake clock.</summary>
public class PolicyRefresherTests
{
    private const string Domain = ResolverHarness.Domain;

    [Fact]
    public async Task STS_3_3_n_ARecentlyUsedPolicy_IsRefetchedOnceItIsOlderThanRefreshAfter_BeforeItExpires()
    {
        using var h = new ResolverHarness();
        using var refresher = new PolicyRefresher(h.Resolver);
        h.Publish("id1", ResolverHarness.Policy(maxAge: 604800));
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromHours(23));
        Assert.Equal(0, await refresher.RefreshDueAsync());
        Assert.Equal(1, h.Fetcher.CallCount);

        h.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await refresher.RefreshDueAsync());
        Assert.Equal(2, h.Fetcher.CallCount);

        // The delivery that follows finds the fresh policy in memory.
        var result = await h.ResolveAsync();
        Assert.Equal(PolicySource.Cache, result.Source);
        Assert.Equal(ResolverHarness.Start.AddDays(1), result.FetchedAt);
        Assert.Equal(2, h.Fetcher.CallCount);
    }

    [Fact]
    public async Task STS_10_2_b_AShortMaxAge_IsRefreshedAtHalfItsLife()
    {
        using var h = new ResolverHarness();
        using var refresher = new PolicyRefresher(h.Resolver);
        h.Publish("id1", ResolverHarness.Policy(maxAge: 3600), timeToLive: TimeSpan.FromHours(1));
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, await refresher.RefreshDueAsync());
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await refresher.RefreshDueAsync());
    }

    [Fact]
    public async Task ADomainNotUsedWithinTheWindow_IsLeftToAgeOut_AndARefreshIsNotAUse()
    {
        using var h = new ResolverHarness();
        using var refresher = new PolicyRefresher(h.Resolver, new PolicyRefresherOptions { RecentlyUsedWindow = TimeSpan.FromHours(36) });
        h.Publish("id1", ResolverHarness.Policy(maxAge: 604800));
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await refresher.RefreshDueAsync()); // used 24 h ago

        h.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await refresher.RefreshDueAsync()); // used 48 h ago: the refresh a day ago does not count
        Assert.Equal(2, h.Fetcher.CallCount);
    }

    [Fact]
    public async Task STS_3_3_j_AFailedRefresh_IsNotRetriedBeforeTheBackoffEnds_AndIsRaised()
    {
        using var h = new ResolverHarness();
        var failures = new List<PolicyRefreshFailedEventArgs>();
        h.Options.Events.RefreshFailed += (_, args) => failures.Add(args);
        using var refresher = new PolicyRefresher(h.Resolver);
        h.Publish("id1", ResolverHarness.Policy(maxAge: 604800));
        await h.ResolveAsync();

        h.Fetcher.Fail(Domain, status: 503);
        h.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await refresher.RefreshDueAsync());
        Assert.Single(failures);

        h.Time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0, await refresher.RefreshDueAsync());
        Assert.Equal(2, h.Fetcher.CallCount);

        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await refresher.RefreshDueAsync());
        Assert.Equal(3, h.Fetcher.CallCount);
        Assert.Equal(2, failures.Count);

        // Throughout, deliveries still get the cached policy.
        Assert.Equal(MtaStsMode.Enforce, (await h.ResolveAsync()).Policy!.Mode);
    }

    [Fact]
    public async Task ExpiredPolicies_AreNotRefreshed()
    {
        using var h = new ResolverHarness();
        using var refresher = new PolicyRefresher(h.Resolver, new PolicyRefresherOptions { RecentlyUsedWindow = TimeSpan.FromDays(30) });
        h.Publish("id1", ResolverHarness.Policy(maxAge: 604800));
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromDays(7));

        Assert.Equal(0, await refresher.RefreshDueAsync());
    }

    [Fact]
    public async Task RefreshesRunAtMostMaxConcurrentRefreshesAtATime()
    {
        using var h = new ResolverHarness();
        using var refresher = new PolicyRefresher(h.Resolver, new PolicyRefresherOptions { MaxConcurrentRefreshes = 2 });
        var domains = Enumerable.Range(0, 12).Select(i => $"d{i}.example.test").ToArray();
        foreach (var domain in domains)
        {
            h.Publish("id1", ResolverHarness.Policy(), domain);
            await h.ResolveAsync(domain);
        }

        h.Time.Advance(TimeSpan.FromDays(1));
        h.Fetcher.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pass = refresher.RefreshDueAsync();
        for (var i = 0; i < 500 && h.Fetcher.CallCount < domains.Length + 2; i++)
        {
            await Task.Delay(10);
        }

        await Task.Delay(50);
        Assert.Equal(domains.Length + 2, h.Fetcher.CallCount);
        h.Fetcher.Gate.SetResult();

        Assert.Equal(domains.Length, await pass);
        Assert.Equal(2 * domains.Length, h.Fetcher.CallCount);
        Assert.True(h.Fetcher.MaxConcurrent <= 2);
    }

    [Fact]
    public async Task StartedByHand_TheLoopRefreshesOnTheResolversClock_AndStopsCleanly()
    {
        using var h = new ResolverHarness();
        await using var refresher = new PolicyRefresher(h.Resolver, new PolicyRefresherOptions { Interval = TimeSpan.FromMinutes(10) });
        h.Publish("id1", ResolverHarness.Policy(maxAge: 604800));
        await h.ResolveAsync();

        refresher.Start();
        refresher.Start(); // twice does nothing
        Assert.True(refresher.IsRunning);

        // Step a day and a bit in ten-minute ticks: the pass after the 24th hour refetches.
        for (var i = 0; i < 150 && h.Fetcher.CallCount < 2; i++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(10));
            await Task.Delay(2);
        }

        Assert.Equal(2, h.Fetcher.CallCount);
        await refresher.StopAsync();
        Assert.False(refresher.IsRunning);

        h.Time.Advance(TimeSpan.FromDays(1));
        await Task.Delay(50);
        Assert.Equal(2, h.Fetcher.CallCount);
    }

    [Fact]
    public void TheRefresher_RefusesAForeignResolver_AndOptionsOutOfRange()
    {
        using var h = new ResolverHarness();

        Assert.Throws<ArgumentException>(() => new PolicyRefresher(new ForeignResolver()));
        var error = Assert.Throws<ArgumentException>(() => new PolicyRefresher(h.Resolver, new PolicyRefresherOptions { Interval = TimeSpan.Zero }));
        Assert.Contains("Interval", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new PolicyRefresher(h.Resolver, new PolicyRefresherOptions { MaxConcurrentRefreshes = 0 }));
        Assert.Throws<ArgumentException>(() => new PolicyRefresher(h.Resolver, new PolicyRefresherOptions { RecentlyUsedWindow = TimeSpan.FromSeconds(1) }));
    }

    [Fact]
    public async Task STS_3_3_n_APolicyRestoredFromTheStore_IsRefreshedToo()
    {
        var store = new InMemoryPolicyStore();
        using (var first = new ResolverHarness(o => o.Cache.Store = store))
        {
            first.Publish("id1", ResolverHarness.Policy(maxAge: 604800));
            await first.ResolveAsync();
        }

        using var h = new ResolverHarness(o => o.Cache.Store = store);
        using var refresher = new PolicyRefresher(h.Resolver);
        h.Publish("id1", ResolverHarness.Policy(maxAge: 604800));
        await h.ResolveAsync();
        Assert.Equal(0, h.Fetcher.CallCount);

        h.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await refresher.RefreshDueAsync());
        Assert.Equal(1, h.Fetcher.CallCount);
        Assert.Equal(ResolverHarness.Start.AddDays(1), store[Domain]!.FetchedAt);
    }

    private sealed class ForeignResolver : IMtaStsPolicyResolver
    {
        public Task<MtaStsResolution> ResolveAsync(string domain, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<MtaStsResolution> RecheckAsync(string domain, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
