using MtaSts.Dane;
using MtaSts.Tests.Validation;
using MtaSts.Validation;

namespace MtaSts.Tests.Validation;

public sealed class TlsaRecordSetTests
{
    private static TlsaAssociation Record(byte usage, byte selector, byte matchingType, byte fill = 1) =>
        new(usage, selector, matchingType, Enumerable.Repeat(fill, matchingType switch { 1 => 32, 2 => 64, _ => 20 }).ToArray());

    [Fact]
    public void DANE_5_b_KeepsFullRecordsAndTheStrongestDigestPerUsageAndSelector()
    {
        // The RFC 7671 §9 example: 3 1 0, 3 1 1, 3 1 2 → 3 1 0 and 3 1 2 count, 3 1 1 does not.
        var set = TlsaRecordSet.Create([Record(3, 1, 0), Record(3, 1, 1), Record(3, 1, 2), Record(3, 0, 1), Record(2, 1, 1), Record(2, 1, 2), Record(2, 0, 1)]);

        Assert.Equal(["3 1 0", "3 1 2", "3 0 1"], set.EndEntity.Select(Head));
        Assert.Equal(["2 1 2", "2 0 1"], set.TrustAnchor.Select(Head));
        Assert.Equal(["3 1 1", "2 1 1"], set.Superseded.Select(Head));
        Assert.Equal(0, set.UnusableCount);
    }

    [Fact]
    public void DANE_5_b_UnusableRecordsAreDiscardedFirst()
    {
        // Also: DANE-3.1.3-b. A malformed SHA-512 (wrong length) must not retire a good SHA-256 record.
        var malformed = new TlsaAssociation(3, 1, 2, new byte[32]);
        var set = TlsaRecordSet.Create([Record(3, 1, 1), malformed, Record(0, 0, 1), Record(1, 1, 2), Record(3, 2, 1), Record(3, 1, 4), new TlsaAssociation(3, 1, 0, [])]);

        Assert.Equal(["3 1 1"], set.EndEntity.Select(Head));
        Assert.Empty(set.TrustAnchor);
        Assert.Equal(7, set.PublishedCount);
        Assert.Equal(6, set.UnusableCount);
        Assert.True(set.HasUsableRecords);
    }

    [Fact]
    public void DANE_3_1_3_b_OnlyPkixUsages_LeaveNothingUsable()
    {
        var set = TlsaRecordSet.Create([Record(0, 0, 1), Record(1, 1, 1)]);

        Assert.False(set.HasUsableRecords);
    }

    [Fact]
    public void DuplicatesAndNullEntries_AreIgnored()
    {
        var set = TlsaRecordSet.Create([Record(3, 1, 1), Record(3, 1, 1), null]);

        Assert.Single(set.EndEntity);
    }

    [Fact]
    public void FullCertificateTaRecord_SuppliesItsAnchor_OnlyWhenItIsOneCertificate()
    {
        var root = TestPki.Certs.Root;
        var good = new TlsaAssociation(2, 0, 0, root.RawData);
        var trailing = new TlsaAssociation(2, 0, 0, [.. root.RawData, 0]);
        var pem = new TlsaAssociation(2, 0, 0, System.Text.Encoding.ASCII.GetBytes(root.ExportCertificatePem()));

        var set = TlsaRecordSet.Create([good, trailing, pem]);

        var (certificate, record) = Assert.Single(set.SuppliedAnchors);
        Assert.Equal(root.RawData, certificate.RawData);
        Assert.Same(good, record);
        Assert.Equal(3, set.TrustAnchor.Length);
    }

    private static string Head(TlsaAssociation record) => $"{(byte)record.Usage} {(byte)record.Selector} {(byte)record.MatchingType}";
}
