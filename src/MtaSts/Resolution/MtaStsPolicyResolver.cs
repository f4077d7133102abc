using System.Collections.Frozen;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Caching;
using MtaSts.DependencyInjection;
using MtaSts.Diagnostics;
using MtaSts.Discovery;
using MtaSts.Fetching;

namespace MtaSts;

/// <summary>The MTA-STS policy resolver: discovery, strict fetch, parsing, and a <c>max_age</c>-aware cache keyed on the record id.</summary>
/// <remarks>
/// <para>
/// Without DI use <see cref="Create(MtaStsOptions?, ILoggerFactory?, TimeProvider?)"/>; with DI use
/// <c>services.AddMtaSts(...)</c>. One instance is meant to live as long as the process: it owns the cache.
/// </para>
/// <para>
/// A resolution that the cache can answer (the last TXT answer is still trusted, the policy has not expired and no
/// refresh is due) completes synchronously, does no I/O and allocates nothing. Any other resolution of a domain joins
/// the one discovery and fetch in flight for that domain, however many callers ask at once; at most
/// <see cref="MtaStsPolicyFetchOptions.MaxConcurrentFetches"/> fetches run at a time across all domains.
/// </para>
/// <para>
/// The cache follows RFC 8461 §3.3 and §5.1 (the rules are written out, branch by branch, in the library's
/// <c>Caching/PolicyCacheRules</c>): a policy is applied for <c>max_age</c> after its fetch, also when the TXT lookup or a
/// later fetch fails; a changed TXT <c>id</c> means a new fetch; a policy is fetched again before it expires (after
/// <see cref="MtaStsCacheOptions.RefreshAfter"/> or half its <c>max_age</c>, less up to 10 % jitter), and only a successful
/// fetch restarts its lifetime (decision A-11); after a failed fetch the same (domain, id) is not fetched again for
/// <see cref="MtaStsCacheOptions.FailedFetchBackoff"/>.
/// </para>
/// <para>
/// With a <see cref="MtaStsCacheOptions.Store"/>, what is learnt survives restarts and is shared by a fleet: the store
/// is read when memory has nothing for a domain and before every fetch, and written after every fetch, each operation
/// bounded by <see cref="MtaStsCacheOptions.StoreTimeout"/> (decisions S-1 … S-4). <see cref="MtaStsOptions.Events"/> raises
/// downgrade signals (S-5) and failed refreshes; <see cref="PolicyRefresher"/> refreshes recently used policies in the
/// background.
/// </para>
/// </remarks>
public sealed class MtaStsPolicyResolver : IMtaStsPolicyResolver, IDisposable
{
    private readonly IMtaStsRecordDiscoverer _discoverer;
    private readonly IPolicyFetcher _fetcher;
    private readonly MtaStsOptions _options;
    private readonly PolicyCacheRules.Settings _rules;
    private readonly TimeProvider _timeProvider;
    private readonly WarmClock _warmClock;
    private readonly ILogger _logger;
    private readonly MtaStsMetrics _metrics;
    private readonly IDisposable? _ownedResources;
    private readonly PolicyMemory _memory;
    private readonly SemaphoreSlim _fetchSlots;
    private readonly FrozenDictionary<string, OverrideRule>? _overrides;
    private readonly SingleFlight<string, MtaStsResolution> _flights;
    private readonly CacheVerdictReporter _reporter;

    // Forced re-checks share a flight among themselves but never join an ordinary one, which may be answered from a
    // state that turned warm meanwhile without looking at DNS.
    private readonly SingleFlight<string, MtaStsResolution> _rechecks;
    private readonly CancellationTokenSource _disposing = new();
    private int _disposed;

