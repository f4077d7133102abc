namespace MtaSts.Testing;

/// <summary>The kinds of server certificate a <see cref="TestCertificateAuthority"/> mints, one per certificate problem a client must catch.</summary>
public enum TestCertificateKind
{
    /// <summary>Valid now, issued by the authority's root, SAN dNSName = the host.</summary>
    Valid = 0,

    /// <summary>Valid name and chain, but expired.</summary>
    Expired,

    /// <summary>Valid name and chain, but not valid yet.</summary>
    NotYetValid,

    /// <summary>Valid chain, but the SAN names a different host.</summary>
    WrongName,

    /// <summary>Valid chain; the host is only in the subject CN and the certificate has no SAN dNSName.</summary>
    CommonNameOnly,

    /// <summary>Valid name, but issued by a different root that clients do not trust.</summary>
    Untrusted,

    /// <summary>Valid name, self-signed.</summary>
    SelfSigned,

    /// <summary>Valid chain, SAN <c>*.</c> + the host's parent domain.</summary>
    Wildcard,

    /// <summary>Valid now (name and chain too), but expires in three days: for "renew soon" warnings.</summary>
    ExpiresSoon,

    /// <summary>
    /// Valid name and chain, but with 10,000 further SAN names (about 200 KB): a certificate message larger than TLS
    /// stacks accept (OpenSSL: "excessive message size"), for "certificate too large" reasons.
    /// </summary>
    Oversized,
}
