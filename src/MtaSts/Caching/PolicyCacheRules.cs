using System.Text;
using MtaSts.Discovery;
using MtaSts.Fetching;

namespace MtaSts.Caching;

/// <summary>
/// The cache state machine of RFC 8461 §3.3 and §5.1 as pure functions: what is remembered × the discovery result × the
/// fetch result × now → the resolution and what to remember next. No I/O, no clock, no logging: the resolver gathers
/// the facts, calls these rules and applies their verdicts (logs, events, the memory and the store).
/// </summary>
/// <remarks>
/// A resolution takes two steps: <see cref="AfterDiscovery"/> decides from the TXT answer whether the cache answers or a
/// fetch is needed; <see cref="AfterFetch"/> decides from the fetch. <see cref="Merge"/> folds what a policy store holds
/// into what memory holds, and <see cref="IsRefreshDue"/> tells the refresher which policies to fetch again.
/// </remarks>
internal static class PolicyCacheRules
{
    /// <summary>At most this share of the refresh interval is taken off at random, so refreshes of many domains spread out.</summary>
    internal const double RefreshJitterShare = 0.1;

    /// <summary>A fetched <c>max_age</c> below this share of the cached one counts as a downgrade (decision S-5).</summary>
    private const long MaxAgeDowngradeDivisor = 10;

    /// <summary>The options the rules read.</summary>
    internal readonly record struct Settings(TimeSpan FailedFetchBackoff, TimeSpan MinRecordRecheck, TimeSpan MaxRecordRecheck, TimeSpan RefreshAfter)
    {
        public static Settings From(MtaStsOptions options) =>
            new(options.Cache.FailedFetchBackoff, options.Cache.MinRecordRecheckInterval, options.Cache.MaxRecordRecheckInterval, options.Cache.RefreshAfter);
    }

    /// <summary>
    /// The first step: one TXT answer against what is remembered. <paramref name="cached"/> and <paramref name="backoff"/>
    /// must be unexpired at <paramref name="now"/>. Returns the verdict, or <see langword="null"/> when the policy must be
    /// fetched for <paramref name="discovery"/>'s record.
    /// </summary>
    public static CacheVerdict? AfterDiscovery(in Settings settings, string domain, CachedPolicy? cached, FetchBackoff? backoff, DiscoveryResult discovery, DateTimeOffset now)
    {
        if (discovery.Status != DiscoveryStatus.Found || discovery.Record is not { } record)
        {
            return NoUsableRecord(settings, domain, cached, backoff, discovery, now);
        }

        // A definite answer is trusted for its TTL, clamped to the configured window.
        var recheckUntil = now + ClampRecheck(settings, discovery.TimeToLive);
        var sameId = cached is not null && string.Equals(cached.Record.Id, record.Id, StringComparison.Ordinal);

        if (sameId && (now < cached!.RefreshDueAt || (backoff?.Blocks(record.Id, now) ?? false)))
        {
            // RFC 8461 §5.1: the id is unchanged, so the cached policy is current. Its lifetime does not restart;
            // a refresh that is due but backing off waits for the back-off (§3.3).
            return new CacheVerdict(cached.HitResolution, HitState(cached, backoff, recheckUntil), CacheStep.CacheHit, cached, record);
        }

        if (!sameId && backoff is not null && backoff.Blocks(record.Id, now))
        {
            // RFC 8461 §3.3: no new attempt for this id before the back-off ends; the remembered failure stands.
            var remembered = FailureResult(domain, record, discovery.Warnings, cached, backoff.Failure, backoff.Evidence, backoff.InvalidPolicyText);
            var state = new DomainState(cached, backoff, Task.FromResult(remembered), Min(recheckUntil, backoff.Until, cached?.ExpiresAt));
            return new CacheVerdict(remembered, state, CacheStep.BackoffActive, cached, record) { Downgrade = AppliedAfterFailure(remembered) };
        }

        // RFC 8461 §3.3, §10.2: nothing cached, a new id, or a refresh of the same id is due: fetch.
        return null;
    }

