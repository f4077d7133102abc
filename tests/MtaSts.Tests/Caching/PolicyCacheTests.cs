using MtaSts.Caching;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Caching;

/// <summary>Lifetime, recheck window, bounds and the warm path of the resolver's cache.</summary>
public class PolicyCacheTests
{
    private const string Domain = ResolverHarness.Domain;

    [Fact]
    public async Task STS_3_2_e_CachedPolicy_AppliesUntilJustBeforeFetchPlusMaxAge_AndNotAtThatInstant()
    {
        // Also: STS-3.3-m (applied while unexpired), STS-5.1-a
        using var h = new ResolverHarness(o => o.Cache.MaxRecordRecheckInterval = TimeSpan.FromDays(1));
        h.Publish("id1", ResolverHarness.Policy(maxAge: 3600));
        var fetched = await h.ResolveAsync();
        Assert.Equal(ResolverHarness.Start.AddHours(1), fetched.ExpiresAt);

        // The record is withdrawn; the cached policy must be applied until it expires, and then never again.
        h.Discoverer.NotFound(Domain, timeToLive: TimeSpan.FromDays(1));
        h.Time.Advance(TimeSpan.FromSeconds(11));
        var cached = await h.ResolveAsync();
        Assert.Equal(PolicySource.CacheAfterFailure, cached.Source);

        h.Time.SetUtcNow(fetched.ExpiresAt!.Value - TimeSpan.FromTicks(1));
        var lastMoment = await h.ResolveAsync();
        Assert.Equal(MtaStsOutcome.Policy, lastMoment.Outcome);
        Assert.Same(fetched.Policy, lastMoment.Policy);

        h.Time.SetUtcNow(fetched.ExpiresAt.Value);
        var expired = await h.ResolveAsync();
        Assert.Equal(MtaStsOutcome.NoPolicy, expired.Outcome);
        Assert.Null(expired.Policy);

        // Removed, not just hidden: a later DNS failure has nothing to fall back on.
        h.Time.Advance(TimeSpan.FromDays(2));
        h.Discoverer.DnsFailure(Domain);
        var later = await h.ResolveAsync();
        Assert.Equal(MtaStsOutcome.DnsFailure, later.Outcome);
    }

    [Fact]
    public async Task ExpiredPolicy_IsNeverApplied_EvenWhenTheWarmWindowWouldStillBeOpen()
    {
        // The TXT TTL (1 h) outlives the policy (max_age 60 s): the warm window must end with the policy.
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy(maxAge: 60), timeToLive: TimeSpan.FromHours(1));
        var fetched = await h.ResolveAsync();
        h.Fetcher.Fail(Domain);

        h.Time.SetUtcNow(fetched.ExpiresAt!.Value);
        var result = await h.ResolveAsync();

