namespace MtaSts;

/// <summary>The certificate usage field of a TLSA record (RFC 6698 §2.1.1, RFC 7218 names).</summary>
public enum TlsaUsage : byte
{
    /// <summary>PKIX-TA (0): unusable for SMTP (RFC 7672 §3.1.3).</summary>
    PkixTa = 0,

    /// <summary>PKIX-EE (1): unusable for SMTP (RFC 7672 §3.1.3).</summary>
    PkixEe = 1,

    /// <summary>DANE-TA (2): a trust anchor in the presented chain; names are checked.</summary>
    DaneTa = 2,

    /// <summary>DANE-EE (3): the server's own certificate or key; names and expiry are not checked.</summary>
    DaneEe = 3,
}
