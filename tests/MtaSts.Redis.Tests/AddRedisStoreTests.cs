using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using static MtaSts.Redis.Tests.StoredEntries;

namespace MtaSts.Redis.Tests;

/// <summary><c>AddMtaSts().AddRedisStore(…)</c>: the container builds, uses and disposes the store.</summary>
public sealed class AddRedisStoreTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task AddRedisStore_WithAConfigurationString_ContainerOwnsTheStore()
    {
        var prefix = RedisServerFixture.UniquePrefix("di");
        var services = new ServiceCollection();
        services.AddMtaSts().AddRedisStore(redis.Configuration, store => store.KeyPrefix = prefix);

        RedisPolicyStore store;
        using (var provider = services.BuildServiceProvider())
        {
            store = Assert.IsType<RedisPolicyStore>(provider.GetRequiredService<IMtaStsPolicyStore>());
            Assert.Equal(prefix, store.KeyPrefix);
            var domain = UniqueDomain("di");
            Assert.True(await store.SetAsync(Policy(domain, TimeProvider.System.GetUtcNow().AddMinutes(-1), TimeSpan.FromDays(1))));
            Assert.True(await redis.Connection.GetDatabase().KeyExistsAsync(prefix + domain));
            Assert.NotNull(provider.GetRequiredService<IMtaStsPolicyResolver>());
        }

        // Disposed synchronously with the container (IDisposable as well as IAsyncDisposable).
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync("example.test"));
    }

    [Fact]
    public async Task AddRedisStore_WithoutConnection_UsesTheContainersMultiplexer_AndLeavesItOpen()
    {
        var prefix = RedisServerFixture.UniquePrefix("di-mux");
        var services = new ServiceCollection();
        services.AddSingleton<IConnectionMultiplexer>(redis.Connection);
        services.AddMtaSts().AddRedisStore(new RedisPolicyStoreOptions { KeyPrefix = prefix });

        await using (var provider = services.BuildServiceProvider())
        {
            var store = provider.GetRequiredService<IMtaStsPolicyStore>();
            var domain = UniqueDomain("di-mux");
            Assert.True(await store.SetAsync(Backoff(domain, TimeProvider.System.GetUtcNow().AddMinutes(5))));
            Assert.Equal(domain, (await store.GetAsync(domain))?.Domain);
        }

        Assert.True(redis.Connection.IsConnected);
    }

    [Fact]
    public void AddRedisStore_RefusesBadOptionsAtOnce()
    {
        var builder = new ServiceCollection().AddMtaSts();
        Assert.Throws<ArgumentException>(() => builder.AddRedisStore("127.0.0.1:6379,noSuchOption=1"));
        Assert.Throws<ArgumentException>(() => builder.AddRedisStore(redis.Configuration, store => store.KeyPrefix = string.Empty));
        Assert.Throws<ArgumentException>(() => builder.AddRedisStore(new RedisPolicyStoreOptions { Configuration = redis.Configuration, Connection = redis.Connection }));
    }
}
