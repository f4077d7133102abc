using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Redis;
using MtaSts.Redis.Diagnostics;
using StackExchange.Redis;

namespace MtaSts;

/// <summary>
/// A policy store for a fleet: every MTA of the fleet reads and writes the same Redis, so a policy one node fetched (or
/// a back-off after a failed fetch) serves every other node, and survives restarts of all of them.
/// </summary>
/// <remarks>
/// <para>
/// <b>Keys and values.</b> A domain's entry is the string key <c>&lt;KeyPrefix&gt;&lt;domain&gt;</c> (for example
/// <c>mtasts:example.com</c>, see <see cref="RedisPolicyStoreOptions.KeyPrefix"/>); its value is the entry in
/// <see cref="StoredPolicyFormat"/> (UTF-8 JSON, versioned). Each key expires with its entry: its TTL is
/// <see cref="StoredPolicy.StoreUntil"/> minus now on the store's clock (decision S-3), so an entry holding only a back-off
/// lives until the back-off ends and nothing is immortal. An entry that is already expired when written is not written.
/// </para>
/// <para>
/// <b>Which write wins.</b> <see cref="SetAsync"/> applies <see cref="StoredPolicy.Supersedes"/> (decision S-4) as a
/// compare-and-set: it reads the current value, decides in .NET, and writes in a transaction that only commits if the
/// value is still the one it read; a write that lost the race reads again and decides again. A newer fetch therefore
/// wins whatever the order in which the nodes of a fleet write.
/// </para>
/// <para>
/// <b>Unreadable values.</b> A value that is not a readable entry (corrupt, truncated, foreign, of a newer format
/// version, of another Redis type, or holding another domain) is ignored and logged, never thrown; the next write for
/// that domain replaces it.
/// </para>
/// <para>
/// <b>Why StackExchange.Redis directly, not <c>IDistributedCache</c>.</b> <c>IDistributedCache</c> has no conditional
/// write, so the rule that an older fetch never replaces a newer one could not be applied atomically between nodes, and it
/// cannot enumerate entries, which <see cref="ListAsync"/> (the <c>cache list</c> and export commands) needs.
/// </para>
/// <para>
/// <b>Time.</b> The resolver bounds every store call by <see cref="MtaStsCacheOptions.StoreTimeout"/> (decision S-2); the
/// store does not add timeouts of its own beyond those of StackExchange.Redis, and gives up waiting as soon as the
/// caller's token is cancelled. Without dependency injection, pass a store in <see cref="MtaStsCacheOptions.Store"/>
/// and dispose it after the resolver.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// await using var store = new RedisPolicyStore(new RedisPolicyStoreOptions { Configuration = "redis.internal:6379" });
/// using var resolver = MtaStsPolicyResolver.Create(new MtaStsOptions { Cache = { Store = store } });
/// </code>
/// </example>
public sealed class RedisPolicyStore : IMtaStsPolicyStore, IAsyncDisposable, IDisposable
{
    /// <summary>
    /// How often a write may lose the compare-and-set race before it gives up. A write loses only when another write of
    /// the same domain succeeded between its read and its commit, and every writer succeeds at most once, so a writer
    /// needs at most one attempt more than there are concurrent writers of one domain: 16 covers any plausible fleet.
    /// </summary>
    internal const int MaxWriteAttempts = 16;

    private static readonly TimeSpan MinimumTtl = TimeSpan.FromMilliseconds(1);

    private readonly string _prefix;
    private readonly int _database;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly RedisConnection _connection;

    /// <summary>Creates a store.</summary>
    /// <param name="options">The connection, key prefix and database; copied, so later changes have no effect.</param>
    /// <param name="timeProvider">The clock that decides expiry and key TTLs; <see langword="null"/> means <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where ignored values, failed writes and connection changes are logged; <see langword="null"/> means nowhere.</param>
    /// <exception cref="ArgumentException">The options are incomplete or invalid (for example a configuration string that does not parse).</exception>
    public RedisPolicyStore(RedisPolicyStoreOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(connectionFromContainer: false);
        _prefix = options.KeyPrefix;
        _database = options.Database;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _connection = new RedisConnection(options.Configuration, options.Connection, options.Database, _logger);
    }

    /// <summary>Runs between a write's read and its commit (tests use it to interleave another writer deterministically).</summary>
    internal Func<Task>? BeforeCommit { get; set; }

    /// <summary>The prefix of every key of this store.</summary>
    public string KeyPrefix => _prefix;

    /// <summary>The key that holds (or would hold) a domain's entry: <see cref="KeyPrefix"/> followed by the domain.</summary>
    /// <param name="domain">The policy domain, normalised.</param>
    /// <returns>The key.</returns>
    public string GetKey(string domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        return _prefix + domain;
    }

