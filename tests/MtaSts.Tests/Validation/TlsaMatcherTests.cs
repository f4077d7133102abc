using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Dane;
using MtaSts.Tests.Validation;
using MtaSts.Validation;

namespace MtaSts.Tests.Validation;

public sealed class TlsaMatcherTests
{
    private static readonly TestPki.Set Pki = TestPki.Certs;

    [Fact]
    public void SubjectPublicKeyInfo_IsSlicedExactlyAsEncoded()
    {
        using var rsaKey = RSA.Create(2048);
        using var rsa = new CertificateRequest("CN=rsa.example.test", rsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        foreach (var certificate in new[] { Pki.Leaf, Pki.Root, rsa })
        {
            Assert.True(TlsaMatcher.TryGetSubjectPublicKeyInfo(certificate.RawData, out var spki));
            Assert.Equal(certificate.PublicKey.ExportSubjectPublicKeyInfo(), spki.ToArray());
        }
    }

    [Fact]
    public void Version1Certificate_WithoutVersionField_IsParsed()
    {
        // Hand-built v1 TBSCertificate: no [0] version, no extensions; the signature is not checked by the matcher.
        var spki = Pki.Leaf.PublicKey.ExportSubjectPublicKeyInfo();
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteInteger(7);
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("1.2.840.10045.4.3.2");
                }

                writer.WriteEncodedValue(new X500DistinguishedName("CN=v1").RawData);
                using (writer.PushSequence())
                {
                    writer.WriteUtcTime(DateTimeOffset.UnixEpoch.AddYears(40));
                    writer.WriteUtcTime(DateTimeOffset.UnixEpoch.AddYears(45));
                }

                writer.WriteEncodedValue(new X500DistinguishedName("CN=v1").RawData);
                writer.WriteEncodedValue(spki);
            }

            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.10045.4.3.2");
            }

            writer.WriteBitString([0]);
        }

        Assert.True(TlsaMatcher.TryGetSubjectPublicKeyInfo(writer.Encode(), out var found));
        Assert.Equal(spki, found.ToArray());
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x30 })]
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 })]
    [InlineData(new byte[] { 0x04, 0x02, 0x30, 0x00 })]
    public void MalformedCertificate_NeverMatches_NeverThrows(byte[] garbage)
    {
        Assert.False(TlsaMatcher.TryGetSubjectPublicKeyInfo(garbage, out _));
        Assert.False(TlsaMatcher.Matches(new TlsaAssociation(3, 1, 1, new byte[32]), garbage));
        Assert.False(TlsaMatcher.Matches(new TlsaAssociation(3, 0, 1, new byte[32]), garbage));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 1)]
    [InlineData(0, 2)]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    public void EachSelectorAndMatchingType_MatchesItsOwnCertificateOnly(byte selector, byte matchingType)
    {
        var record = TestPki.Tlsa(3, selector, matchingType, Pki.Leaf);

        Assert.True(TlsaMatcher.Matches(record, Pki.Leaf));
        Assert.False(TlsaMatcher.Matches(record, Pki.WrongNameLeaf));
        Assert.False(TlsaMatcher.Matches(record, Pki.Intermediate));
    }

    [Fact]
    public void FlippedBit_DoesNotMatch()
    {
        var data = TestPki.Tlsa(3, 1, 1, Pki.Leaf).Data.ToArray();
        data[^1] ^= 1;

        Assert.False(TlsaMatcher.Matches(new TlsaAssociation(3, 1, 1, data), Pki.Leaf));
    }

    [Fact]
    public void UnknownSelectorOrMatchingType_OrWrongDigestLength_NeverMatches()
    {
        var sha256 = TestPki.Tlsa(3, 1, 1, Pki.Leaf).Data.Span;

        Assert.False(TlsaMatcher.Matches(new TlsaAssociation(3, 2, 1, sha256), Pki.Leaf));
        Assert.False(TlsaMatcher.Matches(new TlsaAssociation(3, 1, 3, sha256), Pki.Leaf));
        Assert.False(TlsaMatcher.Matches(new TlsaAssociation(3, 1, 2, sha256), Pki.Leaf));
        Assert.False(TlsaMatcher.Matches(new TlsaAssociation(3, 1, 1, sha256[..31]), Pki.Leaf));
        Assert.False(TlsaMatcher.Matches(new TlsaAssociation(3, 1, 0, []), Pki.Leaf));
    }

    [Fact]
    public void SpkiSelector_IsTheSameForARenewedCertificateWithTheSameKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mx1.example.test", key, HashAlgorithmName.SHA256);
        using var first = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var renewed = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));

        Assert.True(TlsaMatcher.Matches(TestPki.Tlsa(3, 1, 2, first), renewed));
        Assert.False(TlsaMatcher.Matches(TestPki.Tlsa(3, 0, 2, first), renewed));
    }

    [Fact]
    public void Matching_AllocatesNothing()
    {
        var spki256 = TestPki.Tlsa(3, 1, 1, Pki.Leaf);
        var full512 = TestPki.Tlsa(2, 0, 2, Pki.Leaf);
        var full = TestPki.Tlsa(3, 0, 0, Pki.Leaf);
        var leaf = Pki.Leaf;
        Assert.True(TlsaMatcher.Matches(spki256, leaf) && TlsaMatcher.Matches(full512, leaf) && TlsaMatcher.Matches(full, leaf));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var matches = 0;
        for (var i = 0; i < 100; i++)
        {
            matches += (TlsaMatcher.Matches(spki256, leaf) ? 1 : 0) + (TlsaMatcher.Matches(full512, leaf) ? 1 : 0) + (TlsaMatcher.Matches(full, leaf) ? 1 : 0);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(300, matches);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Abbreviate_ShortensLongData()
    {
        var record = new TlsaAssociation(3, 1, 1, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

        Assert.Equal("3 1 1 0001020304050607…", TlsaMatcher.Abbreviate(record));
        Assert.Equal("2 0 0 0A0B", TlsaMatcher.Abbreviate(new TlsaAssociation(2, 0, 0, [0x0A, 0x0B])));
    }
}
