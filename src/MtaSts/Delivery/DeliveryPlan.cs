using MtaSts.Delivery;

namespace MtaSts;

/// <summary>
/// The answer of <see cref="IDeliveryPlanner.PlanDeliveryAsync"/>: the MX hosts of a recipient domain in the order to
/// try them, each with a decision (use or skip, TLS required or opportunistic, how to authenticate, the SNI), and why.
/// </summary>
/// <remarks>
/// Immutable once built. A plan served from memory is the same instance as the plan it repeats, so do not attach
/// per-delivery state to it.
/// </remarks>
public sealed class DeliveryPlan
{
    /// <summary>The recipient domain, normalised (lower-case A-label, no trailing dot).</summary>
    public required string Domain { get; init; }

    /// <summary>What to do with the domain as a whole.</summary>
    public required DeliveryPlanStatus Status { get; init; }

    /// <summary>
    /// Whether the MX RRset (or the denial behind an implicit MX) was DNSSEC-secure, as vouched for by a trusted
    /// validating resolver. When it was not, a DANE-authenticated delivery still must not be logged as secure delivery
    /// to the recipient domain (RFC 7672 §2.2.1).
    /// </summary>
    public bool MxSecure { get; init; }

    /// <summary>Whether the domain has no MX records and the domain itself is the only host (RFC 5321 §5.1, decision A-15).</summary>
    public bool ImplicitMx { get; init; }

    /// <summary>
    /// The MX hosts in preference order (lowest preference first; equal preferences in DNS answer order), usable and
    /// skipped alike. A host with TLSA records never moves ahead of a more preferred host without (RFC 7672 §2.2.1).
    /// Empty for <see cref="DeliveryPlanStatus.NoMailService"/> and when the MX lookup failed.
    /// </summary>
    public IReadOnlyList<MxDecision> Hosts { get; init; } = [];

    /// <summary>
    /// The MTA-STS resolution the decisions were made with (after a TXT re-check, the newer one), or
    /// <see langword="null"/> when no host was evaluated (no mail service, MX lookup failed).
    /// </summary>
    public MtaStsResolution? MtaStsResolution { get; init; }

    /// <summary>Sentences explaining the plan as a whole: the MX answer, the MTA-STS answer, any TXT re-check, the status.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The hosts that may be used now, in the order to try them.</summary>
    public IEnumerable<MxDecision> UsableHosts => Hosts.Where(static host => host.IsUsable);

    /// <summary>The plan as a small table: one header line, one row per host with its reasons indented below.</summary>
    /// <returns>Readable text, several lines.</returns>
    public override string ToString() => DeliveryText.Format(this);
}
