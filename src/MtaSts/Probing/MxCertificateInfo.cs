using System.Security.Cryptography.X509Certificates;
using MtaSts.Validation;

namespace MtaSts;

/// <summary>What an MX host's certificate showed (a copy: no certificate object is kept).</summary>
/// <param name="Subject">The subject distinguished name.</param>
/// <param name="DnsNames">The SAN dNSNames.</param>
/// <param name="NotAfter">The end of its validity.</param>
/// <param name="ChainLength">How many certificates the chain had as built or presented (at least 1).</param>
public sealed record MxCertificateInfo(string Subject, IReadOnlyList<string> DnsNames, DateTimeOffset NotAfter, int ChainLength)
{
    internal static MxCertificateInfo From(X509Certificate2 leaf, X509Chain? chain) => new(
        Diagnostics.EvidenceText.Cap(leaf.Subject),
        CertificateNames.DnsNames(leaf).Take(100).ToArray(),
        new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero),
        Math.Max(1, chain?.ChainElements.Count ?? 1));
}
