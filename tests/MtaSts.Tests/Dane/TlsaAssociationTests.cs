namespace MtaSts.Tests.Dane;

/// <summary>The public TLSA types: IANA values, usability (RFC 7672 §3.1, RFC 7671 §9) and presentation form.</summary>
public class TlsaAssociationTests
{
    [Fact]
    public void Enums_CarryTheIanaRegistryValues()
    {
        Assert.Equal([0, 1, 2, 3], Enum.GetValues<TlsaUsage>().Select(v => (int)v));
        Assert.Equal([TlsaUsage.PkixTa, TlsaUsage.PkixEe, TlsaUsage.DaneTa, TlsaUsage.DaneEe], Enum.GetValues<TlsaUsage>());
        Assert.Equal([0, 1], Enum.GetValues<TlsaSelector>().Select(v => (int)v));
        Assert.Equal([0, 1, 2], Enum.GetValues<TlsaMatchingType>().Select(v => (int)v));
    }

    [Theory]
    [InlineData(TlsaUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, 32, true)]
    [InlineData(TlsaUsage.DaneTa, TlsaSelector.FullCertificate, TlsaMatchingType.Sha512, 64, true)]
    [InlineData(TlsaUsage.DaneEe, TlsaSelector.FullCertificate, TlsaMatchingType.Full, 10, true)]
    [InlineData(TlsaUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, 31, false)]
    [InlineData(TlsaUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha512, 32, false)]
    [InlineData(TlsaUsage.DaneEe, TlsaSelector.FullCertificate, TlsaMatchingType.Full, 0, false)]
    [InlineData(TlsaUsage.PkixTa, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, 32, false)]
    [InlineData(TlsaUsage.PkixEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, 32, false)]
    public void DANE_3_1_3_b_IsUsable_OnlyForDaneUsagesKnownSelectorsAndWellFormedDigests(TlsaUsage usage, TlsaSelector selector, TlsaMatchingType matchingType, int length, bool usable)
    {
        var record = new TlsaAssociation((byte)usage, (byte)selector, (byte)matchingType, new byte[length]);

        Assert.Equal(usable, record.IsUsable);
    }

    [Fact]
    public void UnknownFieldValues_AreKeptButUnusable_AndShownInPresentationForm()
    {
        var record = new TlsaAssociation(255, 1, 1, [0xAB, 0xCD]);

        Assert.False(record.IsUsable);
        Assert.Equal("255 1 1 ABCD", record.ToString());
        Assert.Equal(record, new TlsaAssociation(255, 1, 1, [0xAB, 0xCD]));
        Assert.NotEqual(record, new TlsaAssociation(255, 1, 1, [0xAB, 0xCE]));
    }
}
