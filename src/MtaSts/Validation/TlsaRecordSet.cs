using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Validation;

/// <summary>
/// The TLSA records an SMTP client actually matches against, prepared once per requirement: unusable and malformed
/// records discarded (RFC 7672 §3.1.3, RFC 7671 §9), digest agility applied (RFC 7671 §9, DANE-5-b), split by usage.
/// </summary>
internal sealed class TlsaRecordSet : IDisposable
{
    private TlsaRecordSet(TlsaAssociation[] endEntity, TlsaAssociation[] trustAnchor, TlsaAssociation[] superseded, (X509Certificate2 Certificate, TlsaAssociation Record)[] suppliedAnchors, int published, int unusable)
    {
        EndEntity = endEntity;
        TrustAnchor = trustAnchor;
        Superseded = superseded;
        SuppliedAnchors = suppliedAnchors;
        PublishedCount = published;
        UnusableCount = unusable;
    }

    /// <summary>The DANE-EE(3) records kept.</summary>
    public TlsaAssociation[] EndEntity { get; }

    /// <summary>The DANE-TA(2) records kept.</summary>
    public TlsaAssociation[] TrustAnchor { get; }

    /// <summary>Usable records set aside because a stronger digest is published for the same usage and selector (kept for diagnostics only).</summary>
    public TlsaAssociation[] Superseded { get; }

    /// <summary>
    /// Trust anchors carried whole by <c>2 0 0</c> records (RFC 7672 §3.1.2: such a record supplies the anchor itself,
    /// so the server need not present it). Records whose data is not a certificate supply nothing.
    /// </summary>
    public (X509Certificate2 Certificate, TlsaAssociation Record)[] SuppliedAnchors { get; }

    /// <summary>How many records the requirement carried.</summary>
    public int PublishedCount { get; }

    /// <summary>How many of them were unusable for SMTP (usage 0/1, unknown selector or matching type, wrong digest length).</summary>
    public int UnusableCount { get; }

    /// <summary>Releases the certificates made from <c>2 0 0</c> records.</summary>
    public void Dispose()
    {
        foreach (var (certificate, _) in SuppliedAnchors)
        {
            certificate.Dispose();
        }
    }

    /// <summary>Whether any usable record remains: if not, DANE requires TLS but cannot authenticate (RFC 7672 §2.2).</summary>
    public bool HasUsableRecords => EndEntity.Length + TrustAnchor.Length > 0;

    /// <summary>
    /// Filters and ranks <paramref name="records"/>: discards unusable ones, then for each (usage, selector) keeps the
    /// Full(0) records plus the records of the strongest digest present (SHA2-512 over SHA2-256), so that a match on a
    /// weaker digest alone does not count when a stronger one is published for the same usage and selector.
    /// </summary>
    /// <param name="records">The records; <see langword="null"/> entries are ignored.</param>
    /// <returns>The prepared set.</returns>
    public static TlsaRecordSet Create(IReadOnlyList<TlsaAssociation?> records)
    {
        var usable = new List<TlsaAssociation>(records.Count);
        foreach (var record in records)
        {
            if (record is { IsUsable: true } && !usable.Contains(record))
            {
                usable.Add(record);
            }
        }

        // Strongest digest per (usage, selector): index = (usage - 2) * 2 + selector; usage and selector are 2/3 and 0/1 here.
        Span<byte> strongest = stackalloc byte[4];
        strongest.Clear();
        foreach (var record in usable)
        {
            var slot = Slot(record);
            if ((byte)record.MatchingType > strongest[slot])
            {
                strongest[slot] = (byte)record.MatchingType;
            }
        }

        var endEntity = new List<TlsaAssociation>();
        var trustAnchor = new List<TlsaAssociation>();
        var superseded = new List<TlsaAssociation>();
        var supplied = new List<(X509Certificate2, TlsaAssociation)>();
        foreach (var record in usable)
        {
            if (record.MatchingType != TlsaMatchingType.Full && (byte)record.MatchingType != strongest[Slot(record)])
            {
                superseded.Add(record);
                continue;
            }

            if (record.Usage == TlsaUsage.DaneEe)
            {
                endEntity.Add(record);
                continue;
            }

            trustAnchor.Add(record);
            if (record is { Selector: TlsaSelector.FullCertificate, MatchingType: TlsaMatchingType.Full }
                && TryLoadCertificate(record.Data.Span) is { } anchor)
            {
                supplied.Add((anchor, record));
            }
        }

        return new TlsaRecordSet([.. endEntity], [.. trustAnchor], [.. superseded], [.. supplied], records.Count, records.Count - usable.Count);
    }

    private static int Slot(TlsaAssociation record) => (((byte)record.Usage - (byte)TlsaUsage.DaneTa) * 2) + (byte)record.Selector;

    private static X509Certificate2? TryLoadCertificate(ReadOnlySpan<byte> der)
    {
        // A 2 0 0 record holds one DER certificate and nothing else: check that before handing the bytes to the
        // platform loader, which would also accept PEM or PKCS#7 blobs.
        try
        {
            AsnDecoder.ReadEncodedValue(der, AsnEncodingRules.DER, out _, out _, out var consumed);
            if (consumed != der.Length || !TlsaMatcher.TryGetSubjectPublicKeyInfo(der, out _))
            {
                return null;
            }

#if NET9_0_OR_GREATER
            return X509CertificateLoader.LoadCertificate(der);
#else
            return new X509Certificate2(der.ToArray());
#endif
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException)
        {
            return null;
        }
    }
}
