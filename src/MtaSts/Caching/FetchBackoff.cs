namespace MtaSts.Caching;

/// <summary>
/// A failed fetch remembered for one (domain, <c>id</c>): no new attempt before <see cref="Until"/>
/// (RFC 8461 §3.3: at least 5 minutes). One per domain entry, so the records are bounded with the cache.
/// </summary>
internal sealed class FetchBackoff
{
    public FetchBackoff(string id, DateTimeOffset until, MtaStsFailure failure, MtaStsEvidence evidence)
    {
        Id = id;
        Until = until;
        Failure = failure;
        Evidence = evidence;
    }

    /// <summary>The TXT record id whose policy could not be fetched.</summary>
    public string Id { get; }

    /// <summary>No fetch for <see cref="Id"/> before this instant.</summary>
    public DateTimeOffset Until { get; }

    /// <summary>How the fetch failed.</summary>
    public MtaStsFailure Failure { get; }

    /// <summary>What was seen.</summary>
    public MtaStsEvidence Evidence { get; }

    /// <summary>Whether the back-off still holds <paramref name="id"/> at <paramref name="now"/>.</summary>
    public bool Blocks(string id, DateTimeOffset now) => now < Until && string.Equals(Id, id, StringComparison.Ordinal);
}
