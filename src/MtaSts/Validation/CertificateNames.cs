using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Validation;

/// <summary>The DNS names a server certificate claims, and how they are compared with reference identifiers.</summary>
internal static class CertificateNames
{
    private const string SubjectAlternativeNameOid = "2.5.29.17";
    private const string CommonNameOid = "2.5.4.3";

    /// <summary>The SAN dNSName entries (empty when there is no SAN extension or it is malformed).</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The names as written in the certificate.</returns>
    public static List<string> DnsNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAlternativeNameOid)
            {
                continue;
            }

            try
            {
                var san = extension as X509SubjectAlternativeNameExtension ?? new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
                names.AddRange(san.EnumerateDnsNames());
            }
            catch (Exception e) when (e is CryptographicException or AsnContentException)
            {
                // A malformed SAN names nothing we can rely on.
                names.Clear();
                return names;
            }
        }

        return names;
    }

    /// <summary>The subject's CN values.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>Every single-valued CN attribute of the subject.</returns>
    public static List<string> CommonNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        try
        {
            foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
            {
                if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == CommonNameOid && rdn.GetSingleElementValue() is { Length: > 0 } value)
                {
                    names.Add(value);
                }
            }
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException)
        {
            names.Clear();
        }

        return names;
    }

    /// <summary>
    /// The DANE-TA name check (RFC 7672 §3.2.3): the SAN dNSNames when the certificate has any, otherwise its CNs, must
    /// match one of <paramref name="referenceIdentifiers"/>; a wildcard only as the whole first label.
    /// </summary>
    /// <param name="certificate">The server certificate.</param>
    /// <param name="referenceIdentifiers">The reference identifiers.</param>
    /// <param name="presented">The names that were compared (for the reason of a failure).</param>
    /// <param name="fromCommonName">Whether they came from the CN because there was no DNS SAN.</param>
    /// <returns>The reference identifier that matched, or <see langword="null"/>.</returns>
    public static string? MatchDane(X509Certificate2 certificate, IReadOnlyList<string> referenceIdentifiers, out List<string> presented, out bool fromCommonName)
    {
        presented = DnsNames(certificate);
        fromCommonName = presented.Count == 0;
        if (fromCommonName)
        {
            presented = CommonNames(certificate);
        }

        foreach (var reference in referenceIdentifiers)
        {
            foreach (var name in presented)
            {
                if (Matches(name, reference))
                {
                    return reference;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Compares a name from a certificate with a reference identifier: case-insensitive (ASCII), a trailing dot ignored
    /// on either side, and a wildcard only as the entire left-most label standing for exactly one non-empty label, with
    /// at least two labels after it (<c>*.example.com</c>, never <c>mx*.example.com</c>, <c>*mx.example.com</c> or <c>*.com</c>).
    /// </summary>
    /// <param name="presented">The name from the certificate (SAN dNSName or CN).</param>
    /// <param name="reference">The name the client expects.</param>
    /// <returns>Whether they match.</returns>
    public static bool Matches(string presented, string reference)
    {
        var name = TrimDot(presented.AsSpan());
        var expected = TrimDot(reference.AsSpan());
        if (name.IsEmpty || expected.IsEmpty || expected.Contains('*'))
        {
            return false;
        }

        if (name.StartsWith("*.", StringComparison.Ordinal))
        {
            var suffix = name[2..];
            var firstDot = expected.IndexOf('.');
            return !suffix.Contains('*') && suffix.Contains('.') && !suffix.StartsWith(".", StringComparison.Ordinal)
                && firstDot > 0 && expected[(firstDot + 1)..].Equals(suffix, StringComparison.OrdinalIgnoreCase);
        }

        return !name.Contains('*') && name.Equals(expected, StringComparison.OrdinalIgnoreCase);
    }

    private static ReadOnlySpan<char> TrimDot(ReadOnlySpan<char> name) =>
        name.EndsWith(".", StringComparison.Ordinal) ? name[..^1] : name;
}
