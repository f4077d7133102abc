using System.Collections.Concurrent;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.DependencyInjection;
using MtaSts.Diagnostics;
using MtaSts.Dns;

namespace MtaSts;

/// <summary>
/// Looks up <c>_smtp._tls.&lt;domain&gt;</c> through the library's DNS layer (the same servers, timeouts and CNAME rules
/// as MTA-STS discovery) and keeps each answer for its TTL, at most <see cref="MaxCacheTime"/> (decision R-10: "looked up
/// and cached like any DNS answer").
/// </summary>
/// <remarks>
/// Exactly one record must begin with <c>v=TLSRPTv1</c> (RPT-3-e); a record whose every <c>rua</c> URI is unusable is
/// <see cref="TlsRptRecordStatus.Invalid"/> (decision R-5). DNS failures are not cached.
/// </remarks>
public sealed class TlsRptRecordDiscoverer : ITlsRptRecordDiscoverer
{
    /// <summary>The longest an answer is kept, whatever its TTL: one hour.</summary>
    public static readonly TimeSpan MaxCacheTime = TimeSpan.FromHours(1);

    private const int MaxCachedDomains = 10_000;

    private readonly IDnsQuery _dns;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, (TlsRptDiscoveryResult Result, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    internal TlsRptRecordDiscoverer(IDnsQuery dns, TimeProvider timeProvider, ILogger logger)
    {
        _dns = dns;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Creates a discoverer on the DNS settings of <paramref name="options"/> (<see cref="MtaStsOptions.Dns"/>).</summary>
    /// <param name="options">The options; only <see cref="MtaStsOptions.Dns"/> is used. Defaults when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where lookups are logged.</param>
    /// <param name="timeProvider">The clock for the cache; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <returns>The discoverer.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public static TlsRptRecordDiscoverer Create(MtaStsOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        var settings = (options ?? new MtaStsOptions()).Clone();
        MtaStsOptionsValidator.ThrowIfInvalid(settings);
        return new TlsRptRecordDiscoverer(
            DnsClientFactory.Create(settings),
            timeProvider ?? TimeProvider.System,
            (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<TlsRptRecordDiscoverer>());
    }

    /// <inheritdoc/>
    public async Task<TlsRptDiscoveryResult> DiscoverAsync(string domain, CancellationToken cancellationToken = default)
    {
        var name = DomainName.Normalize(domain);
        var now = _timeProvider.GetUtcNow();
        if (_cache.TryGetValue(name, out var cached) && cached.Until > now)
        {
            return cached.Result;
        }

        var result = await LookupAsync(name, cancellationToken).ConfigureAwait(false);
        var keep = result.TimeToLive < MaxCacheTime ? result.TimeToLive : MaxCacheTime;
        if (result.Status != TlsRptRecordStatus.DnsFailure && keep > TimeSpan.Zero)
        {
            if (_cache.Count >= MaxCachedDomains)
            {
                _cache.Clear(); // a bound, not an eviction policy: the next lookups refill it
            }

            _cache[name] = (result, now + keep);
        }

        return result;
    }

    private async Task<TlsRptDiscoveryResult> LookupAsync(string domain, CancellationToken cancellationToken)
    {
        var queryName = TlsRptRecordParser.TxtPrefix + domain;
        var lookup = await DnsChainLookup.QueryAsync(_dns, queryName, QueryType.TXT, cancellationToken).ConfigureAwait(false);
        TlsRptDiscoveryResult result;
        switch (lookup.Status)
        {
            case DnsLookupStatus.Failed:
                result = new(domain, TlsRptRecordStatus.DnsFailure, null, TimeSpan.Zero,
                    string.IsNullOrEmpty(lookup.Message) ? $"the TXT lookup of {queryName} failed" : lookup.Message);
                break;
            case DnsLookupStatus.NotFound:
                result = new(domain, TlsRptRecordStatus.NotFound, null, lookup.TimeToLive,
                    lookup.IsNameError ? $"{lookup.FinalName} does not exist (NXDOMAIN)" : $"{lookup.FinalName} has no TXT record (NODATA)");
                break;
            default:
                // RPT-3-e: the character-strings of one record are joined without separators.
                var texts = lookup.Records.OfType<TxtRecord>().Select(t => string.Concat(t.Text ?? [])).ToArray();
                var parsed = TlsRptRecordParser.Select(texts);
                result = new(domain, parsed.Status, parsed, lookup.TimeToLive,
                    parsed.IsValid ? null : string.Join("; ", parsed.Errors.Select(e => e.Message)));
                break;
        }

        Log.TlsRptRecordLookup(_logger, domain, result.Status, result.Message ?? "");
        return result;
    }
}
