using Microsoft.Extensions.Caching.Memory;

namespace MtaSts.Caching;

/// <summary>
/// The resolver's private, bounded, in-memory cache of <see cref="DomainState"/> keyed on the normalised policy domain
/// (decision D1: the domain is the key, the TXT <c>id</c> decides when to fetch again).
/// </summary>
/// <remarks>
/// <para>
/// Built on a private <see cref="MemoryCache"/> with <see cref="MemoryCacheOptions.SizeLimit"/> set to
/// <see cref="MtaStsOptions.MaxCachedDomains"/> and size 1 per domain, so it never holds more domains than that; when it
/// is full, MemoryCache compacts the least recently used entries in the background. Its lookup does not allocate.
/// </para>
/// <para>
/// Each domain is stored once as a <see cref="Holder"/> whose state is swapped in place. Entries are never re-added,
/// because a MemoryCache that is exactly full rejects a replacement <em>and</em> drops the entry it would have replaced,
/// which here would silently lose a cached <c>enforce</c> policy (RFC 8461 §3.3 requires applying it until it expires).
/// </para>
/// <para>
/// No MemoryCache time-based expiry is used: MemoryCache reads the system clock, while the resolver's
/// <see cref="TimeProvider"/> is the authority (<see cref="CachedPolicy.ExpiresAt"/>). Stale states are dropped by the
/// resolver when it meets them, and unused ones by size compaction.
/// </para>
/// </remarks>
internal sealed class PolicyCache : IDisposable
{
    private readonly MemoryCache _cache;

    public PolicyCache(int maxDomains)
    {
        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = maxDomains,

            // MemoryCache compacts down to SizeLimit × (1 − CompactionPercentage); with the default 5 % a small limit
            // (under 20) would compact nothing and new domains would never get in. Remove at least one entry.
            CompactionPercentage = Math.Min(1.0, Math.Max(0.05, 1.0 / maxDomains)),
        });
    }

    /// <summary>The number of domains held.</summary>
    public int Count => _cache.Count;

    /// <summary>The state of a domain, or <see langword="null"/>. Allocation-free.</summary>
    public DomainState? Get(string domain) =>
        _cache.TryGetValue(domain, out var value) && value is Holder holder ? holder.State : null;

    /// <summary>Stores the state of a domain, replacing the previous one in place.</summary>
    public void Set(string domain, DomainState state)
    {
        if (_cache.TryGetValue(domain, out var value) && value is Holder holder)
        {
            holder.State = state;
            return;
        }

        // A new domain. When the cache is full MemoryCache refuses it (and compacts in the background); the resolution
        // still gets its answer, the domain is just not remembered this time.
        using var entry = _cache.CreateEntry(domain);
        entry.Size = 1;
        entry.Value = new Holder(state);
    }

    /// <summary>Forgets a domain.</summary>
    public void Remove(string domain) => _cache.Remove(domain);

    public void Dispose() => _cache.Dispose();

    /// <summary>The per-domain slot; <see cref="State"/> is replaced atomically (a reference write).</summary>
    private sealed class Holder
    {
        private volatile DomainState _state;

        public Holder(DomainState state)
        {
            _state = state;
        }

        public DomainState State
        {
            get => _state;
            set => _state = value;
        }
    }
}
