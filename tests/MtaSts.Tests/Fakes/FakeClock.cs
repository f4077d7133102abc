using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace MtaSts.Tests.Fakes;

/// <summary>Drives a <see cref="FakeTimeProvider"/> while code under test awaits timers on it.</summary>
internal static class FakeClock
{
    /// <summary>
    /// Advances <paramref name="time"/> in <paramref name="step"/>s, yielding real time between steps so continuations run,
    /// until <paramref name="task"/> completes or <paramref name="limit"/> of fake time has passed (then the test fails).
    /// </summary>
    public static async Task<T> RunAsync<T>(FakeTimeProvider time, Task<T> task, TimeSpan step, TimeSpan limit)
    {
        DateTimeOffset start = time.GetUtcNow();
        while (!task.IsCompleted)
        {
            await Task.Delay(1);
            if (task.IsCompleted)
            {
                break;
            }

            Assert.True(time.GetUtcNow() - start <= limit, $"still running after {limit} of fake time");
            time.Advance(step);
        }

        return await task;
    }
}

/// <summary>An <see cref="IMeterFactory"/> whose meters are scoped to it, so a <c>MetricCollector</c> sees only this test's measurements.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (Meter meter in _meters)
            {
                meter.Dispose();
            }

            _meters.Clear();
        }
    }
}
