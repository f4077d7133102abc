using MtaSts.Caching;

namespace MtaSts.Tests.Caching;

/// <summary>The one single-flight table the resolver and the planner share: callers share one task, and nothing leaves a flight behind.</summary>
public class SingleFlightTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ConcurrentCallers_ShareOneTask_AndOneRunOfTheWork()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var flights = new SingleFlight<string, int>(async (key, _) =>
        {
            Interlocked.Increment(ref runs);
            await gate.Task;
            return key.Length;
        });

        var tasks = Enumerable.Range(0, 200).Select(_ => flights.RunAsync("example.test", CancellationToken.None, CancellationToken.None)).ToArray();
        Assert.Equal(1, flights.Count);
        gate.SetResult();
        var results = await Task.WhenAll(tasks).WaitAsync(Wait);

        Assert.Equal(1, runs);
        Assert.All(tasks, task => Assert.Same(tasks[0], task));
        Assert.All(results, result => Assert.Equal(12, result));
        Assert.Equal(0, flights.Count);
    }

    [Fact]
    public async Task CompletedFlight_LeavesTheTable_SoTheNextCallRunsTheWorkAgain()
    {
        var runs = 0;
        var flights = new SingleFlight<string, int>((_, _) => Task.FromResult(Interlocked.Increment(ref runs)));

        Assert.Equal(1, await flights.RunAsync("a", CancellationToken.None, CancellationToken.None));
        Assert.Equal(2, await flights.RunAsync("a", CancellationToken.None, CancellationToken.None));
        Assert.Equal(0, flights.Count);
    }

    [Fact]
    public async Task ThrowingFaultObserver_NeverLeavesTheFlightBehind_AndWaitersSeeTheWorksOwnException()
    {
        // A logging provider that throws while the failure is logged must not keep the key in the table: every later
        // caller would join a flight that never ends.
        var flights = new SingleFlight<string, int>(
            (_, _) => throw new InvalidOperationException("the work failed"),
            (_, _) => throw new FormatException("a broken logging provider"));

        var first = flights.RunAsync("a", CancellationToken.None, CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => first).WaitAsync(Wait);
        Assert.Equal(0, flights.Count);

        var second = flights.RunAsync("a", CancellationToken.None, CancellationToken.None);
        Assert.NotSame(first, second);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second).WaitAsync(Wait);
    }

    [Fact]
    public async Task WorkThatThrowsAfterAnAwait_ReachesEveryWaiter_AndLeavesTheTable()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observed = new List<Exception>();
        var flights = new SingleFlight<string, int>(
            async (_, _) =>
            {
                await gate.Task;
                throw new InvalidOperationException("late failure");
            },
            (_, exception) => observed.Add(exception));

        var a = flights.RunAsync("a", CancellationToken.None, CancellationToken.None);
        var b = flights.RunAsync("a", CancellationToken.None, CancellationToken.None);
        gate.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => a).WaitAsync(Wait);
        await Assert.ThrowsAsync<InvalidOperationException>(() => b).WaitAsync(Wait);
        Assert.Single(observed); // told once per flight, not once per waiter
        Assert.Equal(0, flights.Count);
    }

    [Fact]
    public async Task CancelledFirstCaller_CancelsOnlyItsWait_TheWorkGoesOnForTheOthers()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken workToken = default;
        var flights = new SingleFlight<string, int>(async (_, token) =>
        {
            workToken = token;
            await gate.Task;
            return 7;
        });
        using var impatient = new CancellationTokenSource();

        var first = flights.RunAsync("a", CancellationToken.None, impatient.Token);
        var second = flights.RunAsync("a", CancellationToken.None, CancellationToken.None);
        await impatient.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first).WaitAsync(Wait);
        Assert.False(workToken.IsCancellationRequested); // the work runs with the owner's lifetime, not the caller's token
        gate.SetResult();
        Assert.Equal(7, await second.WaitAsync(Wait));
        Assert.Equal(0, flights.Count);
    }

    [Fact]
    public async Task CancelledLifetime_CancelsTheFlight_AndLeavesTheTable()
    {
        using var lifetime = new CancellationTokenSource();
        var flights = new SingleFlight<string, int>(async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return 0;
        });

        var pending = flights.RunAsync("a", lifetime.Token, CancellationToken.None);
        await lifetime.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending).WaitAsync(Wait);
        Assert.Equal(0, flights.Count);
    }

    [Fact]
    public async Task TwoTables_NeverShareAFlight_EvenForTheSameKey()
    {
        // The resolver keeps a second table for forced TXT re-checks (RFC 8461 §5.1): they must not join an ordinary flight.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        Func<string, CancellationToken, Task<int>> work = async (_, _) =>
        {
            Interlocked.Increment(ref runs);
            await gate.Task;
            return runs;
        };
        var ordinary = new SingleFlight<string, int>(work);
        var rechecks = new SingleFlight<string, int>(work);

        var a = ordinary.RunAsync("a", CancellationToken.None, CancellationToken.None);
        var b = rechecks.RunAsync("a", CancellationToken.None, CancellationToken.None);
        gate.SetResult();
        await Task.WhenAll(a, b).WaitAsync(Wait);

        Assert.NotSame(a, b);
        Assert.Equal(2, runs);
    }
}
