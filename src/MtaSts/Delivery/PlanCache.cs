using Microsoft.Extensions.Caching.Memory;
using MtaSts.Dane;

namespace MtaSts.Delivery;

/// <summary>What the planner remembers about one recipient domain. Immutable: a new plan replaces the whole entry.</summary>
internal sealed class PlanEntry
{
    public PlanEntry(MxLookupResult mx, long mxUntilTicks, DeliveryPlan plan, MtaStsResolution? resolution, long planUntilTicks)
    {
        Mx = mx;
        MxUntilTicks = mxUntilTicks;
        Plan = plan;
        PlanTask = Task.FromResult(plan);
        Resolution = resolution;
        PlanUntilTicks = planUntilTicks;
    }

    /// <summary>The MX answer, reused until <see cref="MxUntilTicks"/> (its TTL, clamped).</summary>
    public MxLookupResult Mx { get; }

    public long MxUntilTicks { get; }

    public DeliveryPlan Plan { get; }

    /// <summary><see cref="Plan"/> as a completed task, returned as is by a warm plan.</summary>
    public Task<DeliveryPlan> PlanTask { get; }

    /// <summary>
    /// The MTA-STS resolution the plan was made with; the plan is current only while the resolver answers with this very
    /// instance. <see langword="null"/> when MTA-STS played no part (no mail service, MX lookup failed).
    /// </summary>
    public MtaStsResolution? Resolution { get; }

    /// <summary>The end of the plan's validity: the earliest expiry of the MX and TLSA answers it used (UTC ticks).</summary>
    public long PlanUntilTicks { get; }
}

/// <summary>What the planner remembers about one MX host: its DANE status and addresses, until the TTL runs out.</summary>
internal sealed class HostEntry
{
    public HostEntry(TlsaLookupResult result, long untilTicks)
    {
        Result = result;
        UntilTicks = untilTicks;
    }

    public TlsaLookupResult Result { get; }

    public long UntilTicks { get; }
}

/// <summary>
/// A bounded in-memory map from a name to an immutable entry, on a private <see cref="MemoryCache"/> with a size limit
/// (one unit per name), as the resolver's policy cache does: lookups do not allocate, a full cache compacts the least
/// recently used names in the background, entries are swapped in place rather than re-added, and no MemoryCache
/// time-based expiry is used (the <see cref="TimeProvider"/> is the only clock; callers check validity themselves).
/// </summary>
internal sealed class BoundedCache<T> : IDisposable
    where T : class
{
    private readonly MemoryCache _cache;

    public BoundedCache(int maxEntries)
    {
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
    }

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
