namespace MtaSts.Caching;

/// <summary>A validated policy held in memory, with the TXT record it was fetched under (RFC 8461 §3.2, §5.1).</summary>
/// <remarks>
/// Immutable. The facts (<see cref="Record"/>'s id and text, the policy text, <see cref="FetchedAt"/>,
/// <see cref="ExpiresAt"/>) are what a policy store keeps (<see cref="ToStored"/>, decision S-1); everything else is an
/// in-memory artefact rebuilt from them (<see cref="Restore"/>): the parsed policy, the refresh instant (it carries
/// jitter) and the hit result with its completed task, built once so a warm resolution returns them without allocating.
/// <see cref="ExpiresAt"/>, computed from the injected <see cref="TimeProvider"/>, is the only authority on whether the
/// policy may still be applied.
/// </remarks>
internal sealed class CachedPolicy
{
    public CachedPolicy(
        string domain,
        MtaStsPolicy policy,
        MtaStsRecord record,
        IReadOnlyList<MtaStsDiagnostic> warnings,
        DateTimeOffset fetchedAt,
        DateTimeOffset refreshDueAt,
        DateTimeOffset? expiresAt = null)
    {
        Policy = policy;
        Record = record;
        Warnings = warnings;
        FetchedAt = fetchedAt;
        ExpiresAt = expiresAt ?? fetchedAt + policy.MaxAge;
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

    /// <summary>
    /// Rebuilds a cached policy from stored facts: the policy text is parsed again (a text that no longer parses is
    /// refused), and the expiry is the earlier of the stored one and fetch time plus the parsed <c>max_age</c>, so a
    /// tampered or foreign entry can never make a policy outlive its own <c>max_age</c> (decision S-3).
    /// </summary>
    /// <returns>The policy, or <see langword="null"/> when the entry holds none or it is not valid.</returns>
    public static CachedPolicy? Restore(StoredPolicy stored, Func<MtaStsPolicy, DateTimeOffset, DateTimeOffset> refreshDueAt)
    {
        if (!stored.HasPolicy)
        {
            return null;
        }

        var parsed = MtaStsPolicyParser.Parse(stored.PolicyText!);
        if (parsed.Policy is not { } policy || policy.MaxAgeSeconds <= 0)
        {
            return null;
        }

        var (record, recordWarnings) = RestoreRecord(stored);
        var fetchedAt = stored.FetchedAt!.Value;
        var byMaxAge = fetchedAt + policy.MaxAge;
        var expiresAt = stored.ExpiresAt!.Value < byMaxAge ? stored.ExpiresAt.Value : byMaxAge;
        var warnings = Concat(recordWarnings, parsed.Warnings);
        return new CachedPolicy(stored.Domain, policy, record, warnings, fetchedAt, refreshDueAt(policy, fetchedAt), expiresAt);
    }

    /// <summary>The facts of this policy, with a back-off if there is one (decision S-1).</summary>
    public static StoredPolicy ToStored(string domain, CachedPolicy? policy, FetchBackoff? backoff) => new()
    {
        Domain = domain,
        RecordId = policy?.Record.Id,
        RecordText = policy?.Record.Text,
        PolicyText = policy?.Policy.Text,
        FetchedAt = policy?.FetchedAt,
        ExpiresAt = policy?.ExpiresAt,
        Backoff = backoff?.ToStored(),
    };

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

    /// <summary>Joins two diagnostic lists without copying when one is empty.</summary>
    internal static IReadOnlyList<MtaStsDiagnostic> Concat(IReadOnlyList<MtaStsDiagnostic> first, IReadOnlyList<MtaStsDiagnostic> second)
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

    /// <summary>The record as stored (with its warnings) when its text still parses to the stored id; else a record of the id alone.</summary>
    private static (MtaStsRecord Record, IReadOnlyList<MtaStsDiagnostic> Warnings) RestoreRecord(StoredPolicy stored)
    {
        if (stored.RecordText is { } text && MtaStsRecordParser.Parse(text) is { Record: { } parsed } result && parsed.Id == stored.RecordId)
        {
            return (parsed, result.Warnings);
        }

        return (new MtaStsRecord(stored.RecordId!, $"v=STSv1; id={stored.RecordId}"), []);
    }
}