        Assert.NotEqual(PolicySource.Cache, result.Source);
        Assert.Equal(MtaStsOutcome.FetchFailure, result.Outcome);
        Assert.Null(result.Policy);
    }

    [Fact]
    public async Task RecheckWindow_IsTheRecordTtl_WithinTheClamps()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy(), timeToLive: TimeSpan.FromMinutes(5));
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        var warm = await h.ResolveAsync();
        Assert.Equal(1, h.Discoverer.CallCount);
        Assert.Equal(PolicySource.Cache, warm.Source);

        h.Time.Advance(TimeSpan.FromTicks(1));
        await h.ResolveAsync();
        Assert.Equal(2, h.Discoverer.CallCount);
    }

    [Fact]
    public async Task RecheckWindow_ShortTtl_IsRaisedToTheMinimum()
    {
        using var h = new ResolverHarness(o => o.Cache.MinRecordRecheckInterval = TimeSpan.FromSeconds(30));
        h.Publish("id1", ResolverHarness.Policy(), timeToLive: TimeSpan.FromSeconds(1));
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromSeconds(29));
        await h.ResolveAsync();
        Assert.Equal(1, h.Discoverer.CallCount);

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.ResolveAsync();
        Assert.Equal(2, h.Discoverer.CallCount);
    }

    [Fact]
    public async Task RecheckWindow_LongTtl_IsLoweredToTheMaximum()
    {
        using var h = new ResolverHarness(o => o.Cache.MaxRecordRecheckInterval = TimeSpan.FromMinutes(20));
        h.Publish("id1", ResolverHarness.Policy(), timeToLive: TimeSpan.FromDays(1));
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromMinutes(20) - TimeSpan.FromTicks(1));
        await h.ResolveAsync();
        Assert.Equal(1, h.Discoverer.CallCount);

        h.Time.Advance(TimeSpan.FromTicks(1));
        await h.ResolveAsync();
        Assert.Equal(2, h.Discoverer.CallCount);
    }

    [Fact]
    public async Task RecheckWindow_OfZero_AsksDnsEveryTime()
    {
        using var h = new ResolverHarness(o =>
        {
            o.Cache.MinRecordRecheckInterval = TimeSpan.Zero;
            o.Cache.MaxRecordRecheckInterval = TimeSpan.Zero;
        });
        h.Publish("id1", ResolverHarness.Policy(), timeToLive: TimeSpan.FromHours(1));

        await h.ResolveAsync();
        var second = await h.ResolveAsync();
        await h.ResolveAsync();

        Assert.Equal(3, h.Discoverer.CallCount);
        Assert.Equal(1, h.Fetcher.CallCount);
        Assert.Equal(PolicySource.Cache, second.Source);
    }

    [Fact]
    public async Task NoRecord_WithNothingCached_IsRememberedForTheRecheckWindow()
    {
        using var h = new ResolverHarness();
        h.Discoverer.NotFound(Domain, timeToLive: TimeSpan.FromMinutes(2));

        var first = await h.ResolveAsync();
        h.Time.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromTicks(1));
        var second = await h.ResolveAsync();
        h.Time.Advance(TimeSpan.FromTicks(1));
        await h.ResolveAsync();

        Assert.Same(first, second);
        Assert.Equal(2, h.Discoverer.CallCount);
    }

    [Fact]
    public async Task WarmHit_ReturnsTheSameCompletedTask_WithSourceCache()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());
        var fetched = await h.ResolveAsync();

        var first = h.Resolver.ResolveAsync(Domain);
        var second = h.Resolver.ResolveAsync("EXAMPLE.test.");

        Assert.True(first.IsCompletedSuccessfully);
        Assert.Same(first, second);
        var hit = await first;
        Assert.NotSame(fetched, hit);
        Assert.Equal(PolicySource.Cache, hit.Source);
        Assert.Same(fetched.Policy, hit.Policy);
        Assert.Equal(fetched.FetchedAt, hit.FetchedAt);
        Assert.Equal(fetched.ExpiresAt, hit.ExpiresAt);
    }

    [Fact]
    public async Task WarmPath_AllocatesNothing()
    {
        using var h = new ResolverHarness(nullLogger: true);
        h.Publish("id1", ResolverHarness.Policy());
        await h.ResolveAsync();
        var resolver = h.Resolver;
        for (var i = 0; i < 100; i++)
        {
            _ = resolver.ResolveAsync(Domain);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = resolver.ResolveAsync(Domain);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(1, h.Discoverer.CallCount);
    }

    [Fact]
    public async Task Cache_IsBoundedByMaxCachedDomains()
    {
        const int limit = 10;
        using var h = new ResolverHarness(o => o.Cache.MaxDomains = limit);
        for (var i = 0; i < 50; i++)
        {
            var domain = $"d{i}.example.test";
            h.Publish("id1", ResolverHarness.Policy(), domain: domain);
            var result = await h.ResolveAsync(domain);

            // Whether or not the domain could be kept, the caller gets its policy.
            Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
            Assert.InRange(h.Resolver.CachedDomainCount, 0, limit);
        }

        // Compaction runs in the background; once it has made room, a new domain is kept again.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var kept = false;
        for (var i = 50; !kept && clock.Elapsed < TimeSpan.FromSeconds(10); i++)
        {
            var domain = $"d{i}.example.test";
            h.Publish("id1", ResolverHarness.Policy(), domain: domain);
            await h.ResolveAsync(domain);
            var again = await h.ResolveAsync(domain);
            kept = again.Source == PolicySource.Cache;
            Assert.InRange(h.Resolver.CachedDomainCount, 0, limit);
            if (!kept)
            {
                await Task.Delay(10);
            }
        }

        Assert.True(kept, "a new domain is cached again after compaction");
    }

    [Fact]
    public void PolicyCache_UpdatesAnExistingDomainInPlace_EvenWhenFull()
    {
        // A full MemoryCache refuses replacements and drops the old entry; updating in place must not lose a policy.
        using var cache = new PolicyCache(maxDomains: 2);
        var first = new DomainState(null, null, null, DateTimeOffset.MinValue);
        var second = new DomainState(null, null, null, DateTimeOffset.MinValue);
        cache.Set("a.example.test", first, 0);
        cache.Set("b.example.test", first, 0);

        cache.Set("a.example.test", second, 0);

        Assert.Same(second, cache.Get("a.example.test")!.State);
        Assert.Same(first, cache.Get("b.example.test")!.State);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void PolicyCache_Remove_ForgetsTheDomain()
    {
        using var cache = new PolicyCache(maxDomains: 5);
        cache.Set("a.example.test", new DomainState(null, null, null, DateTimeOffset.MinValue), 0);

        cache.Remove("a.example.test");

        Assert.Null(cache.Get("a.example.test"));
        Assert.Equal(0, cache.Count);
    }
}