    /// <summary>
    /// The second step: the fetch made for <paramref name="record"/>, judged against what is remembered.
    /// <paramref name="cached"/> must be unexpired at <paramref name="fetchedAt"/>; <paramref name="jitter"/> is a number in
    /// [0, 1) that spreads refreshes out.
    /// </summary>
    public static CacheVerdict AfterFetch(
        in Settings settings,
        string domain,
        CachedPolicy? cached,
        DiscoveryResult discovery,
        MtaStsRecord record,
        PolicyFetchResult fetch,
        DateTimeOffset discoveredAt,
        DateTimeOffset fetchedAt,
        double jitter)
    {
        var recheckUntil = discoveredAt + ClampRecheck(settings, discovery.TimeToLive);
        var failure = fetch.Failure;
        var evidence = fetch.Evidence;
        string? invalidPolicyText = null;
        if (failure == MtaStsFailure.None)
        {
            var parsed = MtaStsPolicyParser.Parse(fetch.Body ?? string.Empty);
            if (parsed.Policy is { } policy)
            {
                return PolicyFetched(settings, domain, record, CachedPolicy.Concat(discovery.Warnings, parsed.Warnings), policy, cached, fetchedAt, recheckUntil, jitter);
            }

            failure = MtaStsFailure.PolicyInvalid;
            evidence = InvalidPolicyEvidence(domain, parsed, fetch);

            // Decision R-9: the report lists the received lines when the body was text within 64 KiB.
            invalidPolicyText = fetch.Body is { } body && Encoding.UTF8.GetByteCount(body) <= TlsRptPolicy.MaxPolicyTextBytes ? body : null;
        }

        evidence ??= new MtaStsEvidence { Message = $"The policy of {domain} could not be fetched.", HttpStatusCode = fetch.HttpStatusCode };
        return FetchFailed(settings, domain, record, discovery.Warnings, cached, failure, evidence, invalidPolicyText, fetchedAt, recheckUntil);
    }

    /// <summary>
    /// Folds a stored entry into what memory holds (decision S-2, S-4): the policy fetched last wins, and the back-off
    /// that lasts longer wins. Neither is applied here once expired; callers still check expiry against their clock.
    /// </summary>
    public static (CachedPolicy? Policy, FetchBackoff? Backoff) Merge(CachedPolicy? memoryPolicy, FetchBackoff? memoryBackoff, CachedPolicy? storedPolicy, FetchBackoff? storedBackoff)
    {
        var policy = storedPolicy is not null && (memoryPolicy is null || storedPolicy.FetchedAt > memoryPolicy.FetchedAt) ? storedPolicy : memoryPolicy;
        var backoff = storedBackoff is not null && (memoryBackoff is null || storedBackoff.Until > memoryBackoff.Until) ? storedBackoff : memoryBackoff;
        return (policy, backoff);
    }

    /// <summary>
    /// When a policy fetched at <paramref name="fetchedAt"/> is fetched again: after <see cref="Settings.RefreshAfter"/> or
    /// half its max_age, whichever is first (RFC 8461 §3.3, §10.2), less up to 10 % jitter.
    /// </summary>
    public static DateTimeOffset RefreshDueAt(in Settings settings, MtaStsPolicy policy, DateTimeOffset fetchedAt, double jitter)
    {
        var halfLife = TimeSpan.FromTicks(policy.MaxAge.Ticks / 2);
        var interval = halfLife < settings.RefreshAfter ? halfLife : settings.RefreshAfter;
        var cut = TimeSpan.FromTicks((long)(interval.Ticks * RefreshJitterShare * Math.Clamp(jitter, 0.0, 1.0)));
        return fetchedAt + interval - cut;
    }

    /// <summary>
    /// Whether the refresher should fetch a domain's policy again now: it holds an unexpired policy whose refresh is due,
    /// a caller asked for the domain within <paramref name="recentlyUsed"/>, and no back-off holds the policy's id
    /// (RFC 8461 §3.3, §10.2). Domains not used recently are left to age out.
    /// </summary>
    public static bool IsRefreshDue(DomainState state, DateTimeOffset lastUsed, DateTimeOffset now, TimeSpan recentlyUsed) =>
        state.Policy is { } policy
        && now < policy.ExpiresAt
        && now >= policy.RefreshDueAt
        && now - lastUsed <= recentlyUsed
        && !(state.Backoff?.Blocks(policy.Record.Id, now) ?? false);

