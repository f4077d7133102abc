namespace MtaSts.Caching;

/// <summary>Everything remembered about one policy domain. Immutable: a resolution replaces the whole state.</summary>
internal sealed class DomainState
{
    public DomainState(CachedPolicy? policy, FetchBackoff? backoff, Task<MtaStsResolution>? warmResult, DateTimeOffset warmUntil)
    {
        Policy = policy;
        Backoff = backoff;
        WarmResult = warmResult;
        WarmUntilUtcTicks = warmResult is null ? long.MinValue : warmUntil.UtcTicks;
    }

    /// <summary>The cached policy, or <see langword="null"/>. It may have expired since; callers check <see cref="CachedPolicy.ExpiresAt"/>.</summary>
    public CachedPolicy? Policy { get; }

    /// <summary>The last failed fetch, or <see langword="null"/>.</summary>
    public FetchBackoff? Backoff { get; }

    /// <summary>
    /// The answer a resolution gets without any I/O before <see cref="WarmUntilUtcTicks"/>: the last definite TXT answer
    /// is still trusted, no policy has expired and no refresh or retry is due. <see langword="null"/> when nothing may be
    /// answered from memory (DNS failures are never cached).
    /// </summary>
    public Task<MtaStsResolution>? WarmResult { get; }

    /// <summary>The end of the warm window, in UTC ticks (compared with one clock read on the warm path).</summary>
    public long WarmUntilUtcTicks { get; }

    /// <summary>Whether <see cref="WarmResult"/> may be returned at <paramref name="utcNowTicks"/>.</summary>
    public bool IsWarm(long utcNowTicks) => utcNowTicks < WarmUntilUtcTicks;
}
