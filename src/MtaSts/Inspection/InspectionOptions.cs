namespace MtaSts;

/// <summary>What one <see cref="MtaStsInspector.InspectAsync"/> does besides DNS and the policy fetch.</summary>
public sealed class InspectionOptions
{
    /// <summary>Do not connect to the MX hosts (no STARTTLS probe): DNS, the policy host and the rules only.</summary>
    public bool NoConnect { get; set; }

    /// <summary>
    /// How the MX hosts are probed; <see langword="null"/> means the probe's defaults with
    /// <see cref="MxProbeOptions.Port"/> = <see cref="MtaStsDeliveryOptions.SmtpPort"/> (the port the TLSA names use).
    /// </summary>
    public MxProbeOptions? Probe { get; set; }

    /// <summary>A certificate (policy host or MX) that expires within this time gets a warning. Default 14 days.</summary>
    public TimeSpan CertificateExpiryWarning { get; set; } = TimeSpan.FromDays(14);
}
