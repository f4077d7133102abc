namespace MtaSts.Caching;

/// <summary>A validated policy held in the cache, with the TXT record it was fetched under (RFC 8461 §3.2, §5.1).</summary>
/// <remarks>
/// Immutable. <see cref="ExpiresAt"/>, computed from the injected <see cref="TimeProvider"/>, is the only authority on
/// whether the policy may still be applied. The hit result (<see cref="PolicySource.Cache"/>) and its completed task are
/// built once here, so a warm resolution returns them without allocating.
/// </remarks>
internal sealed class CachedPolicy
{
    public CachedPolicy(
        string domain,
        MtaStsPolicy policy,
        MtaStsRecord record,
        IReadOnlyList<MtaStsDiagnostic> warnings,
        DateTimeOffset fetchedAt,
        DateTimeOffset refreshDueAt)
    {
        Policy = policy;
        Record = record;
        Warnings = warnings;
        FetchedAt = fetchedAt;
        ExpiresAt = fetchedAt + policy.MaxAge;
        RefreshDueAt = refreshDueAt;
        Domain = domain;
        HitResolution = ToResolution(PolicySource.Cache, MtaStsFailure.None, evidence: null);
        HitTask = Task.FromResult(HitResolution);
    }

    /// <summary>The policy domain.</summary>
    public string Domain { get; }

    public MtaStsPolicy Policy { get; }

    /// <summary>The TXT record whose <c>id</c> the policy was fetched under; a different id means "fetch again".</summary>
    public MtaStsRecord Record { get; }

    /// <summary>The record's and the policy's warnings, as reported when the policy was fetched.</summary>
    public IReadOnlyList<MtaStsDiagnostic> Warnings { get; }

    /// <summary>When the policy was fetched (the lifetime restarts only here, decision A-11).</summary>
    public DateTimeOffset FetchedAt { get; }

    /// <summary><see cref="FetchedAt"/> plus <c>max_age</c> (RFC 8461 §3.2); at and after this instant the policy is never applied.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>From this instant a resolution fetches the policy again even when the TXT id is unchanged (RFC 8461 §3.3, §10.2).</summary>
    public DateTimeOffset RefreshDueAt { get; }

    /// <summary>The result of a cache hit: <see cref="PolicySource.Cache"/>, no failure.</summary>
    public MtaStsResolution HitResolution { get; }

    /// <summary><see cref="HitResolution"/> as a completed task, shared by every warm resolution.</summary>
    public Task<MtaStsResolution> HitTask { get; }

    /// <summary>This cached policy applied, as a resolution from <paramref name="source"/>, carrying a failure seen meanwhile.</summary>
    public MtaStsResolution ToResolution(PolicySource source, MtaStsFailure failure, MtaStsEvidence? evidence) => new()
    {
        Domain = Domain,
        Outcome = MtaStsOutcome.Policy,
        Policy = Policy,
        Record = Record,
        Source = source,
        Failure = failure,
        Evidence = evidence,
        Warnings = Warnings,
        FetchedAt = FetchedAt,
        ExpiresAt = ExpiresAt,
    };
}
