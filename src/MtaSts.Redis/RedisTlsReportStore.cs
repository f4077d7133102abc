using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Redis;
using MtaSts.Redis.Diagnostics;
using StackExchange.Redis;

namespace MtaSts;

/// <summary>
/// TLS-RPT counts in Redis, for a fleet: every node adds its counts to the same hashes with <c>HINCRBY</c>, so N nodes
/// build one report whose counts are the sum, and the first node to claim a day's report sends it.
/// </summary>
/// <remarks>
/// <para>
/// Layout (the day in braces is a Redis Cluster hash tag, so one day's keys live on one shard and an add is one
/// transaction): <c>&lt;prefix&gt;{yyyy-MM-dd}:&lt;domain&gt;</c> a hash of counts (fields as in docs/store-format.md, "TLS-RPT
/// counts"), <c>&lt;prefix&gt;{yyyy-MM-dd}:domains</c> the set of the day's domains, and
/// <c>&lt;prefix&gt;{yyyy-MM-dd}:&lt;domain&gt;:sent</c> the sent mark (<c>SET NX</c>). Every key expires
/// <see cref="RedisTlsReportStoreOptions.Retention"/> after the day's last add.
/// </para>
/// <para>An add is a <c>MULTI</c>/<c>EXEC</c> of the increments, the index and the expiries: all of it or none.</para>
/// </remarks>
public sealed class RedisTlsReportStore : ITlsReportStore, IAsyncDisposable, IDisposable
{
    private readonly string _prefix;
    private readonly TimeSpan _retention;
    private readonly ILogger _logger;
    private readonly RedisConnection _connection;

    /// <summary>Creates the store; it connects on first use.</summary>
    /// <param name="options">The connection and layout; copied.</param>
    /// <param name="logger">Where unreadable counts are reported.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public RedisTlsReportStore(RedisTlsReportStoreOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _prefix = options.KeyPrefix;
        _retention = options.Retention;
        _logger = logger ?? NullLogger.Instance;
        _connection = new RedisConnection(options.Configuration, options.Connection, options.Database, _logger);
    }

    /// <summary>The key of a day's counts for a domain.</summary>
    /// <param name="day">The UTC day.</param>
    /// <param name="reportDomain">The report domain, normalised.</param>
    /// <returns>The key.</returns>
    public string GetKey(DateOnly day, string reportDomain)
    {
        ArgumentException.ThrowIfNullOrEmpty(reportDomain);
        return DayPrefix(day) + reportDomain;
    }

    /// <inheritdoc/>
    public async Task AddAsync(TlsReportCounts counts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var key = GetKey(counts.Day, counts.ReportDomain);
        var index = DayPrefix(counts.Day) + "domains";
        var database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var transaction = database.CreateTransaction();
        var pending = new List<Task>();
        foreach (var (field, count) in TlsReportCountsFormat.ToEntries(counts))
        {
            pending.Add(transaction.HashIncrementAsync(key, field, count));
        }

        pending.Add(transaction.SetAddAsync(index, counts.ReportDomain));
        pending.Add(transaction.KeyExpireAsync(key, _retention));
        pending.Add(transaction.KeyExpireAsync(index, _retention));
        if (!await transaction.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new RedisException("The Redis transaction adding TLS-RPT counts was not executed.");
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<TlsReportCounts?> GetAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default)
    {
        var key = GetKey(day, reportDomain);
        var database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        HashEntry[] fields;
        try
        {
            fields = await database.HashGetAllAsync(key).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            RedisLog.EntryIgnored(_logger, key, "it holds a value of another Redis type (foreign key)");
            return null;
        }

        var entries = new List<KeyValuePair<string, long>>(fields.Length);
        var unreadable = 0;
        foreach (var field in fields)
        {
            if (field.Value.TryParse(out long count) && (string?)field.Name is { } name)
            {
                entries.Add(new(name, count));
            }
            else
            {
                unreadable++;
            }
        }

        var counts = TlsReportCountsFormat.FromEntries(day, reportDomain, entries, out var skipped);
        if (unreadable + skipped > 0)
        {
            RedisLog.EntryIgnored(_logger, key, $"{unreadable + skipped} of its fields do not read");
        }

        return counts;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> GetDomainsAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        var database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var members = await database.SetMembersAsync(DayPrefix(day) + "domains").WaitAsync(cancellationToken).ConfigureAwait(false);
        return members.Select(m => (string?)m).OfType<string>()
            .Where(d => DomainName.TryNormalize(d, out var normalized, out _) && normalized == d)
            .Order(StringComparer.Ordinal).ToArray();
    }

    /// <inheritdoc/>
    public async Task<bool> TryMarkSentAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default)
    {
        var database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        return await database.StringSetAsync(GetKey(day, reportDomain) + ":sent", "1", _retention, When.NotExists)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default)
    {
        var key = GetKey(day, reportDomain);
        var database = await _connection.GetDatabaseAsync(cancellationToken).ConfigureAwait(false);
        var removed = await database.KeyDeleteAsync([key, key + ":sent"]).WaitAsync(cancellationToken).ConfigureAwait(false);
        await database.SetRemoveAsync(DayPrefix(day) + "domains", reportDomain).WaitAsync(cancellationToken).ConfigureAwait(false);
        return removed > 0;
    }

    /// <summary>Closes the connection the store opened (a connection passed in options is left open).</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>Closes the connection the store opened, without waiting.</summary>
    public void Dispose() => _connection.Dispose();

    private string DayPrefix(DateOnly day) => _prefix + "{" + day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + "}:";
}
