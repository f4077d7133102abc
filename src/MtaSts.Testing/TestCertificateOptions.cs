using System.Net;

namespace MtaSts.Testing;

/// <summary>
/// What <see cref="TestCertificateAuthority.IssueCertificate(TestCertificateOptions)"/> puts in a certificate: any list of
/// names, any validity, either key algorithm. For the common certificate problems use
/// <see cref="TestCertificateAuthority.GetServerCertificate(string, TestCertificateKind)"/> instead.
/// </summary>
public sealed class TestCertificateOptions
{
    /// <summary>The SAN dNSName entries, in order. Wildcards such as <c>*.example.test</c> are written as they are.</summary>
    /// <value>The default is empty: with no <see cref="IPAddresses"/> either, the certificate has no SAN extension at all.</value>
    public IList<string> DnsNames { get; } = new List<string>();

    /// <summary>The SAN iPAddress entries.</summary>
    /// <value>The default is empty.</value>
    public IList<IPAddress> IPAddresses { get; } = new List<IPAddress>();

    /// <summary>The subject common name.</summary>
    /// <value>The default is <see langword="null"/>: the first of <see cref="DnsNames"/>, or <c>MtaSts test certificate</c> when there is none.</value>
    public string? CommonName { get; set; }

    /// <summary>The start of the validity period. It must not be earlier than the issuer's own start.</summary>
    /// <value>The default is <see langword="null"/>: one day before now.</value>
    public DateTimeOffset? NotBefore { get; set; }

    /// <summary>The end of the validity period. It must not be later than the issuer's own end.</summary>
    /// <value>The default is <see langword="null"/>: 90 days after now.</value>
    public DateTimeOffset? NotAfter { get; set; }

    /// <summary>The key algorithm of the new certificate.</summary>
    /// <value>The default is <see cref="TestKeyAlgorithm.EcdsaP256"/>.</value>
    public TestKeyAlgorithm KeyAlgorithm { get; set; } = TestKeyAlgorithm.EcdsaP256;

    /// <summary>Whether the certificate is signed by the authority's second, untrusted root instead of its own signing certificate.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool IssuedByUntrustedRoot { get; set; }

    /// <summary>Whether the certificate signs itself (no authority involved).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool SelfSigned { get; set; }
}
