namespace MtaSts.Testing;

/// <summary>
/// DNS record types, with their IANA numbers as values, so tests need no DNS library's types. A query for a type not
/// named here is still answered (NODATA) and logged as its number cast to this enum.
/// </summary>
public enum DnsRecordType
{
    /// <summary>No type; never sent on the wire.</summary>
    None = 0,

    /// <summary>IPv4 address (RFC 1035).</summary>
    A = 1,

    /// <summary>Authoritative name server (RFC 1035).</summary>
    NS = 2,

    /// <summary>Canonical name, an alias (RFC 1035).</summary>
    CNAME = 5,

    /// <summary>Start of authority (RFC 1035).</summary>
    SOA = 6,

    /// <summary>Domain name pointer (RFC 1035).</summary>
#pragma warning disable CA1720 // the record type's mnemonic, not a pointer type
    PTR = 12,
#pragma warning restore CA1720

    /// <summary>Mail exchange (RFC 1035).</summary>
    MX = 15,

    /// <summary>Text strings (RFC 1035).</summary>
    TXT = 16,

    /// <summary>IPv6 address (RFC 3596).</summary>
    AAAA = 28,

    /// <summary>Service locator (RFC 2782).</summary>
    SRV = 33,

    /// <summary>EDNS(0) pseudo-record (RFC 6891); appears in queries, never as a question type.</summary>
    OPT = 41,

    /// <summary>Delegation signer (RFC 4034).</summary>
    DS = 43,

    /// <summary>DNSSEC signature (RFC 4034).</summary>
    RRSIG = 46,

    /// <summary>DNSSEC key (RFC 4034).</summary>
    DNSKEY = 48,

    /// <summary>TLS certificate association for DANE (RFC 6698).</summary>
    TLSA = 52,

    /// <summary>HTTPS service binding (RFC 9460).</summary>
    HTTPS = 65,

    /// <summary>Any type (a query for everything at a name).</summary>
    ANY = 255,

    /// <summary>Certification authority authorization (RFC 8659).</summary>
    CAA = 257,
}