    internal MtaStsPolicyResolver(
        IMtaStsRecordDiscoverer discoverer,
        IPolicyFetcher fetcher,
        MtaStsOptions options,
        TimeProvider timeProvider,
        ILogger logger,
        MtaStsMetrics metrics,
        IDisposable? ownedResources = null,
        IMtaStsPolicyStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(discoverer);
        ArgumentNullException.ThrowIfNull(fetcher);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(metrics);
        _discoverer = discoverer;
        _fetcher = fetcher;
        _options = options;
        _rules = PolicyCacheRules.Settings.From(options);
        _timeProvider = timeProvider;
        _warmClock = new WarmClock(timeProvider);
        _logger = logger;
        _metrics = metrics;
        _ownedResources = ownedResources;
        _memory = new PolicyMemory(options, store ?? options.Cache.Store, timeProvider, logger, metrics);
        _fetchSlots = new SemaphoreSlim(options.PolicyFetch.MaxConcurrentFetches, options.PolicyFetch.MaxConcurrentFetches);
        _overrides = options.Overrides.Count == 0
            ? null
            : options.Overrides.ToFrozenDictionary(pair => DomainName.Normalize(pair.Key), pair => new OverrideRule(DomainName.Normalize(pair.Key), pair.Value), StringComparer.Ordinal);
        _reporter = new CacheVerdictReporter(this, logger, metrics, options.Events);
        _flights = new SingleFlight<string, MtaStsResolution>((domain, token) => ResolveUncachedAsync(domain, Purpose.Resolve, token), OnFlightFault, StringComparer.Ordinal);
        _rechecks = new SingleFlight<string, MtaStsResolution>((domain, token) => ResolveUncachedAsync(domain, Purpose.Recheck, token), OnFlightFault, StringComparer.Ordinal);
    }

    /// <summary>The events this resolver raises (the same instance as <see cref="MtaStsOptions.Events"/> of its options).</summary>
    public MtaStsEvents Events => _options.Events;

    /// <summary>The number of domains the cache holds now (for tests and diagnostics).</summary>
    internal int CachedDomainCount => _memory.Count;

    /// <summary>Drops a domain from memory only (the store keeps it): benchmarks of the store's read path use it.</summary>
    internal void ForgetInMemory(string domain) => _memory.Forget(domain);

    /// <summary>The seed of the refresh jitter: returns a number in [0, 1). Tests replace it to make refresh times exact.</summary>
    internal Func<double> JitterSource { get; set; } = Random.Shared.NextDouble;

    /// <summary>The policy store behind the resolver, if any.</summary>
    internal IMtaStsPolicyStore? Store => _memory.Store;

    internal TimeProvider TimeProvider => _timeProvider;

    internal ILogger Logger => _logger;

    internal MtaStsMetrics Metrics => _metrics;

    /// <summary>Builds a resolver and everything it needs, without dependency injection (console programs, PowerShell).</summary>
    /// <param name="options">Settings; validated as under DI. <see langword="null"/> means the defaults.</param>
    /// <param name="loggerFactory">Where to log; <see langword="null"/> means nowhere.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> means <see cref="TimeProvider.System"/>.</param>
    /// <returns>A resolver that owns its DNS client, HTTP client and cache (not the <see cref="MtaStsCacheOptions.Store"/>). Dispose it when done.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are out of range.</exception>
    public static MtaStsPolicyResolver Create(MtaStsOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        var composition = MtaStsComposition.ForFacade(options, loggerFactory, timeProvider);
        try
        {
            return composition.CreateResolver(ownsComposition: true);
        }
        catch
        {
            composition.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public Task<MtaStsResolution> ResolveAsync(string domain, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);

        // Only normalised names are remembered, so a name the memory holds needs no normalising (the warm path's one lookup).
        var entry = _memory.Get(domain);
        var name = entry is null ? DomainName.Normalize(domain) : domain;
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<MtaStsResolution>(cancellationToken);
        }

        if (_overrides is not null && _overrides.TryGetValue(name, out var rule))
        {
            return Overridden(rule, name) ?? rule.Enforce(ResolveCoreAsync(name, entry, cancellationToken));
        }

        return ResolveCoreAsync(name, entry, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<MtaStsResolution> RecheckAsync(string domain, CancellationToken cancellationToken = default)
    {
        var name = DomainName.Normalize(domain);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<MtaStsResolution>(cancellationToken);
        }

        OverrideRule? rule = null;
        if (_overrides is not null && _overrides.TryGetValue(name, out rule) && Overridden(rule, name) is { } pinned)
        {
            return pinned;
        }

        _memory.Get(name)?.Touch(_timeProvider.GetUtcNow().UtcTicks);
        var rechecked = _rechecks.RunAsync(name, _disposing.Token, cancellationToken);
        return rule is null ? rechecked : rule.Enforce(rechecked);
    }

    /// <summary>Releases the cache and, for a resolver made by <see cref="Create(MtaStsOptions?, ILoggerFactory?, TimeProvider?)"/>, its clients.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _disposing.Cancel();
        _memory.Dispose();
        _ownedResources?.Dispose();
        _disposing.Dispose();
        _fetchSlots.Dispose();
    }

