using MtaSts.Discovery;
using MtaSts.Fetching;

namespace MtaSts.Caching;

/// <summary>What happened in one resolution, for logs, metrics and events.</summary>
internal enum CacheStep
{
    /// <summary>The TXT id matched the cached policy and no refresh was due (RFC 8461 §5.1).</summary>
    CacheHit,

    /// <summary>A new id, but the last fetch for it failed less than the back-off ago (RFC 8461 §3.3).</summary>
    BackoffActive,

    /// <summary>A policy was fetched and is now cached.</summary>
    Fetched,

    /// <summary>A policy with <c>max_age: 0</c> was fetched: applied now, not cached (decision A-6).</summary>
    FetchedNotCached,

    /// <summary>Refreshing the cached policy (same id) failed; the cached policy applies.</summary>
    RefreshFailed,

    /// <summary>Fetching a new id failed; the older cached policy applies.</summary>
    FetchFailedCachedApplied,

    /// <summary>Fetching failed and nothing is cached.</summary>
    FetchFailedNothingCached,

    /// <summary>No usable TXT record or a DNS failure; the cached policy applies.</summary>
    DiscoveryFailedCachedApplied,

    /// <summary>A temporary DNS failure and nothing cached (decision A-1).</summary>
    DnsFailureNothingCached,

    /// <summary>No record (none, invalid, several) and nothing cached.</summary>
    NoPolicy,
}
