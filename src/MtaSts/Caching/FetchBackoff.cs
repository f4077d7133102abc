namespace MtaSts.Caching;

/// <summary>
/// A failed fetch remembered for one (domain, <c>id</c>): no new attempt before <see cref="Until"/>
/// (RFC 8461 §3.3: at least 5 minutes). One per domain entry, so the records are bounded with the cache.
/// </summary>
/// <remarks>The id, the instant, the failure and its reason code are facts a policy store shares with a fleet; the
/// evidence message is an in-memory artefact.</remarks>
internal sealed class FetchBackoff
{
    public FetchBackoff(string id, DateTimeOffset until, MtaStsFailure failure, MtaStsEvidence evidence, string? invalidPolicyText = null)
    {
        Id = id;
        Until = until;
        Failure = failure;
        Evidence = evidence;
        InvalidPolicyText = invalidPolicyText;
    }

    /// <summary>The TXT record id whose policy could not be fetched.</summary>
    public string Id { get; }

    /// <summary>No fetch for <see cref="Id"/> before this instant.</summary>
    public DateTimeOffset Until { get; }

    /// <summary>How the fetch failed.</summary>
    public MtaStsFailure Failure { get; }

    /// <summary>What was seen.</summary>
    public MtaStsEvidence Evidence { get; }

    /// <summary>
    /// The body of an invalid policy received as text (<see cref="MtaStsResolution.InvalidPolicyText"/>), so the
    /// remembered failure reports the same lines for the back-off; in memory only, never written to a policy store.
    /// </summary>
    public string? InvalidPolicyText { get; }

    /// <summary>Whether the back-off still holds <paramref name="id"/> at <paramref name="now"/>.</summary>
    public bool Blocks(string id, DateTimeOffset now) => now < Until && string.Equals(Id, id, StringComparison.Ordinal);

    /// <summary>A back-off read from a policy store: another process (or this one before a restart) failed to fetch.</summary>
    public static FetchBackoff Restore(string domain, StoredBackoff stored) => new(
        stored.RecordId,
        stored.Until,
        stored.Failure,
        new MtaStsEvidence
        {
            Message = $"The last fetch of the MTA-STS policy of {domain} (id {stored.RecordId}) failed " +
                $"({MtaStsResolution.GetReportResultType(stored.Failure)}{(stored.ReasonCode is null ? string.Empty : ", " + stored.ReasonCode)}); " +
                $"no new attempt before {stored.Until:O} (remembered in the policy store, RFC 8461 §3.3).",
            ReasonCode = stored.ReasonCode,
        });

    /// <summary>The facts of this back-off (decision S-1).</summary>
    public StoredBackoff ToStored() => new()
    {
        RecordId = Id,
        Until = Until,
        Failure = Failure,
        ReasonCode = Evidence.ReasonCode,
    };
}
