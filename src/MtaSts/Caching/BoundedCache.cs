using Microsoft.Extensions.Caching.Memory;

namespace MtaSts.Caching;

/// <summary>
/// A bounded in-memory map from a name to an immutable entry, on a private <see cref="MemoryCache"/> with a size limit
/// (one unit per name): lookups do not allocate, a full cache compacts the least recently used names in the
/// background, and no MemoryCache time-based expiry is used (the <see cref="TimeProvider"/> is the only clock; callers
/// check validity themselves).
/// </summary>
/// <remarks>
/// Each name is stored once in a holder whose value is swapped in place. Entries are never re-added, because a
/// MemoryCache that is exactly full rejects a replacement <em>and</em> drops the entry it would have replaced, which
/// would silently lose, for example, a cached <c>enforce</c> policy (RFC 8461 §3.3 requires applying it until it
/// expires). MemoryCache compacts down to SizeLimit × (1 − CompactionPercentage); with the default 5 % a small limit
/// (under 20) would compact nothing, so at least one entry is removed.
/// </remarks>
internal sealed class BoundedCache<T> : IDisposable
    where T : class
{
    private readonly MemoryCache _cache;
    private readonly PostEvictionDelegate? _evicted;

    /// <param name="maxEntries">The most names held.</param>
    /// <param name="onEvicted">Told (on a pool thread, some time later) when a name's entry was compacted away or removed.</param>
    public BoundedCache(int maxEntries, Action<string, T>? onEvicted = null)
    {
        if (onEvicted is not null)
        {
            _evicted = (key, value, _, _) =>
            {
                if (key is string name && value is Holder holder)
                {
                    onEvicted(name, holder.Value);
                }
            };
        }

        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = maxEntries,
            CompactionPercentage = Math.Min(1.0, Math.Max(0.05, 1.0 / maxEntries)),
        });
    }

    public int Count => _cache.Count;

    /// <summary>The entry for a name, or <see langword="null"/>. Allocation-free.</summary>
    public T? Get(string key) => _cache.TryGetValue(key, out var value) && value is Holder holder ? holder.Value : null;

    public void Set(string key, T value)
    {
        if (_cache.TryGetValue(key, out var existing) && existing is Holder holder)
        {
            holder.Value = value;
            return;
        }

        using var entry = _cache.CreateEntry(key);
        entry.Size = 1;
        entry.Value = new Holder(value);
        if (_evicted is not null)
        {
            entry.RegisterPostEvictionCallback(_evicted);
        }
    }

    /// <summary>Forgets a name.</summary>
    public void Remove(string key) => _cache.Remove(key);

    public void Dispose() => _cache.Dispose();

    private sealed class Holder(T value)
    {
        private volatile T _value = value;

        public T Value
        {
            get => _value;
            set => _value = value;
        }
    }
}
