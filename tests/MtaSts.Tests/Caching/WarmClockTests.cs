using Microsoft.Extensions.Time.Testing;
using MtaSts.Caching;

namespace MtaSts.Tests.Caching;

/// <summary>The warm paths' clock: exact on a test's clock, within milliseconds of the wall clock on the system's.</summary>
public class WarmClockTests
{
    [Fact]
    public void AFakeClock_IsReadExactly_EveryTime()
    {
        var fake = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var clock = new WarmClock(fake);

        Assert.Equal(fake.GetUtcNow().UtcTicks, clock.UtcNowTicks());
        fake.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(fake.GetUtcNow().UtcTicks, clock.UtcNowTicks());
        fake.Advance(TimeSpan.FromDays(400));
        Assert.Equal(fake.GetUtcNow().UtcTicks, clock.UtcNowTicks());
    }

    [Fact]
    public async Task TheSystemClock_IsNeverBehindTheWallClock_AndAtMostMillisecondsAhead()
    {
        var clock = new WarmClock(TimeProvider.System);
        var previous = 0L;
        for (var i = 0; i < 30; i++)
        {
            var before = TimeProvider.System.GetUtcNow().UtcTicks;
            var now = clock.UtcNowTicks();
            var after = TimeProvider.System.GetUtcNow().UtcTicks;
            Assert.InRange(now, before, after + TimeSpan.FromMilliseconds(50).Ticks); // never behind the wall clock
            Assert.True(now >= previous - TimeSpan.FromMilliseconds(50).Ticks);
            previous = now;
            await Task.Delay(i % 10 == 0 ? 1100 : 7); // crosses the one-second re-base a few times
        }
    }
}
