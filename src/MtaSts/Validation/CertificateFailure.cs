namespace MtaSts.Validation;

/// <summary>One classified failure found while checking a certificate: an RFC 8460 result type and a one-line reason.</summary>
/// <param name="ResultType">One of <see cref="CertificateResultTypes"/>.</param>
/// <param name="Reason">The explanation.</param>
/// <param name="ReasonCode">The stable reason code (<see cref="TlsRptReasonCodes"/>, decision R-12).</param>
internal sealed record CertificateFailure(string ResultType, string Reason, string ReasonCode)
{
    /// <summary>
    /// How far the check got before this failure, to pick the most telling of several failures (several trust anchors
    /// tried): a name mismatch means the chain was fine, an expiry means the chain was otherwise fine.
    /// </summary>
    public int Rank => ResultType switch
    {
        CertificateResultTypes.HostMismatch => 3,
        CertificateResultTypes.Expired => 2,
        CertificateResultTypes.NotTrusted => 1,
        _ => 0,
    };

    public static CertificateFailure? MostTelling(CertificateFailure? a, CertificateFailure? b) =>
        a is null ? b : b is null ? a : (b.Rank > a.Rank ? b : a);
}
