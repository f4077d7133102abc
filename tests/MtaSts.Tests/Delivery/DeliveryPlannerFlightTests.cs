using MtaSts.Tests.Fakes;
using static MtaSts.Tests.Fakes.PlannerHarness;

namespace MtaSts.Tests.Delivery;

/// <summary>The planner's single flight is the shared <c>SingleFlight</c>: no failure of the planning can leave a domain's flight behind.</summary>
public class DeliveryPlannerFlightTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ThrowingLoggingProvider_DoesNotHangPlanDeliveryAsync()
    {
        // Before the planner used the shared table, a logging provider that threw while the failure was logged left the
        // flight in the planner's table, and every later plan for the domain waited forever.
        using var h = new PlannerHarness(plannerLogger: new ThrowingLogger());
        h.Mx(secure: false, (10, Mx1)).PlainHost(Mx1);
        h.Publish("enforce", mx: Mx1);

        var first = h.PlanAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => first).WaitAsync(Wait);

        var second = h.PlanAsync();
        Assert.NotSame(first, second);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second).WaitAsync(Wait);
    }

    [Fact]
    public async Task ConcurrentPlans_ShareOneMxLookup()
    {
        using var h = new PlannerHarness();
        h.Mx(secure: false, (10, Mx1)).PlainHost(Mx1);
        h.Publish("enforce", mx: Mx1);
        h.Sts.Discoverer.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var plans = Enumerable.Range(0, 50).Select(_ => h.PlanAsync()).ToArray();
        h.Sts.Discoverer.Gate.SetResult();
        var results = await Task.WhenAll(plans).WaitAsync(Wait);

        Assert.All(results, plan => Assert.Same(results[0], plan));
        Assert.Equal(1, h.AskedCount(DnsClient.QueryType.MX));
    }
}
