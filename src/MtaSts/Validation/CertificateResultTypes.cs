namespace MtaSts.Validation;

/// <summary>The RFC 8460 §4.3 result types a certificate check can produce (exact registry strings).</summary>
internal static class CertificateResultTypes
{
    /// <summary>The certificate does not match the MTA-STS or DANE name constraints.</summary>
    public const string HostMismatch = "certificate-host-mismatch";

    /// <summary>A certificate of the chain is expired (or not yet valid).</summary>
    public const string Expired = "certificate-expired";

    /// <summary>Untrusted root, incomplete chain, bad signature, constraint violation.</summary>
    public const string NotTrusted = "certificate-not-trusted";

    /// <summary>No usable TLSA record matched the presented chain.</summary>
    public const string TlsaInvalid = "tlsa-invalid";

    /// <summary>Anything else (no certificate, an internal error).</summary>
    public const string ValidationFailure = "validation-failure";
}
