using MtaSts.Dane;
using MtaSts.Dns;

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