    /// <summary>
    /// For the <see cref="PolicyRefresher"/>: the domains whose cached policy is due for a refresh now (RFC 8461 §3.3,
    /// §10.2), used by a caller within <paramref name="recentlyUsed"/>. Domains whose policy has expired leave the list.
    /// </summary>
    internal List<(string Domain, DateTimeOffset DueAt)> RefreshCandidates(TimeSpan recentlyUsed) =>
        _memory.RefreshCandidates(_timeProvider.GetUtcNow(), recentlyUsed);

    /// <summary>
    /// For the <see cref="PolicyRefresher"/>: resolves a domain through its ordinary flight (so a refresh and a delivery
    /// never fetch twice), without counting as a use of the domain.
    /// </summary>
    internal Task<MtaStsResolution> RefreshAsync(string domain, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _flights.RunAsync(domain, _disposing.Token, cancellationToken);
    }

    /// <summary>The start timestamp of a warm hit nobody times.</summary>
    private const long NotTimed = long.MinValue;

    /// <summary>Resolves without overrides: the warm path, or the domain's flight.</summary>
    private Task<MtaStsResolution> ResolveCoreAsync(string name, DomainEntry? entry, CancellationToken cancellationToken)
    {
        // The warm path: one dictionary lookup, one cheap clock read (two when durations are measured), no I/O, no allocation.
        var started = _metrics.TimesResolutions ? _timeProvider.GetTimestamp() : NotTimed;
        var nowTicks = _warmClock.UtcNowTicks();
        entry ??= _memory.Get(name);
        if (entry is not null)
        {
            entry.Touch(nowTicks);
            var state = entry.State;
            if (state.IsWarm(nowTicks))
            {
                var warm = state.WarmResult!;
                RecordWarmHit(name, warm.Result, started);
                return warm;
            }
        }

        return _flights.RunAsync(name, _disposing.Token, cancellationToken);
    }

    /// <summary>The fixed answer of a disabling or pinning override (logged), or <see langword="null"/> for the enforce override.</summary>
    private Task<MtaStsResolution>? Overridden(OverrideRule rule, string domain)
    {
        if (rule.Fixed is { } answer)
        {
            Log.OverrideApplied(_logger, domain, rule.Description);
        }

        return rule.Fixed;
    }

    private void OnFlightFault(string domain, Exception exception) => Log.ResolutionFailed(_logger, domain, exception);

    private void RecordWarmHit(string domain, MtaStsResolution result, long started)
    {
        _metrics.RecordCacheLookup("hit");
        _metrics.RecordResolution(result.Outcome, result.Source, result.Failure, started == NotTimed ? TimeSpan.Zero : _timeProvider.GetElapsedTime(started));
        Log.CacheHit(_logger, domain);
    }

