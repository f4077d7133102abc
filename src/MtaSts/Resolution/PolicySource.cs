namespace MtaSts;

/// <summary>Where the policy of a resolution came from.</summary>
public enum PolicySource
{
    /// <summary>No policy applies.</summary>
    None = 0,

    /// <summary>Fetched over HTTPS during this resolution.</summary>
    Fetched,

    /// <summary>From the cache, with the TXT record id confirmed current (or within its recheck window).</summary>
    Cache,

    /// <summary>From the cache because discovery or fetching failed (RFC 8461 §3.3: an unexpired cached policy still applies).</summary>
    CacheAfterFailure,

    /// <summary>Pinned by the operator (<see cref="MtaStsOverrideKind.StaticPolicy"/>); nothing was looked up.</summary>
    Override,
}
