using System.Collections.Concurrent;
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
/// <para>
/// Reads go to a plain dictionary in front of the MemoryCache that holds the same holders (the MemoryCache stays the
/// one that decides size and eviction; its eviction callback removes the name from the dictionary). A MemoryCache
/// lookup costs more than the whole rest of a warm resolution (it reads its own clock and updates the entry), so a
/// read touches the MemoryCache entry only every <see cref="TouchEvery"/>th time, enough to keep the names in use the
/// most recently used ones when it compacts.
/// </para>
/// </remarks>
internal sealed class BoundedCache<T> : IDisposable
    where T : class
{
    /// <summary>How many dictionary reads of a name refresh its MemoryCache entry once (a power of two).</summary>
    internal const int TouchEvery = 64;

    private readonly MemoryCache _cache;
    private readonly ConcurrentDictionary<string, Holder> _front = new(StringComparer.Ordinal);
    private readonly PostEvictionDelegate _evicted;

    /// <param name="maxEntries">The most names held.</param>
    /// <param name="onEvicted">Told (on a pool thread, some time later) when a name's entry was compacted away or removed.</param>
    public BoundedCache(int maxEntries, Action<string, T>? onEvicted = null)
    {
        _evicted = (key, value, _, _) =>
        {
            if (key is string name && value is Holder holder)
            {
                _front.TryRemove(KeyValuePair.Create(name, holder));
                onEvicted?.Invoke(name, holder.Value);
            }
        };

        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = maxEntries,
            CompactionPercentage = Math.Min(1.0, Math.Max(0.05, 1.0 / maxEntries)),
        });
    }

    public int Count => _cache.Count;

    /// <summary>The entry for a name, or <see langword="null"/>. Allocation-free.</summary>
    public T? Get(string key)
    {
        if (!_front.TryGetValue(key, out var holder))
        {
            return null;
        }

        if ((++holder.Reads & (TouchEvery - 1)) == 0)
        {
            _ = _cache.TryGetValue(key, out _); // keeps the MemoryCache's last-access time roughly current
        }

        return holder.Value;
    }

    public void Set(string key, T value)
    {
        if (_cache.TryGetValue(key, out var existing) && existing is Holder holder)
        {
            holder.Value = value;
            return;
        }

        var added = new Holder(value);
        using (var entry = _cache.CreateEntry(key))
        {
            entry.Size = 1;
            entry.Value = added;
            entry.RegisterPostEvictionCallback(_evicted);
        }

        // A full MemoryCache may refuse the entry (and compact in the background): only what it holds is served.
        if (_cache.TryGetValue(key, out var held) && ReferenceEquals(held, added))
        {
            _front[key] = added;

            // An eviction between the check and the store would leave the dictionary serving what the MemoryCache dropped.
            if (!_cache.TryGetValue(key, out held) || !ReferenceEquals(held, added))
            {
                _front.TryRemove(KeyValuePair.Create(key, added));
            }
        }
    }

    /// <summary>Forgets a name.</summary>
    public void Remove(string key)
    {
        _cache.Remove(key);
        _front.TryRemove(key, out _);
    }

    public void Dispose() => _cache.Dispose();

    private sealed class Holder(T value)
    {
        private volatile T _value = value;

        /// <summary>Reads since creation, counted without synchronisation (an approximate count is all it serves).</summary>
        public uint Reads;

        public T Value
        {
            get => _value;
            set => _value = value;
        }
    }
}