    /// <summary>The shared work of one domain. It runs with the resolver's lifetime, not any caller's.</summary>
    private async Task<MtaStsResolution> ResolveUncachedAsync(string domain, Purpose purpose, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var now = _timeProvider.GetUtcNow();
        var state = _memory.Get(domain)?.State;

        // A flight that finished just before this one began may have answered already (unless the record must be
        // looked up again whatever is remembered).
        if (purpose != Purpose.Recheck && state is not null && state.IsWarm(now.UtcTicks))
        {
            var warm = state.WarmResult!.Result;
            RecordWarmHit(domain, warm, started);
            return warm;
        }

        using var activity = MtaStsMetrics.ActivitySource.StartActivity(MtaStsTelemetry.ResolveActivityName, ActivityKind.Internal);
        activity?.SetTag("mtasts.policy_domain", domain);

        // "stale": something is remembered but must be rechecked; "miss": nothing is remembered in memory.
        var cacheResult = state is not null ? "stale" : "miss";
        _metrics.RecordCacheLookup(cacheResult);
        Log.Resolving(_logger, domain, cacheResult);

        // Memory has nothing: read the store (start-up, eviction, another node's fetch) while the TXT record is looked up.
        var storeRead = state is null ? _memory.BeginStoreRead(domain, cancellationToken) : null;

        // RFC 8461 §3.4: only the policy domain itself is asked, never a parent.
        var discovery = await _discoverer.DiscoverAsync(domain, cancellationToken).ConfigureAwait(false);
        var stored = storeRead is null ? null : await storeRead.ConfigureAwait(false);
        now = _timeProvider.GetUtcNow();
        var known = _memory.Fold(domain, new PolicyMemory.Known(state?.Policy, state?.Backoff), stored, now, JitterSource);
        var verdict = PolicyCacheRules.AfterDiscovery(_rules, domain, known.Policy, known.Backoff, discovery, now);

        if (verdict is null && storeRead is null && _memory.HasStore)
        {
            // About to fetch: another node may have fetched this id meanwhile, or be backing off a failing host.
            known = await _memory.ReadThroughAsync(domain, known, now, JitterSource, cancellationToken).ConfigureAwait(false);
            verdict = PolicyCacheRules.AfterDiscovery(_rules, domain, known.Policy, known.Backoff, discovery, now);
        }

        if (verdict is null)
        {
            var fetch = await FetchAsync(domain, cancellationToken).ConfigureAwait(false);
            var fetchedAt = _timeProvider.GetUtcNow();
            var cached = _memory.Unexpired(domain, known.Policy, fetchedAt);
            verdict = PolicyCacheRules.AfterFetch(_rules, domain, cached, discovery, discovery.Record!, fetch, now, fetchedAt, JitterSource());
        }

        await _memory.RememberAsync(domain, verdict, cancellationToken).ConfigureAwait(false);
        _reporter.Report(domain, verdict);

        var result = verdict.Resolution;
        _metrics.RecordResolution(result.Outcome, result.Source, result.Failure, _timeProvider.GetElapsedTime(started));
        if (activity is not null)
        {
            activity.SetTag("mtasts.outcome", result.Outcome.ToToken());
            activity.SetTag("mtasts.policy.source", result.Source.ToToken());
            activity.SetTag("error.type", MtaStsMetrics.FailureName(result.Failure));
            if (result.Outcome is MtaStsOutcome.FetchFailure or MtaStsOutcome.DnsFailure)
            {
                activity.SetStatus(ActivityStatusCode.Error, result.Evidence?.Message);
            }
        }

        return result;
    }

    /// <summary>One fetch, in one of the <see cref="MtaStsPolicyFetchOptions.MaxConcurrentFetches"/> slots.</summary>
    private async Task<PolicyFetchResult> FetchAsync(string domain, CancellationToken cancellationToken)
    {
        await _fetchSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _fetcher.FetchAsync(domain, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _fetchSlots.Release();
        }
    }

    /// <summary>Why a flight runs: an ordinary resolution (or a refresh), or the forced TXT re-check of RFC 8461 §5.1.</summary>
    private enum Purpose
    {
        Resolve,
        Recheck,
    }
}
