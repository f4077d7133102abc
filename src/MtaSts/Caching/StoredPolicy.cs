namespace MtaSts;

/// <summary>
/// What a policy store keeps about one policy domain: plain facts only (decision S-1) — the policy text as fetched, the
/// TXT record it was fetched under, when it was fetched and when it expires, and the back-off after a failed fetch.
/// Parsed policies and results are rebuilt from these facts when they are read back.
/// </summary>
/// <remarks>
/// An entry holds a policy (<see cref="PolicyText"/> with <see cref="RecordId"/>, <see cref="FetchedAt"/> and
/// <see cref="ExpiresAt"/>), a back-off (<see cref="Backoff"/>), or both. <see cref="StoredPolicyFormat"/> writes and reads
/// the versioned serialised form.
/// </remarks>
public sealed class StoredPolicy
{
    /// <summary>The policy domain, normalised (lower-case A-label).</summary>
    public required string Domain { get; init; }

    /// <summary>The <c>id</c> of the TXT record the policy was fetched under, or <see langword="null"/> without a policy.</summary>
    public string? RecordId { get; init; }

    /// <summary>The TXT record as published (its strings joined), when known; it restores the record's warnings.</summary>
    public string? RecordText { get; init; }

    /// <summary>The policy body exactly as fetched (RFC 8461 §3.2), or <see langword="null"/> without a policy.</summary>
    public string? PolicyText { get; init; }

    /// <summary>When the policy was fetched; only a successful fetch sets it (decision A-11).</summary>
    public DateTimeOffset? FetchedAt { get; init; }

    /// <summary>When the policy expires: <see cref="FetchedAt"/> plus its <c>max_age</c> (RFC 8461 §3.2).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The last failed fetch, shared so that a fleet does not hammer a failing policy host (RFC 8461 §3.3).</summary>
    public StoredBackoff? Backoff { get; init; }

    /// <summary>Whether the entry holds a policy (<see cref="PolicyText"/>, <see cref="RecordId"/>, both instants).</summary>
    public bool HasPolicy => PolicyText is not null && RecordId is not null && FetchedAt is not null && ExpiresAt is not null;

    /// <summary>
    /// Until when a store keeps the entry (decision S-3): the later of the policy's expiry and the back-off's end, or
    /// <see langword="null"/> for an entry with neither (which is not worth storing).
    /// </summary>
    public DateTimeOffset? StoreUntil
    {
        get
        {
            var policyUntil = HasPolicy ? ExpiresAt : null;
            var backoffUntil = Backoff?.Until;
            if (policyUntil is null)
            {
                return backoffUntil;
            }

            return backoffUntil is { } until && until > policyUntil ? until : policyUntil;
        }
    }

    /// <summary>Whether the entry still holds something at <paramref name="now"/> (an unexpired policy or back-off).</summary>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> when a store should still return the entry.</returns>
    public bool IsLiveAt(DateTimeOffset now) => StoreUntil is { } until && now < until;

    /// <summary>
    /// Which write wins (decision S-4): whether <paramref name="incoming"/> should replace <paramref name="existing"/>. A
    /// newer policy fetch wins (so a <c>mode: none</c> fetched after an <c>enforce</c> replaces it, RFC 8461 §5); for the
    /// same fetch, the later back-off wins; an older fetch never replaces a newer one, and nothing but a fetch moves
    /// <see cref="FetchedAt"/>, so an unchanged id never extends a policy's lifetime.
    /// </summary>
    /// <param name="incoming">The entry to be written.</param>
    /// <param name="existing">The entry stored now, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="incoming"/> should be written.</returns>
    public static bool Supersedes(StoredPolicy incoming, StoredPolicy? existing)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        if (existing is null)
        {
            return true;
        }

        var incomingFetch = incoming.HasPolicy ? incoming.FetchedAt!.Value : DateTimeOffset.MinValue;
        var existingFetch = existing.HasPolicy ? existing.FetchedAt!.Value : DateTimeOffset.MinValue;
        if (incomingFetch != existingFetch)
        {
            return incomingFetch > existingFetch;
        }

        return (incoming.Backoff?.Until ?? DateTimeOffset.MinValue) >= (existing.Backoff?.Until ?? DateTimeOffset.MinValue);
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var policy = HasPolicy ? $"id {RecordId}, fetched {FetchedAt:O}, expires {ExpiresAt:O}" : "no policy";
        return Backoff is { } backoff ? $"{Domain}: {policy}; {backoff}" : $"{Domain}: {policy}";
    }
}
