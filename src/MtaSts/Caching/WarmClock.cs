namespace MtaSts.Caching;

/// <summary>
/// The clock of the warm paths: "now" in UTC ticks, for deciding whether a remembered answer is still fresh. On the
/// system clock it reads the cheap millisecond tick count (<see cref="Environment.TickCount64"/>) against a base taken
/// from the wall clock at most one second before, instead of reading the wall clock on every call. The tick count is
/// coarse (1–10 ms) and would lag the wall clock by up to its resolution, so the answer is set ahead by
/// <see cref="Lead"/>: it is never behind the wall clock, and a remembered answer is given up to 20 ms early, never
/// late (a warm window of zero is never warm). Any other <see cref="TimeProvider"/> (a test's fake clock) is read as
/// is, every time.
/// </summary>
internal sealed class WarmClock
{
    private const long ResyncMilliseconds = 1000;

    /// <summary>How far ahead of the wall clock the coarse answer is set: more than the tick count's resolution.</summary>
    internal static readonly long Lead = TimeSpan.FromMilliseconds(20).Ticks;

    private readonly TimeProvider _timeProvider;
    private readonly bool _coarse;
    private Base _base;

    public WarmClock(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _coarse = ReferenceEquals(timeProvider, TimeProvider.System);
        _base = new Base(Environment.TickCount64, timeProvider.GetUtcNow().UtcTicks);
    }

    /// <summary>Now, in UTC ticks.</summary>
    public long UtcNowTicks()
    {
        if (!_coarse)
        {
            return _timeProvider.GetUtcNow().UtcTicks;
        }

        var current = Volatile.Read(ref _base);
        var tick = Environment.TickCount64;
        var elapsed = tick - current.Tick;
        if ((ulong)elapsed >= ResyncMilliseconds)
        {
            // Re-based every second, so a step of the wall clock (NTP, an administrator) is followed within a second.
            var fresh = new Base(tick, _timeProvider.GetUtcNow().UtcTicks);
            Volatile.Write(ref _base, fresh);
            return fresh.UtcTicks + Lead;
        }

        return current.UtcTicks + (elapsed * TimeSpan.TicksPerMillisecond) + Lead;
    }

    private sealed record Base(long Tick, long UtcTicks);
}