    /// <inheritdoc/>
    public async Task<StoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default)
    {
        var key = GetKey(domain);
        var database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var (_, entry, _) = await ReadAsync(database, key, cancellationToken).ConfigureAwait(false);

        // Redis removes the key at its TTL; this also hides an entry whose time is up on our clock a little earlier.
        return entry is not null && entry.IsLiveAt(_timeProvider.GetUtcNow()) ? entry : null;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// An entry already expired on the store's clock is not written: like a write whose TTL is zero, it only removes an
    /// entry it supersedes (and returns <see langword="true"/>).
    /// </remarks>
    /// <exception cref="ArgumentException">The entry holds neither a policy nor a back-off.</exception>
    /// <exception cref="InvalidOperationException">The write lost the race to other writers of the same domain 16 times in a row.</exception>
    public async Task<bool> SetAsync(StoredPolicy entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var value = StoredPolicyFormat.Serialize(entry);
        var key = GetKey(entry.Domain);
        var database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Compare-and-set with an optimistic transaction rather than a Lua script: the decision stays in one place,
            // StoredPolicy.Supersedes, instead of a second copy of the S-4 rule and of the format reader written in Lua
            // that would drift from it. The transaction's condition (WATCH, then compare) commits only if the key still
            // holds exactly what was read; otherwise another node wrote meanwhile, and the loop reads and decides again.
            for (var attempt = 1; attempt <= MaxWriteAttempts; attempt++)
            {
                var (current, existing, foreign) = await ReadAsync(database, key, cancellationToken).ConfigureAwait(false);
                if (foreign)
                {
                    // Not one of ours (a hash, a list, …) under our prefix. There is no condition on a key's type, so this
                    // delete is not atomic with the read; only a key some other program wrote under our prefix takes it.
                    RedisLog.ForeignKeyReplaced(_logger, key);
                    await database.KeyDeleteAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var now = _timeProvider.GetUtcNow();
                if (existing is not null && existing.IsLiveAt(now) && !StoredPolicy.Supersedes(entry, existing))
                {
                    return false;
                }

                var ttl = entry.StoreUntil!.Value - now;
                if (ttl < MinimumTtl && current.IsNull)
                {
                    return true; // expired already, and nothing to replace (decision S-3)
                }

                if (BeforeCommit is { } beforeCommit)
                {
                    await beforeCommit().ConfigureAwait(false);
                }

                var transaction = database.CreateTransaction();
                transaction.AddCondition(current.IsNull ? Condition.KeyNotExists(key) : Condition.StringEqual(key, current));
                _ = ttl < MinimumTtl ? transaction.KeyDeleteAsync(key) : transaction.StringSetAsync(key, value, ttl);
                if (await transaction.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false))
                {
                    return true;
                }
            }
        }
        catch (RedisException exception)
        {
            RedisLog.WriteFailed(_logger, key, exception.GetType().Name);
            throw;
        }

        var problem = string.Create(CultureInfo.InvariantCulture, $"the write lost {MaxWriteAttempts} races to other writers of the same domain");
        RedisLog.WriteFailed(_logger, key, problem);
        throw new InvalidOperationException("The Redis policy store could not write the entry: " + problem + ".");
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveAsync(string domain, CancellationToken cancellationToken = default)
    {
        var key = GetKey(domain);
        var database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await database.KeyDeleteAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Walks the keys under <see cref="KeyPrefix"/> with <c>SCAN</c> on every primary the connection knows (all of them in
    /// a cluster; replicas are skipped, since they hold copies), so it never blocks the server the way <c>KEYS</c> does.
    /// A primary that is not reachable makes the enumeration fail rather than silently return part of the store.
    /// </remarks>
    public async IAsyncEnumerable<StoredPolicy> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var connection = await _connection.GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        var database = connection.GetDatabase(_database);
        var pattern = EscapeGlob(_prefix) + "*";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endPoint in connection.GetEndPoints())
        {
            var server = connection.GetServer(endPoint);
            if (server.IsConnected && server.IsReplica)
            {
                continue;
            }

            await foreach (var redisKey in server.KeysAsync(_database, pattern, pageSize: 250).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var key = (string?)redisKey;
                if (key is null || !seen.Add(key))
                {
                    continue;
                }

                var (_, entry, _) = await ReadAsync(database, key, cancellationToken).ConfigureAwait(false);
                if (entry is not null && entry.IsLiveAt(_timeProvider.GetUtcNow()))
                {
                    yield return entry;
                }
            }
        }
    }

    /// <summary>Closes the connection the store opened (a connection passed in options is left open).</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>Closes the connection the store opened, without waiting (a connection passed in options is left open).</summary>
    public void Dispose() => _connection.Dispose();

    /// <summary>A glob pattern that matches <paramref name="literal"/> exactly (for <c>SCAN … MATCH</c>).</summary>
    internal static string EscapeGlob(string literal)
    {
        var pattern = new StringBuilder(literal.Length + 4);
        foreach (var c in literal)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                pattern.Append('\\');
            }

            pattern.Append(c);
        }

        return pattern.ToString();
    }

    /// <summary>Reads a key: its raw value (for the compare-and-set), the entry if it is a readable one for this key, and whether the key is of another Redis type.</summary>
    private async Task<(RedisValue Raw, StoredPolicy? Entry, bool Foreign)> ReadAsync(IDatabase database, string key, CancellationToken cancellationToken)
    {
        RedisValue raw;
        try
        {
            raw = await database.StringGetAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            RedisLog.EntryIgnored(_logger, key, "it holds a value of another Redis type (foreign key)");
            return (RedisValue.Null, null, true);
        }

        if (raw.IsNull)
        {
            return (raw, null, false);
        }

        if (!StoredPolicyFormat.TryDeserialize(((ReadOnlyMemory<byte>)raw).Span, out var entry, out var error))
        {
            RedisLog.EntryIgnored(_logger, key, error);
            return (raw, null, false);
        }

        if (!string.Equals(GetKey(entry.Domain), key, StringComparison.Ordinal))
        {
            RedisLog.EntryIgnored(_logger, key, "it holds another domain");
            return (raw, null, false);
        }

        return (raw, entry, false);
    }

}
