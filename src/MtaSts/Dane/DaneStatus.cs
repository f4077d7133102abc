namespace MtaSts;

/// <summary>What DANE says about one MX host (RFC 7672 §2.2).</summary>
public enum DaneStatus
{
    /// <summary>No TLSA records, or only insecure ones (or an authenticated denial): DANE does not apply; pre-DANE opportunistic TLS.</summary>
    NotApplicable = 0,

    /// <summary>A DNSSEC-secure TLSA RRset with at least one usable record: TLS required, authenticated by the TLSA records.</summary>
    Usable,

    /// <summary>A DNSSEC-secure, non-empty TLSA RRset in which no record is usable: TLS required, not authenticated.</summary>
    Unusable,

    /// <summary>A lookup needed to locate the TLSA records failed (SERVFAIL, bogus, timeout, malformed): the host must not be used now.</summary>
    LookupFailed,

    /// <summary>DNSSEC status cannot be trusted (the resolver is not a trusted validating resolver): DANE is not assumed.</summary>
    Unavailable,
}
