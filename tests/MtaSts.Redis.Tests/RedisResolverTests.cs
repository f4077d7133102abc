using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using MtaSts.Testing;
using StackExchange.Redis;

namespace MtaSts.Redis.Tests;

/// <summary>
/// Resolvers sharing a real Redis through the loopback world: a restart keeps <c>enforce</c>, a fleet fetches once and
/// shares its back-off, and a Redis that is down or frozen costs a resolution at most the store timeout (decision S-2).
/// </summary>
public sealed class RedisResolverTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private const int StoreSkipped = 420;
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromMilliseconds(300);

    private MtaStsTestWorld? _world;

    private MtaStsTestWorld World => _world!;

    public async Task InitializeAsync() => _world = await MtaStsTestWorld.StartAsync();

    public async Task DisposeAsync() => await World.DisposeAsync();

    [Fact]
    public async Task S_2_Restart_AFreshResolverOnTheSameRedisAppliesTheEnforcePolicy_WhileDnsAndHttpsFail()
    {
        // Also: STS-3.3-m, STS-5.1-a (an unexpired cached policy applies when discovery or the fetch fails).
        var prefix = RedisServerFixture.UniquePrefix("restart");
        var domain = StoredEntries.UniqueDomain("restart");
        World.PublishPolicy(domain, "r1", MtaStsMode.Enforce, 86400, "mx." + domain);

        // Resolver A: its own connection, store and object graph, gone afterwards.
        await using (var storeA = NewStore(prefix))
        {
            using var resolverA = NewResolver(storeA);
            var first = await resolverA.ResolveAsync(domain);
            Assert.Equal(PolicySource.Fetched, first.Source);
        }

        Assert.True(await redis.Connection.GetDatabase().KeyExistsAsync(prefix + domain));
        var fetches = World.PolicyHost.RequestCount("mta-sts." + domain);

        // DNS and the policy host both fail now.
        World.Dns.SetFault("_mta-sts." + domain, DnsFault.ServerFailure);
        World.PolicyHost.SetResponse("mta-sts." + domain, new PolicyResponse { StatusCode = 500, Body = "down" });

        await using var storeB = NewStore(prefix);
        using var resolverB = NewResolver(storeB);
        var after = await resolverB.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.Policy, after.Outcome);
        Assert.Equal(PolicySource.CacheAfterFailure, after.Source);
        Assert.Equal(MtaStsMode.Enforce, after.Policy!.Mode);
        Assert.Equal("r1", after.Record!.Id);
        Assert.Equal(fetches, World.PolicyHost.RequestCount("mta-sts." + domain));
    }

    [Fact]
    public async Task Fleet_TheSecondResolverDoesNotFetch()
    {
        var prefix = RedisServerFixture.UniquePrefix("fleet");
        var domain = StoredEntries.UniqueDomain("fleet");
        var host = "mta-sts." + domain;
        World.PublishPolicy(domain, "f1", MtaStsMode.Enforce, 86400, "mx." + domain);
        await using var storeA = NewStore(prefix);
        await using var storeB = NewStore(prefix);
        using var resolverA = NewResolver(storeA);
        using var resolverB = NewResolver(storeB);

        // (A counts requests, not fetches: on a loaded machine the first attempt of a fetch may time out and be retried.)
        Assert.Equal(PolicySource.Fetched, (await resolverA.ResolveAsync(domain)).Source);
        var requests = World.PolicyHost.RequestCount(host);
        Assert.InRange(requests, 1, 3);

        var second = await resolverB.ResolveAsync(domain);
        Assert.Equal(MtaStsOutcome.Policy, second.Outcome);
        Assert.Equal(PolicySource.Cache, second.Source);
        Assert.Equal(MtaStsMode.Enforce, second.Policy!.Mode);
        Assert.Equal(requests, World.PolicyHost.RequestCount(host));
    }

    [Fact]
    public async Task Fleet_ABackoffIsShared_TheSecondResolverDoesNotFetchAFailingHost()
    {
        // Also: STS-3.3-j (no new attempt for 5 minutes after a failed fetch, across the fleet).
        var prefix = RedisServerFixture.UniquePrefix("backoff");
        var domain = StoredEntries.UniqueDomain("backoff");
        var host = "mta-sts." + domain;
        World.PublishPolicy(domain, "b1", MtaStsMode.Enforce, 86400, "mx." + domain);
        World.PolicyHost.SetResponse(host, new PolicyResponse { StatusCode = 404, Body = "not here" });
        await using var storeA = NewStore(prefix);
        await using var storeB = NewStore(prefix);
        using var resolverA = NewResolver(storeA);
        using var resolverB = NewResolver(storeB);

        Assert.Equal(MtaStsOutcome.FetchFailure, (await resolverA.ResolveAsync(domain)).Outcome);
        var fetches = World.PolicyHost.RequestCount(host);
        Assert.True(fetches >= 1);
        var ttl = await redis.Connection.GetDatabase().KeyTimeToLiveAsync(prefix + domain);
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));

        var second = await resolverB.ResolveAsync(domain);
        Assert.Equal(MtaStsOutcome.FetchFailure, second.Outcome);
        Assert.Equal(MtaStsFailure.PolicyFetchError, second.Failure);
        Assert.Equal(fetches, World.PolicyHost.RequestCount(host));
    }

    [Fact]
    public async Task S_2_RedisKilled_AResolutionCompletesWithinTheStoreTimeout_AndDegradesToMemory()
    {
        using var doomed = new RedisServerFixture();
        await doomed.InitializeAsync();
        var domain = StoredEntries.UniqueDomain("killed");
        World.PublishPolicy(domain, "k1", MtaStsMode.Enforce, 86400, "mx." + domain);
        await using var store = NewStore("mtasts:", doomed.Configuration);
        Assert.Null(await store.GetAsync(domain)); // connected

        doomed.Kill();
        await AssertDegradesAsync(store, domain);
    }

    [Fact]
    public async Task S_2_RedisFrozen_AResolutionCompletesWithinTheStoreTimeout_AndDegradesToMemory()
    {
        using var frozen = new RedisServerFixture();
        await frozen.InitializeAsync();
        var domain = StoredEntries.UniqueDomain("frozen");
        World.PublishPolicy(domain, "z1", MtaStsMode.Enforce, 86400, "mx." + domain);

        // Redis's own timeout is far beyond the bound asserted below: only the resolver's store timeout can keep it.
        await using var store = NewStore("mtasts:", frozen.Configuration + ",asyncTimeout=60000,syncTimeout=60000");
        Assert.Null(await store.GetAsync(domain)); // connected

        await frozen.SignalAsync("STOP");
        try
        {
            var skipped = await AssertDegradesAsync(store, domain);
            Assert.Contains(skipped, r => r.Message.Contains("no answer within 300 ms", StringComparison.Ordinal));
        }
        finally
        {
            await frozen.SignalAsync("CONT");
        }
    }

    [Fact]
    public async Task S_2_RedisNeverReachable_AResolutionStillCompletes()
    {
        var domain = StoredEntries.UniqueDomain("absent");
        World.PublishPolicy(domain, "a1", MtaStsMode.Enforce, 86400, "mx." + domain);
        await using var store = NewStore("mtasts:", "127.0.0.1:1,connectTimeout=500");
        await AssertDegradesAsync(store, domain);
    }

    /// <summary>A fresh resolver on a broken store: the policy is fetched and applied, within two store timeouts (read, write) of a normal resolution, with the store-skipped warning.</summary>
    private async Task<IReadOnlyList<FakeLogRecord>> AssertDegradesAsync(RedisPolicyStore store, string domain)
    {
        using var logs = new FakeLoggerProvider();
        using var loggerFactory = new LoggerFactory([logs]);
        using var resolver = NewResolver(store, loggerFactory);

        var watch = Stopwatch.StartNew();
        var result = await resolver.ResolveAsync(domain);
        watch.Stop();

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal(PolicySource.Fetched, result.Source);
        // Two store calls (the read overlaps the TXT lookup, the write follows the fetch) and a loopback fetch, which a
        // loaded machine can slow to a few seconds; far below the 60 s a frozen Redis would cost without the store timeout.
        Assert.True(watch.Elapsed < (2 * StoreTimeout) + TimeSpan.FromSeconds(6), $"the resolution took {watch.Elapsed}");
        var skipped = logs.Collector.GetSnapshot().Where(r => r.Id.Id == StoreSkipped).ToList();
        Assert.NotEmpty(skipped);
        Assert.All(skipped, r => Assert.Equal(LogLevel.Warning, r.Level));

        // Memory serves the next resolution.
        Assert.Equal(PolicySource.Cache, (await resolver.ResolveAsync(domain)).Source);
        return skipped;
    }

    private RedisPolicyStore NewStore(string prefix, string? configuration = null) =>
        new(new RedisPolicyStoreOptions { Configuration = configuration ?? redis.Configuration, KeyPrefix = prefix });

    private MtaStsPolicyResolver NewResolver(IMtaStsPolicyStore store, ILoggerFactory? loggerFactory = null)
    {
        var options = World.CreateOptions();
        options.Cache.Store = store;
        options.Cache.StoreTimeout = StoreTimeout;
        return MtaStsPolicyResolver.Create(options, loggerFactory);
    }
}
