namespace MtaSts;

/// <summary>Why a resolution did not yield a freshly fetched policy.</summary>
/// <remarks>
/// The three fetch kinds map one to one onto the RFC 8460 result types
/// <c>sts-policy-fetch-error</c>, <c>sts-policy-invalid</c> and <c>sts-webpki-invalid</c>
/// (see <see cref="MtaStsResolution.ReportResultType"/>); the others describe discovery.
/// </remarks>
public enum MtaStsFailure
{
    /// <summary>Nothing failed.</summary>
    None = 0,

    /// <summary>No <c>_mta-sts</c> TXT record beginning with <c>v=STSv1</c> exists (NXDOMAIN, NODATA, or none after filtering).</summary>
    RecordNotFound,

    /// <summary>Exactly one STS TXT record exists but it is not valid under RFC 8461 §3.1.</summary>
    RecordInvalid,

    /// <summary>More than one TXT record begins with <c>v=STSv1</c> (RFC 8461 §3.1: exactly one must remain).</summary>
    MultipleRecords,

    /// <summary>The TXT lookup failed temporarily (SERVFAIL, timeout, refused, malformed answer).</summary>
    DnsFailure,

    /// <summary>The policy could not be retrieved (connection, timeout, non-200 status, oversized body): <c>sts-policy-fetch-error</c>.</summary>
    PolicyFetchError,

    /// <summary>The policy was retrieved but is not valid (media type, encoding, syntax): <c>sts-policy-invalid</c>.</summary>
    PolicyInvalid,

    /// <summary>The policy host could not be authenticated with PKIX (TLS or certificate failure): <c>sts-webpki-invalid</c>.</summary>
    WebPkiInvalid,
}
