using MtaSts.Discovery;
using MtaSts.Fetching;

namespace MtaSts.Caching;

/// <summary>The outcome of a rule: the resolution, the next remembered state and what else follows from it.</summary>
internal sealed class CacheVerdict
{
    public CacheVerdict(MtaStsResolution resolution, DomainState? next, CacheStep step, CachedPolicy? previous, MtaStsRecord? record)
    {
        Resolution = resolution;
        Next = next;
        Step = step;
        Previous = previous;
        Record = record;
    }

    public MtaStsResolution Resolution { get; }

    /// <summary>What to remember; <see langword="null"/> means forget the domain.</summary>
    public DomainState? Next { get; }

    public CacheStep Step { get; }

    /// <summary>The unexpired cached policy the step started from, if any.</summary>
    public CachedPolicy? Previous { get; }

    /// <summary>The TXT record of this resolution, if one was found.</summary>
    public MtaStsRecord? Record { get; }

    public StoreAction Store { get; init; }

    public PolicyDowngradeKind Downgrade { get; init; }
}
