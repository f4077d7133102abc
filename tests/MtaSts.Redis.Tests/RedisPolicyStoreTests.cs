using System.Text;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using static MtaSts.Redis.Tests.StoredEntries;

namespace MtaSts.Redis.Tests;

/// <summary>The Redis store on its own, against a real redis-server: keys, TTLs (S-3), which write wins (S-4), unreadable values.</summary>
public sealed class RedisPolicyStoreTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private const int EntryIgnored = 440;

    private readonly FakeTimeProvider _clock = new(Start);
    private readonly FakeLogger _logger = new();

    private RedisPolicyStore CreateStore(string prefix, IConnectionMultiplexer? connection = null, TimeProvider? clock = null) =>
        new(new RedisPolicyStoreOptions { Connection = connection ?? redis.Connection, KeyPrefix = prefix }, clock ?? _clock, _logger);

    private IDatabase Database => redis.Connection.GetDatabase();

    [Fact]
    public async Task RoundTrip_GetSetRemoveList()
    {
        var prefix = RedisServerFixture.UniquePrefix("round");
        await using var store = CreateStore(prefix);
        var domain = UniqueDomain("round");
        var entry = Policy(domain, Start, TimeSpan.FromDays(7));

        Assert.Null(await store.GetAsync(domain));
        Assert.True(await store.SetAsync(entry));

        var read = await store.GetAsync(domain);
        Assert.NotNull(read);
        Assert.Equal(entry.ToString(), read.ToString());
        Assert.Equal(entry.PolicyText, read.PolicyText);
        Assert.Equal(entry.RecordText, read.RecordText);
        Assert.Equal(prefix + domain, store.GetKey(domain));
        Assert.Equal(StoredPolicyFormat.Serialize(entry), (byte[]?)await Database.StringGetAsync(prefix + domain));

        var other = UniqueDomain("round");
        Assert.True(await store.SetAsync(Backoff(other, Start.AddMinutes(5))));
        var listed = await ToListAsync(store.ListAsync());
        Assert.Equal(new[] { domain, other }.Order(StringComparer.Ordinal), listed.Select(e => e.Domain).Order(StringComparer.Ordinal));

        Assert.True(await store.RemoveAsync(domain));
        Assert.False(await store.RemoveAsync(domain));
        Assert.Null(await store.GetAsync(domain));
        Assert.Equal([other], (await ToListAsync(store.ListAsync())).Select(e => e.Domain));
        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    [Fact]
    public async Task KeyPrefixes_IsolateStoresOnOneServer()
    {
        // A prefix with glob characters must match itself only when listing (SCAN MATCH is a glob).
        var first = RedisServerFixture.UniquePrefix("iso") + "a*";
        var second = first[..^1] + "b:";
        await using var a = CreateStore(first);
        await using var b = CreateStore(second);
        var domain = UniqueDomain("iso");

        Assert.True(await a.SetAsync(Policy(domain, Start, TimeSpan.FromDays(1), id: "aaa")));
        Assert.Null(await b.GetAsync(domain));
        Assert.Empty(await ToListAsync(b.ListAsync()));

        Assert.True(await b.SetAsync(Policy(domain, Start.AddMinutes(-1), TimeSpan.FromDays(1), id: "bbb")));
        Assert.Equal("aaa", (await a.GetAsync(domain))!.RecordId);
        Assert.Equal("bbb", (await b.GetAsync(domain))!.RecordId);
        Assert.Equal(["aaa"], (await ToListAsync(a.ListAsync())).Select(e => e.RecordId));
        Assert.Equal(["bbb"], (await ToListAsync(b.ListAsync())).Select(e => e.RecordId));
    }

    [Fact]
    public async Task S_3_KeyTtlIsThePolicyExpiry()
    {
        var prefix = RedisServerFixture.UniquePrefix("ttl");
        await using var store = CreateStore(prefix);
        var domain = UniqueDomain("ttl");

        // Fetched an hour ago on the store's clock with max_age one day: 23 hours left.
        Assert.True(await store.SetAsync(Policy(domain, Start.AddHours(-1), TimeSpan.FromDays(1))));

        var ttl = await Database.KeyTimeToLiveAsync(prefix + domain);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromHours(23) - TimeSpan.FromSeconds(30), TimeSpan.FromHours(23));
    }

    [Fact]
    public async Task S_3_BackoffOnlyEntryLivesUntilTheBackoffEnds()
    {
        var prefix = RedisServerFixture.UniquePrefix("ttl");
        await using var store = CreateStore(prefix);
        var domain = UniqueDomain("backoff");
        Assert.True(await store.SetAsync(Backoff(domain, Start.AddMinutes(5))));
        var ttl = await Database.KeyTimeToLiveAsync(prefix + domain);
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));

        // A policy with a back-off that ends later than the policy: the key lives until the later of the two.
        var both = UniqueDomain("both");
        var policy = Policy(both, Start.AddDays(-1), TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        Assert.True(await store.SetAsync(new StoredPolicy
        {
            Domain = both, RecordId = policy.RecordId, PolicyText = policy.PolicyText, FetchedAt = policy.FetchedAt, ExpiresAt = policy.ExpiresAt,
            Backoff = Backoff(both, Start.AddMinutes(5)).Backoff,
        }));
        ttl = await Database.KeyTimeToLiveAsync(prefix + both);
        Assert.InRange(ttl!.Value, TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task S_3_ExpiredEntriesAreNeverReturned()
    {
        var prefix = RedisServerFixture.UniquePrefix("expired");
        await using var store = CreateStore(prefix);
        var domain = UniqueDomain("expired");
        Assert.True(await store.SetAsync(Policy(domain, Start, TimeSpan.FromHours(1))));

        // The store's clock moves past the expiry before Redis's TTL fires: the entry is gone for readers all the same.
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(await store.GetAsync(domain));
        Assert.Empty(await ToListAsync(store.ListAsync()));

        // An entry already expired when written is never written (and a back-off that has ended neither).
        var late = UniqueDomain("late");
        Assert.True(await store.SetAsync(Policy(late, Start, TimeSpan.FromMinutes(30))));
        Assert.True(await store.SetAsync(Backoff(late + "x", Start)));
        Assert.False(await Database.KeyExistsAsync(prefix + late));
        Assert.False(await Database.KeyExistsAsync(prefix + late + "x"));

        // And Redis itself drops the key at its TTL.
        await using var fresh = CreateStore(prefix, clock: new FakeTimeProvider(Start));
        var brief = UniqueDomain("brief");
        Assert.True(await fresh.SetAsync(Backoff(brief, Start + TimeSpan.FromMilliseconds(300))));
        Assert.True(await Database.KeyExistsAsync(prefix + brief));
        await Task.Delay(TimeSpan.FromMilliseconds(600));
        Assert.False(await Database.KeyExistsAsync(prefix + brief));
        Assert.Null(await fresh.GetAsync(brief));
    }

    [Fact]
    public async Task S_4_ANewerFetchWins()
    {
        await using var store = CreateStore(RedisServerFixture.UniquePrefix("newer"));
        var domain = UniqueDomain("newer");
        Assert.True(await store.SetAsync(Policy(domain, Start.AddHours(-2), TimeSpan.FromDays(7), id: "old")));

        // A mode: none fetched later replaces an enforce policy (RFC 8461 §5).
        Assert.True(await store.SetAsync(Policy(domain, Start.AddHours(-1), TimeSpan.FromDays(1), id: "new", mode: MtaStsMode.None)));

        var read = await store.GetAsync(domain);
        Assert.Equal("new", read!.RecordId);
        Assert.Contains("mode: none", read.PolicyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task S_4_AnOlderFetchNeverReplacesANewerOne()
    {
        var prefix = RedisServerFixture.UniquePrefix("older");
        await using var store = CreateStore(prefix);
        var domain = UniqueDomain("older");
        var newer = Policy(domain, Start.AddHours(-1), TimeSpan.FromDays(1), id: "new");
        Assert.True(await store.SetAsync(newer));

        Assert.False(await store.SetAsync(Policy(domain, Start.AddHours(-2), TimeSpan.FromDays(30), id: "old")));
        Assert.False(await store.SetAsync(Backoff(domain, Start.AddMinutes(5))));

        Assert.Equal(StoredPolicyFormat.Serialize(newer), (byte[]?)await Database.StringGetAsync(prefix + domain));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task S_4_AWriteThatLosesTheRaceDecidesAgain_AnOlderFetchDoesNotOverwriteANewerOneWrittenMeanwhile(bool somethingOlderStored)
    {
        var prefix = RedisServerFixture.UniquePrefix("cas");
        await using var second = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        await using var slow = CreateStore(prefix);
        await using var fast = CreateStore(prefix, second);
        var domain = UniqueDomain("cas");
        if (somethingOlderStored)
        {
            // The condition is on the exact value read, not only on the key's existence.
            Assert.True(await fast.SetAsync(Policy(domain, Start.AddHours(-3), TimeSpan.FromDays(1), id: "oldest")));
        }

        // The slow writer has read and decided to write; before it commits, another node writes a newer fetch.
        var interleaved = 0;
        slow.BeforeCommit = async () =>
        {
            if (Interlocked.Increment(ref interleaved) == 1)
            {
                Assert.True(await fast.SetAsync(Policy(domain, Start.AddHours(-1), TimeSpan.FromDays(1), id: "new")));
            }
        };

        // Its commit failed, it read again, found the newer entry, and kept it (without reaching a second commit).
        Assert.False(await slow.SetAsync(Policy(domain, Start.AddHours(-2), TimeSpan.FromDays(1), id: "old")));
        Assert.Equal(1, interleaved);
        Assert.Equal("new", (await slow.GetAsync(domain))!.RecordId);
    }

    [Fact]
    public async Task S_4_ConcurrentWritersOnTwoConnectionsEndWithTheNewest()
    {
        var prefix = RedisServerFixture.UniquePrefix("race");
        await using var second = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        await using var a = CreateStore(prefix);
        await using var b = CreateStore(prefix, second);

        // Many domains at once, each with as many writers as the store's bound on lost races, all let go together.
        var writers = RedisPolicyStore.MaxWriteAttempts;
        var domains = Enumerable.Range(0, 40).Select(_ => UniqueDomain("race")).ToArray();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = domains
            .SelectMany(domain => Enumerable.Range(0, writers).Select(i => (Domain: domain, Index: i)))
            .OrderBy(_ => Random.Shared.Next())
            .Select(w => Task.Run(async () =>
            {
                await go.Task;
                var entry = Policy(w.Domain, Start.AddMinutes(-writers + w.Index), TimeSpan.FromDays(1), id: "id" + w.Index);
                return (w.Domain, w.Index, Written: await (w.Index % 2 == 0 ? a : b).SetAsync(entry));
            }))
            .ToArray();
        go.SetResult();
        var results = await Task.WhenAll(tasks);

        Assert.All(results.Where(r => r.Index == writers - 1), r => Assert.True(r.Written, "the newest write was written"));
        foreach (var domain in domains)
        {
            Assert.Equal("id" + (writers - 1), (await a.GetAsync(domain))!.RecordId);
            Assert.Equal("id" + (writers - 1), (await b.GetAsync(domain))!.RecordId);
        }
    }

    public static TheoryData<string, string> UnreadableValues() => new()
    {
        { "garbage", "\u0001\u0002 not json" },
        { "truncated", "{\"format\":\"mta-sts-store\",\"version\":1,\"domain\":\"" },
        { "foreign", "{\"format\":\"something-else\",\"version\":1}" },
        { "newer-version", "{\"format\":\"mta-sts-store\",\"version\":99,\"domain\":\"x.example\"}" },
        { "empty", string.Empty },
    };

    [Theory]
    [MemberData(nameof(UnreadableValues))]
    public async Task S_1_AnUnreadableValueIsIgnoredAndLogged_NeverThrown(string label, string value)
    {
        var prefix = RedisServerFixture.UniquePrefix(label);
        await using var store = CreateStore(prefix);
        var domain = UniqueDomain(label);
        await Database.StringSetAsync(prefix + domain, Encoding.UTF8.GetBytes(value));

        Assert.Null(await store.GetAsync(domain));
        Assert.Empty(await ToListAsync(store.ListAsync()));
        var logged = _logger.Collector.GetSnapshot();
        Assert.Contains(logged, r => r.Id.Id == EntryIgnored && r.Message.Contains(prefix + domain, StringComparison.Ordinal));

        // The next write replaces it.
        Assert.True(await store.SetAsync(Policy(domain, Start, TimeSpan.FromDays(1))));
        Assert.NotNull(await store.GetAsync(domain));
    }

    [Fact]
    public async Task S_1_AnEntryOfAnotherDomainOrAnotherRedisTypeIsIgnoredAndLogged()
    {
        var prefix = RedisServerFixture.UniquePrefix("misplaced");
        await using var store = CreateStore(prefix);
        var domain = UniqueDomain("misplaced");
        await Database.StringSetAsync(prefix + domain, StoredPolicyFormat.Serialize(Policy("someone-else.example", Start, TimeSpan.FromDays(1))));
        var hashed = UniqueDomain("hash");
        await Database.HashSetAsync(prefix + hashed, "field", "value");

        Assert.Null(await store.GetAsync(domain));
        Assert.Null(await store.GetAsync(hashed));
        Assert.Empty(await ToListAsync(store.ListAsync()));
        Assert.Equal(4, _logger.Collector.GetSnapshot().Count(r => r.Id.Id == EntryIgnored));

        Assert.True(await store.SetAsync(Policy(hashed, Start, TimeSpan.FromDays(1))));
        Assert.Equal(hashed, (await store.GetAsync(hashed))?.Domain);
    }

    [Fact]
    public async Task Dispose_ClosesOnlyTheConnectionTheStoreOpened()
    {
        var owned = new RedisPolicyStore(new RedisPolicyStoreOptions { Configuration = redis.Configuration, KeyPrefix = RedisServerFixture.UniquePrefix("own") }, _clock);
        var domain = UniqueDomain("own");
        Assert.True(await owned.SetAsync(Policy(domain, Start, TimeSpan.FromDays(1))));
        await owned.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => owned.GetAsync(domain));

        var borrowed = CreateStore(RedisServerFixture.UniquePrefix("borrowed"));
        borrowed.Dispose();
        Assert.True(redis.Connection.IsConnected);
        Assert.True(await Database.PingAsync() >= TimeSpan.Zero);
    }

    [Fact]
    public void Options_AreCheckedWhenTheStoreIsBuilt()
    {
        Assert.Throws<ArgumentException>(() => new RedisPolicyStore(new RedisPolicyStoreOptions()));
        Assert.Throws<ArgumentException>(() => new RedisPolicyStore(new RedisPolicyStoreOptions { Configuration = redis.Configuration, Connection = redis.Connection }));
        Assert.Throws<ArgumentException>(() => new RedisPolicyStore(new RedisPolicyStoreOptions { Configuration = redis.Configuration, KeyPrefix = string.Empty }));
        Assert.Throws<ArgumentException>(() => new RedisPolicyStore(new RedisPolicyStoreOptions { Configuration = redis.Configuration, Database = -2 }));
        Assert.Throws<ArgumentException>(() => new RedisPolicyStore(new RedisPolicyStoreOptions { Configuration = "127.0.0.1:1,unknownOption=1" }));
    }

    [Fact]
    public void Configuration_DefaultsToNotAbortingOnAFailedConnect_UnlessItSaysSo()
    {
        Assert.False(Redis.RedisConnection.ParseConfiguration("127.0.0.1:6379").AbortOnConnectFail);
        Assert.True(Redis.RedisConnection.ParseConfiguration("127.0.0.1:6379,abortConnect=true").AbortOnConnectFail);
    }

    private static async Task<List<StoredPolicy>> ToListAsync(IAsyncEnumerable<StoredPolicy> entries)
    {
        var list = new List<StoredPolicy>();
        await foreach (var entry in entries)
        {
            list.Add(entry);
        }

        return list;
    }
}
