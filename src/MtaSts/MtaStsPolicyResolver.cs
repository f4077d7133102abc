using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Caching;
using MtaSts.Diagnostics;
using MtaSts.Discovery;
using MtaSts.Dns;
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
/// the one discovery and fetch in flight for that domain, however many callers ask at once.
/// </para>
/// <para>
/// The cache follows RFC 8461 §3.3 and §5.1: a policy is applied for <c>max_age</c> after its fetch, also when the TXT
/// lookup or a later fetch fails; a changed TXT <c>id</c> means a new fetch; a policy is fetched again before it expires
/// (after <see cref="MtaStsOptions.RefreshAfter"/> or half its <c>max_age</c>, less up to 10 % jitter), and only a
/// successful fetch restarts its lifetime (decision A-11); after a failed fetch the same (domain, id) is not fetched
/// again for <see cref="MtaStsOptions.FailedFetchBackoff"/>.
/// </para>
/// </remarks>
public sealed class MtaStsPolicyResolver : IMtaStsPolicyResolver, IDisposable
{
    /// <summary>At most this share of the refresh interval is taken off at random, so refreshes of many domains spread out.</summary>
    private const double RefreshJitterShare = 0.1;

    private readonly IMtaStsRecordDiscoverer _discoverer;
    private readonly IPolicyFetcher _fetcher;
    private readonly MtaStsOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly MtaStsMetrics _metrics;
    private readonly IDisposable? _ownedResources;
    private readonly PolicyCache _cache;
    private readonly ConcurrentDictionary<string, Task<MtaStsResolution>> _inFlight = new(StringComparer.Ordinal);

    // Forced re-checks share a flight among themselves but never join an ordinary one, which may be answered from a
    // state that turned warm meanwhile without looking at DNS.
    private readonly ConcurrentDictionary<string, Task<MtaStsResolution>> _recheckInFlight = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposing = new();
    private int _disposed;

