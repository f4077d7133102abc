using System.Security.Cryptography.X509Certificates;

namespace MtaSts;

/// <summary>What a server certificate must satisfy: the input of <see cref="CertificateValidator"/>.</summary>
public sealed class CertificateRequirement
{
    /// <summary>The kind of authentication.</summary>
    public required MxAuthentication Authentication { get; init; }

    /// <summary>
    /// The MX host name: the PKIX reference identifier (RFC 8461 §4.2), and the DANE-TA one when
    /// <see cref="ReferenceIdentifiers"/> is empty. Required, not blank.
    /// </summary>
    public required string MxHost { get; init; }

    /// <summary>
    /// The DNSSEC-secure TLSA RRset when DANE applies (DANE-EE and DANE-TA records alike). Unusable records (usages 0
    /// and 1, unknown selectors or matching types, wrong digest lengths) may be included and are ignored; if none is
    /// usable, the check passes without authentication (RFC 7672 §2.2: TLS required, not authenticated).
    /// Ignored for <see cref="MxAuthentication.Pkix"/> and <see cref="MxAuthentication.None"/>.
    /// </summary>
    /// <value>The default is empty.</value>
    public IReadOnlyList<TlsaAssociation> TlsaRecords { get; init; } = [];

    /// <summary>
    /// The DANE-TA reference identifiers (RFC 7672 §3.2.2): the TLSA base domain first, then the others allowed
    /// (the next-hop domain and its CNAME expansion when the MX RRset was secure). When empty, <see cref="MxHost"/> is the
    /// only one (RFC 7672 §3.2.2, insecure MX RRset). A-labels, case-insensitive, a trailing dot allowed.
    /// </summary>
    /// <value>The default is empty.</value>
    public IReadOnlyList<string> ReferenceIdentifiers { get; init; } = [];

    /// <summary>
    /// Whether a failure must fail the handshake. <see langword="false"/> (MTA-STS <c>testing</c>, or a DANE audit-only
    /// mode, RFC 7672 §9.1) records the failure and lets the connection go ahead (RFC 8461 §5).
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool Enforce { get; init; } = true;

    /// <summary>
    /// Extra roots trusted for PKIX checks besides the platform's (test environments): a chain the platform refuses is
    /// accepted if it leads to one of these, completed only from the certificates the server sent. Not used by DANE.
    /// </summary>
    /// <value>The default is <see langword="null"/> (platform roots only).</value>
    public X509Certificate2Collection? AdditionalTrustedRoots { get; init; }
}