    /// <summary>Whether a policy fetched now weakens the one cached before (decision S-5).</summary>
    public static PolicyDowngradeKind Weakening(MtaStsPolicy? previous, MtaStsPolicy current)
    {
        if (previous is null || previous.Mode == MtaStsMode.None)
        {
            return PolicyDowngradeKind.None;
        }

        var kind = PolicyDowngradeKind.None;
        if (Strength(current.Mode) < Strength(previous.Mode))
        {
            kind |= PolicyDowngradeKind.ModeWeakened;
        }

        if (current.Mode != MtaStsMode.None && !SamePatterns(previous.MxPatterns, current.MxPatterns))
        {
            kind |= PolicyDowngradeKind.MxPatternsChanged;
        }

        if (current.MaxAgeSeconds < previous.MaxAgeSeconds / MaxAgeDowngradeDivisor)
        {
            kind |= PolicyDowngradeKind.MaxAgeReduced;
        }

        return kind;
    }

    /// <summary>A TXT TTL clamped to the record recheck window.</summary>
    public static TimeSpan ClampRecheck(in Settings settings, TimeSpan timeToLive)
    {
        if (timeToLive < settings.MinRecordRecheck)
        {
            return settings.MinRecordRecheck;
        }

        return timeToLive > settings.MaxRecordRecheck ? settings.MaxRecordRecheck : timeToLive;
    }

    private static CacheVerdict PolicyFetched(
        in Settings settings,
        string domain,
        MtaStsRecord record,
        IReadOnlyList<MtaStsDiagnostic> warnings,
        MtaStsPolicy policy,
        CachedPolicy? previous,
        DateTimeOffset fetchedAt,
        DateTimeOffset recheckUntil,
        double jitter)
    {
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
        var downgrade = Weakening(previous?.Policy, policy);

        if (policy.MaxAgeSeconds <= 0)
        {
            // Decision A-6: max_age 0 applies to this resolution only. It also supersedes whatever was cached, here and in
            // the store: the publisher has just said not to keep its policy (a stored enforce policy must not outlive that).
            return new CacheVerdict(fetched, null, CacheStep.FetchedNotCached, previous, record) { Store = StoreAction.Remove, Downgrade = downgrade };
        }

        // A fetched, valid policy replaces the cached one whatever its mode, so `mode: none` withdraws an enforce policy at
        // once (RFC 8461 §8.3); the lifetime restarts here and only here (decision A-11).
        var stored = new CachedPolicy(domain, policy, record, warnings, fetchedAt, RefreshDueAt(settings, policy, fetchedAt, jitter));
        return new CacheVerdict(fetched, HitState(stored, backoff: null, recheckUntil), CacheStep.Fetched, previous, record)
        {
            Store = StoreAction.Write,
            Downgrade = downgrade,
        };
    }

    private static CacheVerdict FetchFailed(
        in Settings settings,
        string domain,
        MtaStsRecord record,
        IReadOnlyList<MtaStsDiagnostic> recordWarnings,
        CachedPolicy? cached,
        MtaStsFailure failure,
        MtaStsEvidence evidence,
        string? invalidPolicyText,
        DateTimeOffset now,
        DateTimeOffset recheckUntil)
    {
        // RFC 8461 §3.3: no further attempt for this (domain, id) for at least the back-off; shared through the store.
        var backoff = new FetchBackoff(record.Id, now + settings.FailedFetchBackoff, failure, evidence, invalidPolicyText);

        if (cached is not null && string.Equals(cached.Record.Id, record.Id, StringComparison.Ordinal))
        {
            // A failed refresh: the cached policy is still current by its id and still applies (Source = Cache, the
            // failure noted). Administrators hear of it unless the mode is none (RFC 8461 §3.3, §10.2).
            var result = cached.ToResolution(PolicySource.Cache, failure, evidence);
            return new CacheVerdict(result, HitState(cached, backoff, recheckUntil), CacheStep.RefreshFailed, cached, record) { Store = StoreAction.Write };
        }

        // RFC 8461 §3.3: with an unexpired cached policy, apply it; without one, deliver as without MTA-STS.
        var failed = FailureResult(domain, record, recordWarnings, cached, failure, evidence, invalidPolicyText);
        var state = new DomainState(cached, backoff, Task.FromResult(failed), Min(recheckUntil, backoff.Until, cached?.ExpiresAt));
        var step = cached is null ? CacheStep.FetchFailedNothingCached : CacheStep.FetchFailedCachedApplied;
        return new CacheVerdict(failed, state, step, cached, record) { Store = StoreAction.Write, Downgrade = AppliedAfterFailure(failed) };
    }