    internal MtaStsPolicyResolver(
        IMtaStsRecordDiscoverer discoverer,
        IPolicyFetcher fetcher,
        MtaStsOptions options,
        TimeProvider timeProvider,
        ILogger logger,
        MtaStsMetrics metrics,
        IDisposable? ownedResources = null)
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
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = metrics;
        _ownedResources = ownedResources;
        _cache = new PolicyCache(options.MaxCachedDomains);
    }

    /// <summary>The number of domains the cache holds now (for tests and diagnostics).</summary>
    internal int CachedDomainCount => _cache.Count;

    /// <summary>The seed of the refresh jitter: returns a number in [0, 1). Tests replace it to make refresh times exact.</summary>
    internal Func<double> JitterSource { get; set; } = Random.Shared.NextDouble;

    /// <summary>Builds a resolver and everything it needs, without dependency injection (console programs, PowerShell).</summary>
    /// <param name="options">Settings; validated as under DI. <see langword="null"/> means the defaults.</param>
    /// <param name="loggerFactory">Where to log; <see langword="null"/> means nowhere.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> means <see cref="TimeProvider.System"/>.</param>
    /// <returns>A resolver that owns its DNS client, HTTP client and cache. Dispose it when done.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are out of range.</exception>
    public static MtaStsPolicyResolver Create(MtaStsOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        // A copy, validated by the same validator DI uses: later changes to the caller's object do not reach us.
        var settings = MtaStsOptionsValidator.Snapshot(options ?? new MtaStsOptions());
        MtaStsOptionsValidator.ThrowIfInvalid(settings);
        return Create(settings, loggerFactory ?? NullLoggerFactory.Instance, timeProvider ?? TimeProvider.System, dns: null, sharedMetrics: null);
    }

    /// <summary>
    /// Builds a resolver from validated settings. <paramref name="dns"/> and <paramref name="sharedMetrics"/>, when given,
    /// belong to the caller (a <see cref="DeliveryPlanner"/> sharing them); otherwise the resolver makes and owns its own.
    /// </summary>
    internal static MtaStsPolicyResolver Create(MtaStsOptions settings, ILoggerFactory loggerFactory, TimeProvider timeProvider, DnsClient.ILookupClient? dns, MtaStsMetrics? sharedMetrics)
    {
        var owned = new OwnedResources();
        try
        {
            var metrics = sharedMetrics ?? owned.Add(new MtaStsMetrics(meterFactory: null));
            dns ??= DnsClientFactory.Create(settings);
            var addresses = settings.ResolvePolicyHostWithNameServers ? new DnsHostAddressResolver(dns) : null;

            // One long-lived client over one SocketsHttpHandler (its PooledConnectionLifetime picks up DNS changes).
            // No HttpClient timeout: the fetcher's resilience pipeline owns the time budget.
            var client = owned.Add(new HttpClient(PolicyHttpHandlerFactory.Create(settings, addresses), disposeHandler: true)
            {
                Timeout = Timeout.InfiniteTimeSpan,
            });

            var discoverer = new DnsRecordDiscoverer(dns, loggerFactory.CreateLogger<DnsRecordDiscoverer>());
            var fetcher = new PolicyFetcher(() => client, settings, timeProvider, loggerFactory.CreateLogger<PolicyFetcher>(), metrics);
            return new MtaStsPolicyResolver(
                discoverer,
                fetcher,
                settings,
                timeProvider,
                loggerFactory.CreateLogger<MtaStsPolicyResolver>(),
                metrics,
                owned);
        }
        catch
        {
            owned.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public Task<MtaStsResolution> ResolveAsync(string domain, CancellationToken cancellationToken = default)
    {
        var name = DomainName.Normalize(domain);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<MtaStsResolution>(cancellationToken);
        }

        // The warm path: one dictionary lookup, one clock read, no I/O, no allocation.
        var started = _timeProvider.GetTimestamp();
        var state = _cache.Get(name);
        if (state is not null && state.IsWarm(_timeProvider.GetUtcNow().UtcTicks))
        {
            var warm = state.WarmResult!;
            RecordWarmHit(name, warm.Result, started);
            return warm;
        }

        return ResolveSharedAsync(name, recheckRecord: false, cancellationToken);
    }

    /// <summary>
    /// Resolves like <see cref="ResolveAsync(string, CancellationToken)"/>; with <paramref name="recheckRecord"/> the TXT
    /// record is looked up again even inside its recheck window, so a changed <c>id</c> is seen now. This is the check
    /// RFC 8461 §5.1 requires before an <c>enforce</c> policy makes a delivery fail (decision A-20); everything else
    /// (the cache, back-off) behaves as usual. Concurrent re-checks of one domain share one lookup; they never join an
    /// ordinary resolution in flight, which may be answered from the cache without a lookup.
    /// </summary>
    internal Task<MtaStsResolution> ResolveAsync(string domain, bool recheckRecord, CancellationToken cancellationToken)
    {
        if (!recheckRecord)
        {
            return ResolveAsync(domain, cancellationToken);
        }

        var name = DomainName.Normalize(domain);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return cancellationToken.IsCancellationRequested
            ? Task.FromCanceled<MtaStsResolution>(cancellationToken)
            : ResolveSharedAsync(name, recheckRecord: true, cancellationToken);
    }

    /// <summary>Releases the cache and, for a resolver made by <see cref="Create(MtaStsOptions?, ILoggerFactory?, TimeProvider?)"/>, its clients.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _disposing.Cancel();
        _cache.Dispose();
        _ownedResources?.Dispose();
        _disposing.Dispose();
    }

    private void RecordWarmHit(string domain, MtaStsResolution result, long started)
    {
        _metrics.RecordCacheLookup("hit");
        _metrics.RecordResolution(result.Outcome, result.Source, result.Failure, _timeProvider.GetElapsedTime(started));
        Log.CacheHit(_logger, domain);
    }

    /// <summary>Joins the resolution in flight for the domain, or starts it. The caller's token cancels only its own wait.</summary>
    private Task<MtaStsResolution> ResolveSharedAsync(string domain, bool recheckRecord, CancellationToken cancellationToken)
    {
        Task<MtaStsResolution> shared;
        var flights = recheckRecord ? _recheckInFlight : _inFlight;
        while (true)
        {
            if (flights.TryGetValue(domain, out var existing))
            {
                shared = existing;
                break;
            }

            var flight = new TaskCompletionSource<MtaStsResolution>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (flights.TryAdd(domain, flight.Task))
            {
                shared = flight.Task;
                _ = RunFlightAsync(domain, recheckRecord, flight);
                break;
            }
        }

        return cancellationToken.CanBeCanceled && !shared.IsCompleted ? shared.WaitAsync(cancellationToken) : shared;
    }

    /// <summary>The shared work of one domain. It runs with the resolver's lifetime, not any caller's.</summary>
    private async Task RunFlightAsync(string domain, bool recheckRecord, TaskCompletionSource<MtaStsResolution> flight)
    {
        MtaStsResolution? result = null;
        Exception? error = null;
        try
        {
            result = await ResolveUncachedAsync(domain, recheckRecord, _disposing.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Every failure must reach the waiting callers, and the flight must leave the table.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            error = exception;
            if (exception is not OperationCanceledException)
            {
                try
                {
                    Log.ResolutionFailed(_logger, domain, exception);
                }
#pragma warning disable CA1031 // A throwing logging provider must not keep the flight in the table (callers would wait forever).
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }

        // Leave the table first, so a caller that sees the completed flight and asks again starts afresh.
        (recheckRecord ? _recheckInFlight : _inFlight).TryRemove(KeyValuePair.Create(domain, flight.Task));
        if (result is not null)
        {
            flight.TrySetResult(result);
        }
        else if (error is OperationCanceledException canceled)
        {
            flight.TrySetCanceled(canceled.CancellationToken);
        }
        else
        {
            flight.TrySetException(error!);
        }
    }

    private async Task<MtaStsResolution> ResolveUncachedAsync(string domain, bool recheckRecord, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var now = _timeProvider.GetUtcNow();
        var state = _cache.Get(domain);

        // A flight that finished just before this one began may have answered already (unless the record must be
        // looked up again whatever is remembered).
        if (!recheckRecord && state is not null && state.IsWarm(now.UtcTicks))
        {
            var warm = state.WarmResult!.Result;
            RecordWarmHit(domain, warm, started);
            return warm;
        }

        using var activity = MtaStsMetrics.ActivitySource.StartActivity(MtaStsTelemetry.ResolveActivityName, ActivityKind.Internal);
        activity?.SetTag("mtasts.policy_domain", domain);

        var cached = UnexpiredPolicy(domain, state?.Policy, now);
        // "stale": something is remembered but must be rechecked; "miss": nothing is remembered.
        var cacheResult = state is not null ? "stale" : "miss";
        _metrics.RecordCacheLookup(cacheResult);
        Log.Resolving(_logger, domain, cacheResult);

        // RFC 8461 §3.4: only the policy domain itself is asked, never a parent.
        var discovery = await _discoverer.DiscoverAsync(domain, cancellationToken).ConfigureAwait(false);

        now = _timeProvider.GetUtcNow();
        cached = UnexpiredPolicy(domain, cached, now);
        var backoff = state?.Backoff is { } remembered && now < remembered.Until ? remembered : null;

        var (result, next) = discovery.Status == DiscoveryStatus.Found && discovery.Record is not null
            ? await OnRecordFoundAsync(domain, discovery, discovery.Record, cached, backoff, now, cancellationToken).ConfigureAwait(false)
            : OnNoUsableRecord(domain, discovery, cached, backoff, now);

        Store(domain, next);
        _metrics.RecordResolution(result.Outcome, result.Source, result.Failure, _timeProvider.GetElapsedTime(started));
        if (activity is not null)
        {
            activity.SetTag("mtasts.outcome", MtaStsMetrics.OutcomeName(result.Outcome));
            activity.SetTag("mtasts.policy.source", MtaStsMetrics.SourceName(result.Source));
            activity.SetTag("error.type", MtaStsMetrics.FailureName(result.Failure));
            if (result.Outcome is MtaStsOutcome.FetchFailure or MtaStsOutcome.DnsFailure)
            {
                activity.SetStatus(ActivityStatusCode.Error, result.Evidence?.Message);
            }
        }

        return result;
    }

    /// <summary>One valid STS record (RFC 8461 §3.1): use the cache when its id matches and no refresh is due, else fetch.</summary>
    private async Task<(MtaStsResolution Result, DomainState? Next)> OnRecordFoundAsync(
        string domain,
        DiscoveryResult discovery,
        MtaStsRecord record,
        CachedPolicy? cached,
        FetchBackoff? backoff,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        // A definite answer is trusted for its TTL, clamped to the configured window.
        var recheckUntil = now + ClampRecheckInterval(discovery.TimeToLive);
        var sameId = cached is not null && string.Equals(cached.Record.Id, record.Id, StringComparison.Ordinal);

        if (cached is not null && sameId && (now < cached.RefreshDueAt || (backoff?.Blocks(record.Id, now) ?? false)))
        {
            // The id is unchanged: the cached policy is current (RFC 8461 §5.1). The lifetime does not restart.
            return (cached.HitResolution, CacheHitState(cached, backoff, recheckUntil));
        }

        if (!sameId && backoff is not null && backoff.Blocks(record.Id, now))
        {
            // RFC 8461 §3.3: no new attempt for this id before the back-off ends; the remembered failure stands.
            Log.FetchBackoffActive(_logger, domain, record.Id, backoff.Until, backoff.Failure);
            var remembered = FailureResult(domain, record, discovery.Warnings, cached, backoff.Failure, backoff.Evidence);
            return (remembered, new DomainState(cached, backoff, Task.FromResult(remembered), Min(recheckUntil, backoff.Until, cached?.ExpiresAt)));
        }

        // Fetch: nothing cached, a new id, or a proactive refresh of the same id (RFC 8461 §3.3, §10.2).
        var fetch = await _fetcher.FetchAsync(domain, cancellationToken).ConfigureAwait(false);
        var fetchedAt = _timeProvider.GetUtcNow();
        cached = UnexpiredPolicy(domain, cached, fetchedAt);
        var failure = fetch.Failure;
        var evidence = fetch.Evidence;
        if (failure == MtaStsFailure.None)
        {
            var parsed = MtaStsPolicyParser.Parse(fetch.Body ?? string.Empty);
            if (parsed.Policy is { } policy)
            {
                return OnPolicyFetched(domain, record, Concat(discovery.Warnings, parsed.Warnings), policy, cached, fetchedAt, recheckUntil);
            }

            failure = MtaStsFailure.PolicyInvalid;
            evidence = InvalidPolicyEvidence(domain, parsed, fetch);
        }

        evidence ??= new MtaStsEvidence { Message = $"The policy of {domain} could not be fetched.", HttpStatusCode = fetch.HttpStatusCode };
        return OnFetchFailed(domain, record, discovery.Warnings, cached, sameId, failure, evidence, fetchedAt, recheckUntil);
    }

    private (MtaStsResolution Result, DomainState? Next) OnPolicyFetched(
        string domain,
        MtaStsRecord record,
        IReadOnlyList<MtaStsDiagnostic> warnings,
        MtaStsPolicy policy,
        CachedPolicy? previous,
        DateTimeOffset fetchedAt,
        DateTimeOffset recheckUntil)
    {
        Log.PolicyFetched(_logger, domain, record.Id, policy.Mode, policy.MaxAgeSeconds);
        if (previous is not null && (!string.Equals(previous.Record.Id, record.Id, StringComparison.Ordinal) || previous.Policy.Mode != policy.Mode))
        {
            Log.PolicyChanged(_logger, domain, previous.Record.Id, previous.Policy.Mode, record.Id, policy.Mode);
        }

        var fetched = new MtaStsResolution
        {
            Domain = domain,
            Outcome = MtaStsOutcome.Policy,
            Policy = policy,
            Record = record,
            Source = PolicySource.Fetched,
            Warnings = warnings,
            FetchedAt = fetchedAt,
            ExpiresAt = fetchedAt + policy.MaxAge,
        };

        if (policy.MaxAgeSeconds <= 0)
        {
            // Decision A-6: max_age 0 applies to this resolution only. It also supersedes whatever was cached: the
            // publisher has just said not to keep its policy (a stored enforce policy must not outlive that).
            Log.PolicyNotCached(_logger, domain, record.Id);
            return (fetched, null);
        }

        // A fetched, valid policy replaces the cached one whatever its mode, so `mode: none` withdraws an enforce
        // policy at once (RFC 8461 §8.3); the lifetime restarts here and only here (decision A-11).
        var stored = new CachedPolicy(domain, policy, record, warnings, fetchedAt, RefreshDueAt(policy, fetchedAt));
        return (fetched, CacheHitState(stored, backoff: null, recheckUntil));
    }

    private (MtaStsResolution Result, DomainState? Next) OnFetchFailed(
        string domain,
        MtaStsRecord record,
        IReadOnlyList<MtaStsDiagnostic> recordWarnings,
        CachedPolicy? cached,
        bool refreshOfCachedId,
        MtaStsFailure failure,
        MtaStsEvidence evidence,
        DateTimeOffset now,
        DateTimeOffset recheckUntil)
    {
        // RFC 8461 §3.3: no further attempt for this (domain, id) for at least the back-off.
        var backoff = new FetchBackoff(record.Id, now + _options.FailedFetchBackoff, failure, evidence);
        var failureText = FailureText(failure);

        if (cached is not null && refreshOfCachedId)
        {
            // A failed proactive refresh: the cached policy is still current by its id and still applies (Source =
            // Cache, the failure noted). Administrators hear of it unless the mode is none (RFC 8461 §3.3, §10.2).
            if (cached.Policy.Mode == MtaStsMode.None)
            {
                Log.RefreshFailedModeNone(_logger, domain, record.Id, failureText, evidence.Message, backoff.Until);
            }
            else
            {
                Log.RefreshFailed(_logger, domain, record.Id, failureText, evidence.Message, cached.Policy.Mode, cached.ExpiresAt, backoff.Until);
            }

            var result = cached.ToResolution(PolicySource.Cache, failure, evidence);
            return (result, CacheHitState(cached, backoff, recheckUntil));
        }

        if (cached is not null)
        {
            if (cached.Policy.Mode == MtaStsMode.None)
            {
                Log.FetchFailedCachedModeNone(_logger, domain, record.Id, failureText, evidence.Message, cached.Record.Id, backoff.Until);
            }
            else
            {
                Log.FetchFailedCachedPolicyApplied(_logger, domain, record.Id, failureText, evidence.Message, cached.Policy.Mode, cached.Record.Id, cached.ExpiresAt, backoff.Until);
            }
        }
        else
        {
            Log.FetchFailedNothingCached(_logger, domain, record.Id, failureText, evidence.Message, backoff.Until);
        }

        // RFC 8461 §3.3: with an unexpired cached policy, apply it; without one, deliver as without MTA-STS.
        var failed = FailureResult(domain, record, recordWarnings, cached, failure, evidence);
        return (failed, new DomainState(cached, backoff, Task.FromResult(failed), Min(recheckUntil, backoff.Until, cached?.ExpiresAt)));
    }

    /// <summary>No usable record (none, invalid, several) or a DNS failure: a cached policy still applies (RFC 8461 §3.1, §3.3, §5.1).</summary>
    private (MtaStsResolution Result, DomainState? Next) OnNoUsableRecord(
        string domain,
        DiscoveryResult discovery,
        CachedPolicy? cached,
        FetchBackoff? backoff,
        DateTimeOffset now)
    {
        var failure = discovery.Status switch
        {
            DiscoveryStatus.NotFound => MtaStsFailure.RecordNotFound,
            DiscoveryStatus.Invalid => MtaStsFailure.RecordInvalid,
            DiscoveryStatus.Multiple => MtaStsFailure.MultipleRecords,
            DiscoveryStatus.Found => MtaStsFailure.RecordInvalid, // Found without a record: a discoverer bug, treated as invalid.
            _ => MtaStsFailure.DnsFailure,
        };
        var evidence = new MtaStsEvidence
        {
            Message = discovery.Message ?? DefaultDiscoveryMessage(domain, failure),
            TxtRecords = discovery.TxtRecords,
            Errors = discovery.Errors,
            DnsResponseCode = discovery.DnsResponseCode,
        };

        // Only a definite "no record" answer is remembered for its TTL; DNS failures (and malformed sets, which a
        // publisher is likely fixing) are asked again next time.
        DateTimeOffset? recheckUntil = failure == MtaStsFailure.RecordNotFound ? now + ClampRecheckInterval(discovery.TimeToLive) : null;

        if (cached is not null)
        {
            Log.DiscoveryFailedCachedPolicyApplied(_logger, domain, failure, cached.Policy.Mode, cached.Record.Id, cached.ExpiresAt);
            var applied = FailureResult(domain, record: null, [], cached, failure, evidence);
            var warm = recheckUntil is { } until ? Task.FromResult(applied) : null;
            return (applied, new DomainState(cached, backoff, warm, Min(recheckUntil ?? now, cached.ExpiresAt, null)));
        }

        if (failure == MtaStsFailure.DnsFailure)
        {
            Log.DnsFailureNothingCached(_logger, domain, evidence.Message);
        }
        else
        {
            Log.NoPolicy(_logger, domain, failure);
        }

        // Decision A-1: a temporary DNS failure with nothing cached is its own outcome, not "no policy".
        var result = new MtaStsResolution
        {
            Domain = domain,
            Outcome = failure == MtaStsFailure.DnsFailure ? MtaStsOutcome.DnsFailure : MtaStsOutcome.NoPolicy,
            Source = PolicySource.None,
            Failure = failure,
            Evidence = evidence,
        };

        if (recheckUntil is { } noRecordUntil)
        {
            return (result, new DomainState(policy: null, backoff, Task.FromResult(result), noRecordUntil));
        }

        return (result, backoff is null ? null : new DomainState(policy: null, backoff, warmResult: null, now));
    }

    /// <summary>The result when a failure leaves the cached policy (if any) to apply, or nothing.</summary>
    private static MtaStsResolution FailureResult(
        string domain,
        MtaStsRecord? record,
        IReadOnlyList<MtaStsDiagnostic> recordWarnings,
        CachedPolicy? cached,
        MtaStsFailure failure,
        MtaStsEvidence evidence)
    {
        if (cached is not null)
        {
            return cached.ToResolution(PolicySource.CacheAfterFailure, failure, evidence);
        }

        return new MtaStsResolution
        {
            Domain = domain,
            Outcome = MtaStsOutcome.FetchFailure,
            Record = record,
            Source = PolicySource.None,
            Failure = failure,
            Evidence = evidence,
            Warnings = recordWarnings,
        };
    }

    /// <summary>The state after the cache answered or a policy was stored: warm until the TXT answer, the policy or the refresh runs out.</summary>
    private static DomainState CacheHitState(CachedPolicy cached, FetchBackoff? backoff, DateTimeOffset recheckUntil)
    {
        var refreshAt = cached.RefreshDueAt;
        if (backoff is not null && string.Equals(backoff.Id, cached.Record.Id, StringComparison.Ordinal) && backoff.Until > refreshAt)
        {
            refreshAt = backoff.Until;
        }

        return new DomainState(cached, backoff, cached.HitTask, Min(recheckUntil, refreshAt, cached.ExpiresAt));
    }

    private CachedPolicy? UnexpiredPolicy(string domain, CachedPolicy? cached, DateTimeOffset now)
    {
        if (cached is null || now < cached.ExpiresAt)
        {
            return cached;
        }

        // Never applied once expired (RFC 8461 §3.2, §5.1); the next stored state leaves it out.
        Log.CachedPolicyExpired(_logger, domain, cached.Record.Id, cached.ExpiresAt);
        return null;
    }

    private void Store(string domain, DomainState? next)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            if (next is null)
            {
                _cache.Remove(domain);
            }
            else
            {
                _cache.Set(domain, next);
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed while this flight was finishing: nothing to remember.
        }
    }

    /// <summary>When a policy fetched at <paramref name="fetchedAt"/> is fetched again: after <see cref="MtaStsOptions.RefreshAfter"/> or half its max_age, whichever is first, less jitter.</summary>
    private DateTimeOffset RefreshDueAt(MtaStsPolicy policy, DateTimeOffset fetchedAt)
    {
        var halfLife = TimeSpan.FromTicks(policy.MaxAge.Ticks / 2);
        var interval = halfLife < _options.RefreshAfter ? halfLife : _options.RefreshAfter;
        var jitter = TimeSpan.FromTicks((long)(interval.Ticks * RefreshJitterShare * Math.Clamp(JitterSource(), 0.0, 1.0)));
        return fetchedAt + interval - jitter;
    }

    private TimeSpan ClampRecheckInterval(TimeSpan timeToLive)
    {
        if (timeToLive < _options.MinRecordRecheckInterval)
        {
            return _options.MinRecordRecheckInterval;
        }

        return timeToLive > _options.MaxRecordRecheckInterval ? _options.MaxRecordRecheckInterval : timeToLive;
    }

    private static DateTimeOffset Min(DateTimeOffset until, DateTimeOffset other, DateTimeOffset? third)
    {
        var min = until < other ? until : other;
        return third is { } value && value < min ? value : min;
    }

    private static IReadOnlyList<MtaStsDiagnostic> Concat(IReadOnlyList<MtaStsDiagnostic> first, IReadOnlyList<MtaStsDiagnostic> second)
    {
        if (first.Count == 0)
        {
            return second;
        }

        if (second.Count == 0)
        {
            return first;
        }

        var all = new MtaStsDiagnostic[first.Count + second.Count];
        for (var i = 0; i < first.Count; i++)
        {
            all[i] = first[i];
        }

        for (var i = 0; i < second.Count; i++)
        {
            all[first.Count + i] = second[i];
        }

        return all;
    }

    private static MtaStsEvidence InvalidPolicyEvidence(string domain, MtaStsPolicyParseResult parsed, PolicyFetchResult fetch)
    {
        var first = parsed.Errors.Count > 0 ? parsed.Errors[0] : null;
        return new MtaStsEvidence
        {
            Message = first is null
                ? $"The policy of {domain} is not valid."
                : $"The policy of {domain} is not valid: {first}",
            HttpStatusCode = fetch.HttpStatusCode ?? fetch.Evidence?.HttpStatusCode,
            ContentType = fetch.Evidence?.ContentType,
            Errors = parsed.Errors,
            ReasonCode = first?.Code,
        };
    }

    private static string DefaultDiscoveryMessage(string domain, MtaStsFailure failure) => failure switch
    {
        MtaStsFailure.RecordNotFound => $"No MTA-STS TXT record at _mta-sts.{domain}.",
        MtaStsFailure.RecordInvalid => $"The MTA-STS TXT record at _mta-sts.{domain} is not valid.",
        MtaStsFailure.MultipleRecords => $"More than one MTA-STS TXT record at _mta-sts.{domain}.",
        _ => $"The TXT lookup of _mta-sts.{domain} failed temporarily.",
    };

    private static string FailureText(MtaStsFailure failure) => MtaStsResolution.GetReportResultType(failure) ?? MtaStsMetrics.FailureName(failure) ?? "none";

    /// <summary>What a facade-built resolver owns and releases on <see cref="Dispose"/>, last built first released.</summary>
    private sealed class OwnedResources : IDisposable
    {
        private readonly List<IDisposable> _items = [];

        public T Add<T>(T item)
            where T : IDisposable
        {
            _items.Add(item);
            return item;
        }

        public void Dispose()
        {
            for (var i = _items.Count - 1; i >= 0; i--)
            {
                _items[i].Dispose();
            }

            _items.Clear();
        }
    }
}
