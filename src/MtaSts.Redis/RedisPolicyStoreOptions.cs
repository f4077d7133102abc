using StackExchange.Redis;

namespace MtaSts;

/// <summary>Where a <see cref="RedisPolicyStore"/> keeps its entries: the connection, the key prefix and the database.</summary>
/// <remarks>
/// Set either <see cref="Configuration"/> (the store opens and owns its connection) or <see cref="Connection"/> (the
/// caller's connection, which the store never closes). With <c>AddRedisStore</c> under dependency injection, neither
/// means the <see cref="IConnectionMultiplexer"/> registered in the container.
/// </remarks>
public sealed class RedisPolicyStoreOptions
{
    /// <summary>The default <see cref="KeyPrefix"/>: <c>mtasts:</c>.</summary>
    public const string DefaultKeyPrefix = "mtasts:";

    /// <summary>
    /// A StackExchange.Redis configuration string, for example <c>redis1:6379,redis2:6379,password=…,ssl=true</c>. The
    /// store connects on first use and keeps reconnecting in the background while Redis is away; unless the string says
    /// <c>abortConnect=…</c> itself, it is read with <c>abortConnect=false</c> so that a Redis that is down at start-up
    /// does not stop the MTA (decision S-2).
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Configuration { get; set; }

    /// <summary>An open connection owned by the caller, shared with the rest of the application; the store does not dispose it.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public IConnectionMultiplexer? Connection { get; set; }

    /// <summary>
    /// The prefix of every key: a domain's entry is the string key <c>&lt;prefix&gt;&lt;domain&gt;</c>, for example
    /// <c>mtasts:example.com</c>. Fleets that must not share policies use different prefixes (or databases) on one server.
    /// It must not be empty: <see cref="RedisPolicyStore.ListAsync"/> enumerates every key under it.
    /// </summary>
    /// <value>The default is <c>mtasts:</c>.</value>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>The Redis database number; -1 is the configuration's default database (normally 0).</summary>
    /// <value>The default is -1.</value>
    public int Database { get; set; } = -1;

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> describing the first problem.</summary>
    internal void Validate(bool connectionFromContainer) =>
        MtaSts.Redis.RedisConnection.Validate("Redis policy store", Configuration, Connection, KeyPrefix, Database, connectionFromContainer);

    /// <summary>A copy, so that a store is not changed by later changes to the options it was built from.</summary>
    internal RedisPolicyStoreOptions Clone() => new()
    {
        Configuration = Configuration,
        Connection = Connection,
        KeyPrefix = KeyPrefix,
        Database = Database,
    };
}
