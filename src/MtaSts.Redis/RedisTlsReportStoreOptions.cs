using StackExchange.Redis;

namespace MtaSts;

/// <summary>Where a <see cref="RedisTlsReportStore"/> keeps TLS-RPT counts: the connection, the key prefix, the database and how long.</summary>
/// <remarks>
/// Set either <see cref="Configuration"/> (the store opens and owns its connection) or <see cref="Connection"/> (the
/// caller's connection, for example the one the policy store uses, which the store never closes).
/// </remarks>
public sealed class RedisTlsReportStoreOptions
{
    /// <summary>The default <see cref="KeyPrefix"/>: <c>mtasts-tlsrpt:</c> (apart from the policy store's keys).</summary>
    public const string DefaultKeyPrefix = "mtasts-tlsrpt:";

    /// <summary>A StackExchange.Redis configuration string (read with <c>abortConnect=false</c> unless it says otherwise).</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Configuration { get; set; }

    /// <summary>An open connection owned by the caller; the store does not dispose it.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public IConnectionMultiplexer? Connection { get; set; }

    /// <summary>The prefix of every key (see <see cref="RedisTlsReportStore"/> for the layout).</summary>
    /// <value>The default is <c>mtasts-tlsrpt:</c>.</value>
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    /// <summary>The Redis database number; -1 is the configuration's default database.</summary>
    /// <value>The default is -1.</value>
    public int Database { get; set; } = -1;

    /// <summary>How long a day's keys live after its last add (Redis expires them); at least two days.</summary>
    /// <value>The default is eight days.</value>
    public TimeSpan Retention { get; set; } = FileTlsReportStore.DefaultRetention;

    internal void Validate()
    {
        MtaSts.Redis.RedisConnection.Validate("Redis report store", Configuration, Connection, KeyPrefix, Database, connectionFromContainer: false);
        if (Retention < TimeSpan.FromDays(2))
        {
            throw new ArgumentException("The Redis report store's Retention is at least two days.");
        }
    }
}
