namespace MtaSts;

/// <summary>
/// What <see cref="MtaStsInspector"/> found for one domain: the findings, and the facts they were drawn from (the TXT
/// records, the policy host, the policy, the delivery plan, the probe, the TLS-RPT record).
/// </summary>
public sealed class DomainInspection
{
    /// <summary>The domain, normalised (lower-case A-label, no trailing dot).</summary>
    public required string Domain { get; init; }

    /// <summary>The domain as the caller gave it.</summary>
    public required string Input { get; init; }

    /// <summary>Every finding, in the order of the checks: TXT, policy host, policy, MX set, DANE, TLS-RPT, probe.</summary>
    public required IReadOnlyList<InspectionFinding> Findings { get; init; }

    /// <summary>Every TXT record at <c>_mta-sts</c> and what a sender makes of it.</summary>
    public IReadOnlyList<TxtRecordInspection> TxtRecords { get; init; } = [];

    /// <summary>The policy fetch as seen on the wire, or <see langword="null"/> when no fetch was made (no record).</summary>
    public PolicyHostInspection? PolicyHost { get; init; }

    /// <summary>The MTA-STS resolution a sender makes now (fresh: no cache, no store, no override).</summary>
    public MtaStsResolution? Resolution { get; init; }

    /// <summary>The delivery plan a sender makes now, or <see langword="null"/> when planning failed.</summary>
    public DeliveryPlan? Plan { get; init; }

    /// <summary>The STARTTLS probe of the MX hosts, or <see langword="null"/> with <see cref="InspectionOptions.NoConnect"/>.</summary>
    public DomainProbeResult? Probe { get; init; }

    /// <summary>The <c>_smtp._tls</c> lookup.</summary>
    public TlsRptDiscoveryResult? TlsRpt { get; init; }

    /// <summary>How long the whole inspection took.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Whether any finding is an <see cref="InspectionSeverity.Error"/>.</summary>
    public bool HasErrors => Findings.Any(static f => f.Severity == InspectionSeverity.Error);
}
