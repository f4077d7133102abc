using System.Diagnostics;

namespace MtaSts.IntegrationTests.Testing;

/// <summary>Polls a condition that another thread (a server) makes true soon.</summary>
internal static class TestWait
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan? limit = null)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > (limit ?? TimeSpan.FromSeconds(5)))
            {
                return; // the caller's assertion reports what is missing
            }

            await Task.Delay(10);
        }
    }
}
