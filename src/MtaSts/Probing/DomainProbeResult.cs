namespace MtaSts;

/// <summary>The probe of every MX host of one recipient domain, in the plan's order, and the domain's verdict.</summary>
public sealed class DomainProbeResult
{
    /// <summary>The delivery plan the probe followed.</summary>
    public required DeliveryPlan Plan { get; init; }

    /// <summary>One result per host of the plan, in its order (skipped hosts included, not connected to).</summary>
    public required IReadOnlyList<MxProbeResult> Hosts { get; init; }

    /// <summary>The host a sender would deliver to now: the first usable host after probing; <see langword="null"/> to defer.</summary>
    public MxProbeResult? DeliverTo => Hosts.FirstOrDefault(static host => host.IsUsable);

    /// <summary>The verdict word: <c>deliver-to &lt;host&gt;</c>, <c>defer</c>, or <c>no-mail-service</c> (null MX, RFC 7505).</summary>
    public string Verdict => Plan.Status == DeliveryPlanStatus.NoMailService
        ? "no-mail-service"
        : DeliverTo is { } host ? "deliver-to " + host.Decision.Host : "defer";
}