    /// <summary>No usable record (none, invalid, several) or a DNS failure: a cached policy still applies (RFC 8461 §3.1, §3.3, §5.1).</summary>
    private static CacheVerdict NoUsableRecord(in Settings settings, string domain, CachedPolicy? cached, FetchBackoff? backoff, DiscoveryResult discovery, DateTimeOffset now)
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
        DateTimeOffset? recheckUntil = failure == MtaStsFailure.RecordNotFound ? now + ClampRecheck(settings, discovery.TimeToLive) : null;

        if (cached is not null)
        {
            var applied = FailureResult(domain, record: null, [], cached, failure, evidence, invalidPolicyText: null);
            var warm = recheckUntil is not null ? Task.FromResult(applied) : null;
            var downgrade = cached.Policy.Mode == MtaStsMode.None
                ? PolicyDowngradeKind.None
                : PolicyDowngradeKind.AppliedAfterFailure | (failure == MtaStsFailure.RecordNotFound ? PolicyDowngradeKind.RecordRemoved : PolicyDowngradeKind.None);
            return new CacheVerdict(applied, new DomainState(cached, backoff, warm, Min(recheckUntil ?? now, cached.ExpiresAt, null)), CacheStep.DiscoveryFailedCachedApplied, cached, record: null)
            {
                Downgrade = downgrade,
            };
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
        var step = failure == MtaStsFailure.DnsFailure ? CacheStep.DnsFailureNothingCached : CacheStep.NoPolicy;

        DomainState? next = recheckUntil is { } noRecordUntil
            ? new DomainState(policy: null, backoff, Task.FromResult(result), noRecordUntil)
            : backoff is null ? null : new DomainState(policy: null, backoff, warmResult: null, now);
        return new CacheVerdict(result, next, step, previous: null, record: null);
    }

    /// <summary>
    /// The result when a failure leaves the cached policy (if any) to apply, or nothing. The invalid body is kept only
    /// in the latter case: with a cached policy the report lists the cached policy's lines.
    /// </summary>
    private static MtaStsResolution FailureResult(
        string domain,
        MtaStsRecord? record,
        IReadOnlyList<MtaStsDiagnostic> recordWarnings,
        CachedPolicy? cached,
        MtaStsFailure failure,
        MtaStsEvidence evidence,
        string? invalidPolicyText)
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
            InvalidPolicyText = failure == MtaStsFailure.PolicyInvalid ? invalidPolicyText : null,
        };
    }

    /// <summary>The state after the cache answered or a policy was stored: warm until the TXT answer, the policy or the refresh runs out.</summary>
    private static DomainState HitState(CachedPolicy cached, FetchBackoff? backoff, DateTimeOffset recheckUntil)
    {
        var refreshAt = cached.RefreshDueAt;
        if (backoff is not null && string.Equals(backoff.Id, cached.Record.Id, StringComparison.Ordinal) && backoff.Until > refreshAt)
        {
            refreshAt = backoff.Until;
        }

        return new DomainState(cached, backoff, cached.HitTask, Min(recheckUntil, refreshAt, cached.ExpiresAt));
    }

    /// <summary>A cached policy applied after a failure is a downgrade signal, unless it is <c>mode: none</c> (nothing to lose).</summary>
    private static PolicyDowngradeKind AppliedAfterFailure(MtaStsResolution result) =>
        result.Source == PolicySource.CacheAfterFailure && result.Policy is { Mode: not MtaStsMode.None }
            ? PolicyDowngradeKind.AppliedAfterFailure
            : PolicyDowngradeKind.None;

    private static int Strength(MtaStsMode mode) => mode switch
    {
        MtaStsMode.Enforce => 2,
        MtaStsMode.Testing => 1,
        _ => 0,
    };

    /// <summary>Whether two pattern lists allow the same hosts (order and case do not matter).</summary>
    private static bool SamePatterns(IReadOnlyList<MxPattern> first, IReadOnlyList<MxPattern> second)
    {
        static bool Covers(IReadOnlyList<MxPattern> all, IReadOnlyList<MxPattern> some)
        {
            foreach (var pattern in some)
            {
                var found = false;
                foreach (var candidate in all)
                {
                    if (string.Equals(candidate.ToString(), pattern.ToString(), StringComparison.OrdinalIgnoreCase))
                    {
                        found = true;
                        break;
                    }
                }

                if (!found)
                {
                    return false;
                }
            }

            return true;
        }

        return Covers(first, second) && Covers(second, first);
    }

    private static DateTimeOffset Min(DateTimeOffset until, DateTimeOffset other, DateTimeOffset? third)
    {
        var min = until < other ? until : other;
        return third is { } value && value < min ? value : min;
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
}
