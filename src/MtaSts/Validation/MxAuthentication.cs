namespace MtaSts;

/// <summary>How an SMTP server's certificate must be authenticated on one connection.</summary>
public enum MxAuthentication
{
    /// <summary>No authentication (opportunistic TLS, or TLS required but unauthenticated).</summary>
    None = 0,

    /// <summary>PKIX (MTA-STS, RFC 8461 §4.2): chain to a trusted root, not expired, SAN dNSName = the MX host.</summary>
    Pkix,

    /// <summary>
    /// DANE-EE (RFC 7672 §3.1.1): the leaf certificate or key matches a usable TLSA record; names and expiry ignored.
    /// As a requirement, <see cref="DaneEe"/> and <see cref="DaneTa"/> behave the same: a match on any usable record of
    /// <see cref="CertificateRequirement.TlsaRecords"/>, of either usage, authenticates the server.
    /// </summary>
    DaneEe,

    /// <summary>
    /// DANE-TA (RFC 7672 §3.1.2): the chain leads to a trust anchor matching a usable TLSA record, and the leaf matches a
    /// reference identifier. As a requirement, the same as <see cref="DaneEe"/> (any usable record of the set counts).
    /// </summary>
    DaneTa,
}
