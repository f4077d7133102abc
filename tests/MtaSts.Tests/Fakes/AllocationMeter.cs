namespace MtaSts.Tests.Fakes;

/// <summary>Measures what an action allocates once the JIT has tiered it up.</summary>
/// <remarks>
/// Unoptimised (tier-0) code of generic span helpers may box, which would show up as allocations that the shipped,
/// tiered-up code never makes. So the action runs in a few warm-up rounds with pauses (tiering waits for a quiet
/// period), and the smallest of several measurements counts.
/// </remarks>
internal static class AllocationMeter
{
    public static long SteadyStateBytes(Action action, int rounds = 6)
    {
        var least = long.MaxValue;
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < 60; i++)
            {
                action();
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
            if (round < rounds - 1)
            {
                Thread.Sleep(120);
            }
        }

        return least;
    }
}
