namespace MtaSts;

/// <summary>
/// One SMTP session (or attempt) as TLS-RPT counts it: the recipient domain whose report it goes into, the policy that
/// decided the host (decision R-2), and the failure, if any. Hand it to <see cref="ITlsReportRecorder.Record"/>.
/// </summary>
/// <param name="RecipientDomain">The recipient domain: its <c>_smtp._tls</c> record receives the report (decision R-2).</param>
/// <param name="Policy">The policy that decided the host: <see cref="TlsRptPolicy.Sts"/>, <see cref="TlsRptPolicy.Tlsa"/> or
/// <see cref="TlsRptPolicy.NoPolicyFound"/>.</param>
/// <param name="Failure">What failed, or <see langword="null"/> for a successful session.</param>
public readonly record struct TlsSession(string RecipientDomain, TlsRptPolicy Policy, TlsRptFailure? Failure = null)
{
    /// <summary>
    /// A second policy the session also counts under: the <c>sts</c> policy of a domain with DANE and
    /// <see cref="MtaStsDaneOptions.RequireMtaSts"/> (decision R-2, "under both").
    /// </summary>
    public TlsRptPolicy? AlsoUnder { get; init; }

    /// <summary>When the session took place; <see langword="null"/> for the recorder's clock at the time of the call.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>Whether the session succeeded.</summary>
    public bool IsSuccess => Failure is null;
}
