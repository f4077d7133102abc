namespace MtaSts.Caching;

/// <summary>
/// The resolver's private, bounded, in-memory cache of <see cref="DomainState"/> keyed on the normalised policy domain
/// (decision D1: the domain is the key, the TXT <c>id</c> decides when to fetch again), holding at most
/// <see cref="MtaStsOptions.MaxCachedDomains"/> domains. A <see cref="BoundedCache{T}"/>: lookups do not allocate, a
/// state is replaced in place, and the resolver's <see cref="TimeProvider"/> (<see cref="CachedPolicy.ExpiresAt"/>) is
/// the only clock; stale states are dropped by the resolver when it meets them, unused ones by size compaction.
/// </summary>
internal sealed class PolicyCache : IDisposable
{
    private readonly BoundedCache<DomainState> _cache;

    public PolicyCache(int maxDomains)
    {
        _cache = new BoundedCache<DomainState>(maxDomains);
    }

    /// <summary>The number of domains held.</summary>
    public int Count => _cache.Count;

    /// <summary>The state of a domain, or <see langword="null"/>. Allocation-free.</summary>
    public DomainState? Get(string domain) => _cache.Get(domain);

    /// <summary>Stores the state of a domain, replacing the previous one in place. When the cache is full a new domain
    /// may not be remembered this time; the resolution still gets its answer.</summary>
    public void Set(string domain, DomainState state) => _cache.Set(domain, state);

    /// <summary>Forgets a domain.</summary>
    public void Remove(string domain) => _cache.Remove(domain);

    public void Dispose() => _cache.Dispose();
}
