using System.Security.Cryptography.X509Certificates;

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

/// <summary>The outcome of one certificate check.</summary>
public sealed class CertificateValidationResult
{
    /// <summary>Whether the certificate satisfied the requirement.</summary>
    public required bool Passed { get; init; }

    /// <summary>Whether the connection was allowed (also <see langword="true"/> for a failure under <see cref="CertificateRequirement.Enforce"/> = false).</summary>
    public required bool Accepted { get; init; }

    /// <summary>
    /// The RFC 8460 result type of a failure: <c>certificate-host-mismatch</c>, <c>certificate-expired</c>,
    /// <c>certificate-not-trusted</c>, <c>tlsa-invalid</c>, <c>validation-failure</c>; <see langword="null"/> when passed.
    /// </summary>
    public string? ResultType { get; init; }

    /// <summary>A one-line explanation, usable as a TLS-RPT <c>failure-reason-code</c>.</summary>
    public required string Reason { get; init; }

    /// <summary>
    /// The authentication that was applied: for a DANE pass, the usage of the record that matched (<see cref="MxAuthentication.DaneEe"/>
    /// or <see cref="MxAuthentication.DaneTa"/>); <see cref="MxAuthentication.None"/> when nothing was authenticated
    /// (no requirement, or a TLSA RRset without usable records); for a failure, what failed.
    /// </summary>
    public required MxAuthentication Authentication { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Passed ? $"passed ({Reason})" : $"{ResultType}: {Reason}{(Accepted ? " (accepted: testing mode)" : string.Empty)}";
}
