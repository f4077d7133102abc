namespace MtaSts;

/// <summary>
/// The result types of RFC 8460 §4.3 (the IANA "STARTTLS Validation Result Types" registry): why a session, or the
/// policy behind it, failed. <see cref="TlsRptTokens.ToToken(TlsRptResultType)"/> gives the exact registry string.
/// </summary>
/// <remarks>
/// The values start at 1 so that a forgotten assignment (the default, 0) is not mistaken for a real result type; success
/// is the absence of a result type.
/// </remarks>
public enum TlsRptResultType
{
    /// <summary><c>starttls-not-supported</c>: the receiving MX did not offer STARTTLS (RFC 8460 §4.3.1).</summary>
    StartTlsNotSupported = 1,

    /// <summary><c>certificate-host-mismatch</c>: the certificate does not match the MTA-STS or DANE name constraints.</summary>
    CertificateHostMismatch,

    /// <summary><c>certificate-expired</c>: the certificate (or one of its chain) has expired or is not yet valid.</summary>
    CertificateExpired,

    /// <summary><c>certificate-not-trusted</c>: untrusted root, incomplete chain, bad signature or constraint violation.</summary>
    CertificateNotTrusted,

    /// <summary><c>validation-failure</c>: any other failure (RFC 8460 §4.3.1), among them an MX outside the MTA-STS patterns.</summary>
    ValidationFailure,

    /// <summary><c>tlsa-invalid</c>: no record of the TLSA RRset matched the presented chain (RFC 8460 §4.3.2).</summary>
    TlsaInvalid,

    /// <summary><c>dnssec-invalid</c>: the resolver returned no valid (DNSSEC-secure) records for a DANE lookup.</summary>
    DnssecInvalid,

    /// <summary><c>dane-required</c>: DANE is mandatory for the domain but no usable, DNSSEC-validated TLSA RRset was found.</summary>
    DaneRequired,

    /// <summary><c>sts-policy-fetch-error</c>: the MTA-STS policy could not be retrieved (RFC 8460 §4.3.3).</summary>
    StsPolicyFetchError,

    /// <summary><c>sts-policy-invalid</c>: the MTA-STS policy was retrieved but failed validation.</summary>
    StsPolicyInvalid,

    /// <summary><c>sts-webpki-invalid</c>: the MTA-STS policy host could not be authenticated with PKIX.</summary>
    StsWebPkiInvalid,
}
