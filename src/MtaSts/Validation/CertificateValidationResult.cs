namespace MtaSts;

/// <summary>The outcome of one certificate check.</summary>
public sealed class CertificateValidationResult
{
    /// <summary>
    /// What the check decided: <see cref="CertificateVerdict.Passed"/>, <see cref="CertificateVerdict.FailedButAllowed"/>
    /// (a failure under <see cref="CertificateRequirement.Enforce"/> = <see langword="false"/>: report it, go ahead) or
    /// <see cref="CertificateVerdict.Rejected"/> (end the handshake).
    /// </summary>
    public required CertificateVerdict Verdict { get; init; }

    /// <summary>
    /// The RFC 8460 result type of a failure: <c>certificate-host-mismatch</c>, <c>certificate-expired</c>,
    /// <c>certificate-not-trusted</c>, <c>tlsa-invalid</c>, <c>validation-failure</c>; <see langword="null"/> when passed.
    /// </summary>
    public string? ResultType { get; init; }

    /// <summary>
    /// A one-line explanation for people and logs (names from the certificate, the TLSA records tried); never exception
    /// text. For TLS-RPT use <see cref="ReasonCode"/>.
    /// </summary>
    public required string Reason { get; init; }

    /// <summary>
    /// The stable <c>failure-reason-code</c> of a failure (<see cref="TlsRptReasonCodes"/>, decision R-12), e.g.
    /// <see cref="TlsRptReasonCodes.CertificateNameMismatch"/> or <see cref="TlsRptReasonCodes.TlsaNoMatch"/>;
    /// <see langword="null"/> when passed.
    /// </summary>
    public string? ReasonCode { get; init; }

    /// <summary>The failure as a TLS-RPT result type; <see langword="null"/> when passed.</summary>
    public TlsRptResultType? Failure => ResultType is { } type && TlsRptTokens.TryParseResultType(type, out var parsed) ? parsed : null;

    /// <summary>
    /// The authentication that was applied: for a DANE pass, the usage of the record that matched (<see cref="MxAuthentication.DaneEe"/>
    /// or <see cref="MxAuthentication.DaneTa"/>); <see cref="MxAuthentication.None"/> when nothing was authenticated
    /// (no requirement, or a TLSA RRset without usable records); for a failure, what failed.
    /// </summary>
    public required MxAuthentication Authentication { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Verdict switch
    {
        CertificateVerdict.Passed => $"passed ({Reason})",
        CertificateVerdict.FailedButAllowed => $"{ResultType}: {Reason} (allowed: testing mode)",
        _ => $"{ResultType}: {Reason}",
    };
}
