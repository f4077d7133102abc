namespace MtaSts;

/// <summary>
/// A policy memory beyond the process: what the resolver knows about each policy domain, as plain facts
/// (<see cref="StoredPolicy"/>), so that a restart or another node of a fleet can apply a cached policy while DNS or the
/// policy host is unreachable (RFC 8461 §3.3, §5.1). Built in: <see cref="FilePolicyStore"/> for one host, and a Redis
/// store in the <c>MtaSts.Redis</c> package for a fleet.
/// </summary>
/// <remarks>
/// <para>
/// The resolver reads the store when its memory has nothing for a domain (start-up, eviction) and before every policy
/// fetch (another node may have fetched meanwhile, or be backing off a failing host), and writes through after every
/// fetch and every failed fetch. Each call is bounded by <see cref="MtaStsCacheOptions.StoreTimeout"/>: a store that throws,
/// hangs or returns something unusable is skipped for that resolution with a warning, a metric and a trace event, and
/// never fails or stops a resolution.
/// </para>
/// <para>
/// Implementations must be safe for concurrent use, must keep entries no longer than
/// <see cref="StoredPolicy.StoreUntil"/> (nothing is immortal), and must apply <see cref="StoredPolicy.Supersedes"/> in
/// <see cref="SetAsync"/> atomically with respect to other writers, so that a newer fetch always wins.
/// <see cref="StoredPolicyFormat"/> is the documented, versioned serialised form the built-in stores use.
/// </para>
/// </remarks>
public interface IMtaStsPolicyStore
{
    /// <summary>Reads the entry of a policy domain.</summary>
    /// <param name="domain">The policy domain, normalised (lower-case A-label, see <see cref="DomainName.Normalize"/>).</param>
    /// <param name="cancellationToken">Cancelled when the caller's time for the store is up.</param>
    /// <returns>The entry, or <see langword="null"/> when there is none, it has expired or it cannot be read.</returns>
    Task<StoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default);

    /// <summary>Writes an entry unless the entry already stored supersedes it (<see cref="StoredPolicy.Supersedes"/>).</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancelled when the caller's time for the store is up.</param>
    /// <returns><see langword="true"/> when the entry was written; <see langword="false"/> when a newer one was kept.</returns>
    Task<bool> SetAsync(StoredPolicy entry, CancellationToken cancellationToken = default);

    /// <summary>Forgets a policy domain.</summary>
    /// <param name="domain">The policy domain, normalised.</param>
    /// <param name="cancellationToken">Cancelled when the caller's time for the store is up.</param>
    /// <returns><see langword="true"/> when an entry was removed.</returns>
    Task<bool> RemoveAsync(string domain, CancellationToken cancellationToken = default);

    /// <summary>Lists every unexpired entry (for administration: <c>mta-sts cache list</c>, export). Order is unspecified.</summary>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The entries; unreadable ones are skipped.</returns>
    IAsyncEnumerable<StoredPolicy> ListAsync(CancellationToken cancellationToken = default);
}
