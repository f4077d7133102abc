using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Validation;

/// <summary>
/// Compares one TLSA record with one certificate (RFC 6698 §2.1, RFC 7671 §9): select the content (the full DER
/// certificate or its DER SubjectPublicKeyInfo), then compare it exactly or by its SHA-256 / SHA-512 digest.
/// </summary>
/// <remarks>
/// Allocation-free: the certificate bytes come from <see cref="X509Certificate2.RawDataMemory"/>, the
/// SubjectPublicKeyInfo is sliced out of them as encoded (never re-encoded), and digests go to the stack.
/// </remarks>
internal static class TlsaMatcher
{
    private const int Sha256Length = 32;
    private const int Sha512Length = 64;

    /// <summary>Whether <paramref name="record"/> matches <paramref name="certificate"/>.</summary>
    /// <param name="record">The TLSA record; an unusable selector or matching type never matches.</param>
    /// <param name="certificate">The certificate.</param>
    /// <returns><see langword="true"/> when the selected content (or its digest) equals the association data.</returns>
    public static bool Matches(TlsaAssociation record, X509Certificate2 certificate) =>
        Matches(record, certificate.RawDataMemory.Span);

    /// <summary>Whether <paramref name="record"/> matches the DER certificate <paramref name="certificateDer"/>.</summary>
    /// <param name="record">The TLSA record.</param>
    /// <param name="certificateDer">The DER encoding of the certificate.</param>
    /// <returns><see langword="true"/> when the selected content (or its digest) equals the association data.</returns>
    public static bool Matches(TlsaAssociation record, ReadOnlySpan<byte> certificateDer)
    {
        ReadOnlySpan<byte> content;
        switch (record.Selector)
        {
            case TlsaSelector.FullCertificate:
                content = certificateDer;
                break;
            case TlsaSelector.SubjectPublicKeyInfo:
                if (!TryGetSubjectPublicKeyInfo(certificateDer, out content))
                {
                    return false;
                }

                break;
            default:
                return false;
        }

        var data = record.Data.Span;
        switch (record.MatchingType)
        {
            case TlsaMatchingType.Full:
                return data.Length > 0 && content.SequenceEqual(data);
            case TlsaMatchingType.Sha256:
            {
                if (data.Length != Sha256Length)
                {
                    return false;
                }

                Span<byte> digest = stackalloc byte[Sha256Length];
                SHA256.HashData(content, digest);
                return digest.SequenceEqual(data);
            }

            case TlsaMatchingType.Sha512:
            {
                if (data.Length != Sha512Length)
                {
                    return false;
                }

                Span<byte> digest = stackalloc byte[Sha512Length];
                SHA512.HashData(content, digest);
                return digest.SequenceEqual(data);
            }

            default:
                return false;
        }
    }

    /// <summary>
    /// Finds the DER SubjectPublicKeyInfo inside a DER certificate, exactly as encoded there
    /// (<c>Certificate → tbsCertificate → subjectPublicKeyInfo</c>, RFC 5280 §4.1).
    /// </summary>
    /// <param name="certificateDer">The certificate.</param>
    /// <param name="subjectPublicKeyInfo">The slice of <paramref name="certificateDer"/> holding the SubjectPublicKeyInfo.</param>
    /// <returns><see langword="false"/> when the certificate is not well formed.</returns>
    public static bool TryGetSubjectPublicKeyInfo(ReadOnlySpan<byte> certificateDer, out ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        subjectPublicKeyInfo = default;
        try
        {
            // BER rather than DER: slicing must not depend on the issuer's encoding discipline; the bytes are used as found.
            const AsnEncodingRules Rules = AsnEncodingRules.BER;
            AsnDecoder.ReadSequence(certificateDer, Rules, out var offset, out var length, out _);
            var certificate = certificateDer.Slice(offset, length);
            AsnDecoder.ReadSequence(certificate, Rules, out offset, out length, out _);
            var tbs = certificate.Slice(offset, length);

            // [0] EXPLICIT Version DEFAULT v1
            if (Asn1Tag.Decode(tbs, out _).HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                tbs = Skip(tbs, Rules);
            }

            // serialNumber, signature, issuer, validity, subject
            for (var i = 0; i < 5; i++)
            {
                tbs = Skip(tbs, Rules);
            }

            var tag = AsnDecoder.ReadEncodedValue(tbs, Rules, out _, out _, out var consumed);
            if (tag != Asn1Tag.Sequence)
            {
                return false;
            }

            subjectPublicKeyInfo = tbs[..consumed];
            return true;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    /// <summary>
    /// The record in presentation form with its data shortened to the first 8 bytes, for one-line reasons:
    /// <c>3 1 1 0123456789ABCDEF…</c>.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <returns>The short form.</returns>
    public static string Abbreviate(TlsaAssociation record)
    {
        const int Shown = 8;
        var data = record.Data.Span;
        return data.Length <= Shown
            ? record.ToString()
            : string.Create(CultureInfo.InvariantCulture, $"{(byte)record.Usage} {(byte)record.Selector} {(byte)record.MatchingType} {Convert.ToHexString(data[..Shown])}…");
    }

    /// <summary>The SHA-256 digest of a certificate's SubjectPublicKeyInfo in hex (what a <c>3 1 1</c> record would hold), for reasons.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The hex digest, or <c>?</c> when the certificate is malformed.</returns>
    public static string SubjectPublicKeyInfoSha256Hex(X509Certificate2 certificate)
    {
        if (!TryGetSubjectPublicKeyInfo(certificate.RawDataMemory.Span, out var spki))
        {
            return "?";
        }

        Span<byte> digest = stackalloc byte[Sha256Length];
        SHA256.HashData(spki, digest);
        return Convert.ToHexString(digest);
    }

    private static ReadOnlySpan<byte> Skip(ReadOnlySpan<byte> source, AsnEncodingRules rules)
    {
        AsnDecoder.ReadEncodedValue(source, rules, out _, out _, out var consumed);
        return source[consumed..];
    }
}
