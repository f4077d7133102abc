using System.Collections.Concurrent;

namespace MtaSts.Caching;

/// <summary>
/// The resolver's private, bounded, in-memory cache (L1) keyed on the normalised policy domain (decision 0001: the domain
/// is the key, the TXT <c>id</c> decides when to fetch again), holding at most <see cref="MtaStsCacheOptions.MaxDomains"/>
/// domains. A <see cref="BoundedCache{T}"/>: lookups do not allocate, a domain's <see cref="DomainEntry"/> is created once
/// and its state replaced in place, and the resolver's <see cref="TimeProvider"/> is the only clock; stale states are
/// dropped by the resolver when it meets them, unused ones by size compaction.
/// </summary>
/// <remarks>
/// The domains whose entry holds a policy are also listed in <see cref="WithPolicy"/>, for the
/// <see cref="PolicyRefresher"/>; that list shrinks with the cache (an evicted or removed entry leaves it).
/// </remarks>
internal sealed class PolicyCache : IDisposable
{
    private readonly BoundedCache<DomainEntry> _cache;
    private readonly ConcurrentDictionary<string, DomainEntry> _withPolicy = new(StringComparer.Ordinal);

    public PolicyCache(int maxDomains)
    {
        _cache = new BoundedCache<DomainEntry>(maxDomains, (domain, entry) => _withPolicy.TryRemove(KeyValuePair.Create(domain, entry)));
    }

    /// <summary>The number of domains held.</summary>
    public int Count => _cache.Count;

    /// <summary>The domains whose entry held a policy when it was last stored (a policy may have expired since).</summary>
    public IEnumerable<KeyValuePair<string, DomainEntry>> WithPolicy => _withPolicy;

    /// <summary>The entry of a domain, or <see langword="null"/>. Allocation-free.</summary>
    public DomainEntry? Get(string domain) => _cache.Get(domain);

    /// <summary>
    /// Stores the state of a domain in its entry (created, and marked used at <paramref name="nowUtcTicks"/>, when the
    /// domain is new). When the cache is full a new domain may not be remembered this time; the resolution still gets
    /// its answer.
    /// </summary>
    public void Set(string domain, DomainState state, long nowUtcTicks)
    {
        var entry = _cache.Get(domain);
        if (entry is null)
        {
            entry = new DomainEntry(state, nowUtcTicks);
            _cache.Set(domain, entry);
        }
        else
        {
            entry.State = state;
        }

        if (state.Policy is not null)
        {
            _withPolicy[domain] = entry;
        }
    }

    /// <summary>Forgets a domain.</summary>
    public void Remove(string domain)
    {
        _cache.Remove(domain);
        _withPolicy.TryRemove(domain, out _);
    }

    /// <summary>Takes a domain off the refresher's list (its policy expired, or it is gone).</summary>
    public void Unlist(string domain, DomainEntry entry) => _withPolicy.TryRemove(KeyValuePair.Create(domain, entry));

    public void Dispose() => _cache.Dispose();
}

/// <summary>One domain's place in the cache: its current state, replaced whole, and when a caller last asked for it.</summary>
internal sealed class DomainEntry
{
    private volatile DomainState _state;
    private long _lastUsedUtcTicks;

    public DomainEntry(DomainState state, long lastUsedUtcTicks)
    {
        _state = state;
        _lastUsedUtcTicks = lastUsedUtcTicks;
    }

    public DomainState State
    {
        get => _state;
        set => _state = value;
    }

    /// <summary>When a caller (not the refresher) last resolved the domain, in UTC ticks.</summary>
    public long LastUsedUtcTicks => Volatile.Read(ref _lastUsedUtcTicks);

    /// <summary>Notes a use. One plain store: the warm path stays allocation-free.</summary>
    public void Touch(long utcNowTicks) => Volatile.Write(ref _lastUsedUtcTicks, utcNowTicks);
}
