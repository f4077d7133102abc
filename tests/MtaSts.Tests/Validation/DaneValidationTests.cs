using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using static MtaSts.Tests.Validation.TestPki;

namespace MtaSts.Tests.Validation;

public sealed class DaneValidationTests
{
    private static readonly Set Pki = Certs;

    public static TheoryData<byte, byte> SelectorsAndMatchingTypes => new()
    {
        { 0, 0 }, { 0, 1 }, { 0, 2 }, { 1, 0 }, { 1, 1 }, { 1, 2 },
    };

    private static CertificateRequirement Dane(MxAuthentication authentication, IReadOnlyList<TlsaAssociation> records, string[]? referenceIdentifiers = null, bool enforce = true) => new()
    {
        Authentication = authentication,
        MxHost = MxHost,
        TlsaRecords = records,
        ReferenceIdentifiers = referenceIdentifiers ?? [MxHost],
        Enforce = enforce,
    };

    private static CertificateRequirement DaneTa(params TlsaAssociation[] records) => Dane(MxAuthentication.DaneTa, records);

    private static CertificateRequirement DaneEe(params TlsaAssociation[] records) => Dane(MxAuthentication.DaneEe, records);

    private static CertificateValidationResult Check(CertificateRequirement requirement, X509Certificate2 leaf, params X509Certificate2[] sent)
    {
        using var stack = StackChain.Build(leaf, sent);
        return CertificateValidator.Validate(requirement, leaf, stack.Chain, stack.Errors);
    }

    private static void AssertPassed(CertificateValidationResult result, MxAuthentication authentication)
    {
        Assert.True(result.Verdict == CertificateVerdict.Passed, result.ToString());
        Assert.Null(result.ResultType);
        Assert.Equal(authentication, result.Authentication);
    }

    private static void AssertFailed(CertificateValidationResult result, string resultType)
    {
        Assert.True(result.Verdict == CertificateVerdict.Rejected, result.ToString());
        Assert.Equal(resultType, result.ResultType);
    }

    // ---- DANE-EE ----

    [Theory]
    [MemberData(nameof(SelectorsAndMatchingTypes))]
    public void DANE_3_1_1_a_LeafMatchesEeRecord_PassesWhateverItsNameAndDates(byte selector, byte matchingType)
    {
        // Also: DANE-3.1.1-b (expired), DANE-3.2.1-a (wrong name), self-signed
        var leaf = Pki.SelfSignedExpiredWrongName;

        var result = Check(DaneEe(Tlsa(3, selector, matchingType, leaf)), leaf);

        AssertPassed(result, MxAuthentication.DaneEe);
        Assert.Contains($"3 {selector} {matchingType}", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DANE_3_1_1_b_ExpiredLeaf_PassesUnderDaneEe()
    {
        var result = Check(DaneEe(Tlsa(3, 1, 1, Pki.ExpiredLeaf)), Pki.ExpiredLeaf, Pki.Intermediate);

        AssertPassed(result, MxAuthentication.DaneEe);
    }

    [Fact]
    public void DANE_3_2_1_a_NameIsNotChecked_EvenAgainstReferenceIdentifiers()
    {
        var requirement = Dane(MxAuthentication.DaneEe, [Tlsa(3, 1, 1, Pki.WrongNameLeaf)], ["mx1.example.test"]);

        var result = Check(requirement, Pki.WrongNameLeaf, Pki.Intermediate);

        AssertPassed(result, MxAuthentication.DaneEe);
    }

    [Fact]
    public void DANE_3_1_1_a_EeRecordOfTheIssuer_DoesNotAuthenticate()
    {
        // A DANE-EE record pins the server's own certificate, not one above it.
        var result = Check(DaneEe(Tlsa(3, 1, 1, Pki.Intermediate)), Pki.Leaf, Pki.Intermediate);

        AssertFailed(result, "tlsa-invalid");
    }

    [Fact]
    public void DANE_3_1_1_a_SameKeyNewCertificate_StillMatchesSpkiButNotFullCertificate()
    {
        // Selector 1 survives a re-issue with the same key; selector 0 does not.
        using var reissued = Reissue(Pki.SelfSignedLeaf);

        AssertPassed(Check(DaneEe(Tlsa(3, 1, 1, Pki.SelfSignedLeaf)), reissued), MxAuthentication.DaneEe);
        AssertFailed(Check(DaneEe(Tlsa(3, 0, 1, Pki.SelfSignedLeaf)), reissued), "tlsa-invalid");
    }

    // ---- DANE-TA ----

    [Theory]
    [MemberData(nameof(SelectorsAndMatchingTypes))]
    public void DANE_3_1_2_a_IntermediateAsTrustAnchor_Passes(byte selector, byte matchingType)
    {
        var result = Check(DaneTa(Tlsa(2, selector, matchingType, Pki.Intermediate)), Pki.Leaf, Pki.Intermediate);

        AssertPassed(result, MxAuthentication.DaneTa);
        Assert.Contains(Pki.Intermediate.Subject, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DANE_3_1_2_a_PresentedRootAsTrustAnchor_Passes()
    {
        var result = Check(DaneTa(Tlsa(2, 0, 1, Pki.Root)), Pki.Leaf, Pki.Intermediate, Pki.Root);

        AssertPassed(result, MxAuthentication.DaneTa);
    }

    [Fact]
    public void DANE_3_1_2_a_IntermediateAnchor_WithRootAlsoPresented_Passes()
    {
        // The platform walks on to the (untrusted) root above the anchor; what lies above the anchor does not matter.
        var result = Check(DaneTa(Tlsa(2, 1, 1, Pki.Intermediate)), Pki.Leaf, Pki.Intermediate, Pki.Root);

        AssertPassed(result, MxAuthentication.DaneTa);
    }

    [Fact]
    public void DANE_3_1_2_a_AnchorTwoLevelsUp_PathThroughLowerIntermediateIsVerified()
    {
        var passed = Check(DaneTa(Tlsa(2, 1, 2, Pki.UpperIntermediate)), Pki.DeepLeaf, Pki.LowerIntermediate, Pki.UpperIntermediate);
        var gap = Check(DaneTa(Tlsa(2, 1, 2, Pki.UpperIntermediate)), Pki.DeepLeaf, Pki.UpperIntermediate);

        AssertPassed(passed, MxAuthentication.DaneTa);
        AssertFailed(gap, "certificate-not-trusted");
    }

    [Fact]
    public void DANE_3_1_2_a_LeafSignedByAnImpostor_IsCertificateNotTrusted()
    {
        // The impostor has the anchor's name but not its key; the server presents the real anchor.
        var result = Check(DaneTa(Tlsa(2, 0, 1, Pki.Intermediate)), Pki.ForgedLeaf, Pki.Intermediate);

        AssertFailed(result, "certificate-not-trusted");
        Assert.Contains("NotSignatureValid", result.Reason, StringComparison.Ordinal);
        Assert.Equal(MxAuthentication.DaneTa, result.Authentication);
    }

    [Fact]
    public void DANE_3_1_2_a_MatchingCertificateNotOnThePath_IsCertificateNotTrusted()
    {
        var result = Check(DaneTa(Tlsa(2, 1, 1, Pki.OtherRoot)), Pki.Leaf, Pki.Intermediate, Pki.OtherRoot);

        AssertFailed(result, "certificate-not-trusted");
        Assert.Contains("no valid path", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DANE_3_1_2_a_TaRecordMatchingTheLeafItself_DoesNotAuthenticate()
    {
        var result = Check(DaneTa(Tlsa(2, 1, 1, Pki.SelfSignedLeaf)), Pki.SelfSignedLeaf);

        AssertFailed(result, "tlsa-invalid");
        Assert.Contains("DANE-EE (3)", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DANE_3_1_2_a_TheLocalTrustStoreIsNotASourceOfAnchors()
    {
        // The chain the platform built may reach a root the server did not send; only what the server sent counts.
        var leaf = Pki.Leaf;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Pki.Root);
        chain.ChainPolicy.ExtraStore.Add(leaf);
        chain.ChainPolicy.ExtraStore.Add(Pki.Intermediate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(leaf));
        Assert.Equal(3, chain.ChainElements.Count);

        var result = CertificateValidator.Validate(DaneTa(Tlsa(2, 0, 1, Pki.Root)), leaf, chain, SslPolicyErrors.None);

        AssertFailed(result, "tlsa-invalid");
    }

    [Fact]
    public void DANE_3_1_2_b_DigestOfAnAnchorTheServerDidNotSend_IsTlsaInvalid()
    {
        var result = Check(DaneTa(Tlsa(2, 0, 1, Pki.Root)), Pki.Leaf, Pki.Intermediate);

        AssertFailed(result, "tlsa-invalid");
        Assert.Contains("2 0 1", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DANE_3_1_2_a_FullCertificateRecord_SuppliesAnAnchorTheServerDidNotSend()
    {
        var passed = Check(DaneTa(Tlsa(2, 0, 0, Pki.Root)), Pki.Leaf, Pki.Intermediate);
        var intermediateSupplied = Check(DaneTa(Tlsa(2, 0, 0, Pki.Intermediate)), Pki.Leaf);
        var spkiOnly = Check(DaneTa(Tlsa(2, 1, 0, Pki.Root)), Pki.Leaf, Pki.Intermediate);

        AssertPassed(passed, MxAuthentication.DaneTa);
        AssertPassed(intermediateSupplied, MxAuthentication.DaneTa);
        AssertFailed(spkiOnly, "tlsa-invalid");
    }

    [Fact]
    public void DANE_3_1_2_a_FullRecordHoldingGarbage_IsJustANonMatch()
    {
        var garbage = new TlsaAssociation(2, 0, 0, [0x30, 0x03, 0x02, 0x01, 0x01]);

        var result = Check(DaneTa(garbage), Pki.Leaf, Pki.Intermediate);

        AssertFailed(result, "tlsa-invalid");
    }

    [Fact]
    public void DANE_3_1_2_c_PathLengthConstraintOfTheAnchor_IsEnforced()
    {
        // The anchor allows no CA below it (pathLenConstraint 0), yet one is there.
        var result = Check(DaneTa(Tlsa(2, 0, 1, Pki.ConstrainedIntermediate)), Pki.ConstrainedLeaf, Pki.BelowConstrained, Pki.ConstrainedIntermediate);

        AssertFailed(result, "certificate-not-trusted");
    }

    [Fact]
    public void DANE_3_1_2_d_ExpiredLeafBelowTheAnchor_IsCertificateExpired()
    {
        var result = Check(DaneTa(Tlsa(2, 1, 1, Pki.Intermediate)), Pki.ExpiredLeaf, Pki.Intermediate);

        AssertFailed(result, "certificate-expired");
        Assert.Equal(MxAuthentication.DaneTa, result.Authentication);
    }

    [Fact]
    public void DANE_3_1_2_d_NotYetValidLeafBelowTheAnchor_IsCertificateExpired()
    {
        var result = Check(DaneTa(Tlsa(2, 1, 1, Pki.Intermediate)), Pki.NotYetValidLeaf, Pki.Intermediate);

        AssertFailed(result, "certificate-expired");
    }

    [Fact]
    public void DANE_3_1_2_a_LeafNotForServerAuthentication_IsCertificateNotTrusted()
    {
        var result = Check(DaneTa(Tlsa(2, 1, 1, Pki.Intermediate)), Pki.ClientAuthOnlyLeaf, Pki.Intermediate);

        AssertFailed(result, "certificate-not-trusted");
    }

    // ---- DANE-TA names ----

    [Fact]
    public void DANE_3_2_2_a_TlsaBaseDomain_IsAReferenceIdentifier()
    {
        var record = Tlsa(2, 1, 1, Pki.Intermediate);

        var matching = Check(Dane(MxAuthentication.DaneTa, [record], ["mx1.example.test"]), Pki.Leaf, Pki.Intermediate);
        var other = Check(Dane(MxAuthentication.DaneTa, [record], ["mx2.example.test"]), Pki.Leaf, Pki.Intermediate);

        AssertPassed(matching, MxAuthentication.DaneTa);
        AssertFailed(other, "certificate-host-mismatch");
        Assert.Contains("mx2.example.test", other.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DANE_3_2_2_b_AnyReferenceIdentifierMatching_IsEnough()
    {
        var requirement = Dane(MxAuthentication.DaneTa, [Tlsa(2, 1, 1, Pki.Intermediate)], ["mx.example.net", "example.net", "mx1.example.test"]);

        AssertPassed(Check(requirement, Pki.Leaf, Pki.Intermediate), MxAuthentication.DaneTa);
    }

    [Fact]
    public void DANE_3_2_2_b_WithoutReferenceIdentifiers_TheMxHostIsTheOnlyOne()
    {
        var requirement = Dane(MxAuthentication.DaneTa, [Tlsa(2, 1, 1, Pki.Intermediate)], []);

        AssertPassed(Check(requirement, Pki.Leaf, Pki.Intermediate), MxAuthentication.DaneTa);
        AssertFailed(Check(requirement, Pki.WrongNameLeaf, Pki.Intermediate), "certificate-host-mismatch");
    }

    [Fact]
    public void DANE_3_2_3_a_CommonName_IsUsedOnlyWithoutDnsSan()
    {
        var record = Tlsa(2, 1, 1, Pki.Intermediate);

        // CN = mx1.example.test and no SAN: the CN counts.
        AssertPassed(Check(DaneTa(record), Pki.CnOnlyLeaf, Pki.Intermediate), MxAuthentication.DaneTa);

        // CN = mx1.example.test but a SAN naming another host: only the SAN counts.
        var result = Check(DaneTa(record), Pki.WrongNameLeaf, Pki.Intermediate);
        AssertFailed(result, "certificate-host-mismatch");
        Assert.Contains("other.example.test", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DANE_3_2_3_b_PartialLabelWildcard_DoesNotMatch()
    {
        var result = Check(DaneTa(Tlsa(2, 1, 1, Pki.Intermediate)), Pki.PartialWildcardLeaf, Pki.Intermediate);

        AssertFailed(result, "certificate-host-mismatch");
    }

    [Theory]
    [InlineData("mx1.example.test", true)]
    [InlineData("smtp.example.test", true)]
    [InlineData("example.test", false)]
    [InlineData("a.mx1.example.test", false)]
    public void DANE_3_2_3_c_WildcardStandsForTheWholeFirstLabel(string referenceIdentifier, bool passes)
    {
        // Also: DANE-3.2.3-d (no multi-label wildcards)
        var requirement = Dane(MxAuthentication.DaneTa, [Tlsa(2, 1, 1, Pki.Intermediate)], [referenceIdentifier]);

        var san = Check(requirement, Pki.WildcardLeaf, Pki.Intermediate);
        var cn = Check(requirement, Pki.WildcardCnOnlyLeaf, Pki.Intermediate);

        Assert.Equal(passes, san.Verdict == CertificateVerdict.Passed);
        Assert.Equal(passes, cn.Verdict == CertificateVerdict.Passed);
        Assert.Equal(passes ? null : "certificate-host-mismatch", san.ResultType);
    }

    // ---- Usable records, digest agility ----

    [Fact]
    public void DANE_3_1_3_b_PkixUsages_AreUnusable_TlsWithoutAuthentication()
    {
        // Also: DANE-2.2-c. Records of usages 0 and 1 that would match are not used, and nothing else is usable.
        var requirement = DaneTa(Tlsa(0, 0, 1, Pki.Root), Tlsa(1, 1, 1, Pki.SelfSignedExpiredWrongName));

        var result = Check(requirement, Pki.SelfSignedExpiredWrongName);

        AssertPassed(result, MxAuthentication.None);
        Assert.Contains("no usable record", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DANE_3_1_3_b_MatchingPkixEeRecord_DoesNotRescueAFailedDaneEeRecord()
    {
        var requirement = DaneEe(Tlsa(1, 1, 1, Pki.Leaf), Tlsa(3, 1, 1, Pki.SelfSignedLeaf));

        AssertFailed(Check(requirement, Pki.Leaf, Pki.Intermediate), "tlsa-invalid");
    }

    [Fact]
    public void DANE_2_2_c_NoRecordsAtAll_TlsWithoutAuthentication()
    {
        var result = Check(DaneEe(), Pki.SelfSignedExpiredWrongName);

        AssertPassed(result, MxAuthentication.None);
    }

    [Fact]
    public void DANE_5_b_WeakerDigestAlone_DoesNotCountWhenAStrongerOneIsPublished()
    {
        var leaf = Pki.Leaf;
        var wrong512 = new TlsaAssociation(3, 1, 2, new byte[64]);

        var result = Check(DaneEe(Tlsa(3, 1, 1, leaf), wrong512), leaf, Pki.Intermediate);

        AssertFailed(result, "tlsa-invalid");
        Assert.Contains("weaker digest", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DANE_5_b_StrongestDigestMatching_Passes()
    {
        var leaf = Pki.Leaf;
        var wrong256 = new TlsaAssociation(3, 1, 1, new byte[32]);

        AssertPassed(Check(DaneEe(wrong256, Tlsa(3, 1, 2, leaf)), leaf, Pki.Intermediate), MxAuthentication.DaneEe);
    }

    [Fact]
    public void DANE_5_b_FullRecords_AlwaysCount()
    {
        // The RFC 7671 §9 example: 3 1 0, 3 1 1 and 3 1 2 published; a match on 3 1 0 is accepted.
        var leaf = Pki.Leaf;
        var requirement = DaneEe(Tlsa(3, 1, 0, leaf), new TlsaAssociation(3, 1, 1, new byte[32]), new TlsaAssociation(3, 1, 2, new byte[64]));

        AssertPassed(Check(requirement, leaf, Pki.Intermediate), MxAuthentication.DaneEe);
    }

    [Fact]
    public void DANE_5_b_RankingIsPerUsageAndSelector()
    {
        // A SHA-512 record for the full certificate does not retire the SHA-256 record of the key, nor a DANE-TA record's.
        var leaf = Pki.Leaf;

        AssertPassed(Check(DaneEe(Tlsa(3, 1, 1, leaf), new TlsaAssociation(3, 0, 2, new byte[64])), leaf, Pki.Intermediate), MxAuthentication.DaneEe);
        AssertPassed(
            Check(DaneTa(Tlsa(2, 1, 1, Pki.Intermediate), new TlsaAssociation(3, 1, 2, new byte[64])), leaf, Pki.Intermediate),
            MxAuthentication.DaneTa);
    }

    [Fact]
    public void DANE_5_b_MalformedStrongerRecord_IsDiscardedBeforeRanking()
    {
        // A "SHA-512" record of 32 bytes is unusable, so it cannot retire the good SHA-256 record.
        var leaf = Pki.Leaf;
        var malformed = new TlsaAssociation(3, 1, 2, new byte[32]);
        var unknownType = new TlsaAssociation(3, 1, 3, new byte[48]);

        AssertPassed(Check(DaneEe(Tlsa(3, 1, 1, leaf), malformed, unknownType), leaf, Pki.Intermediate), MxAuthentication.DaneEe);
    }

    // ---- Failure handling ----

    [Fact]
    public void DANE_9_1_b_NoRecordMatches_IsTlsaInvalidAndRefused()
    {
        var requirement = Dane(MxAuthentication.DaneEe, [Tlsa(3, 1, 1, Pki.SelfSignedLeaf), Tlsa(2, 0, 2, Pki.OtherIntermediate)]);

        var result = Check(requirement, Pki.Leaf, Pki.Intermediate);

        AssertFailed(result, "tlsa-invalid");
        Assert.Equal(MxAuthentication.DaneEe, result.Authentication);
        Assert.Contains("no TLSA record matched the presented chain (3 1 1 ", result.Reason, StringComparison.Ordinal);
        Assert.Contains("2 0 2 ", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DANE_9_1_a_AuditMode_AcceptsButReportsTheFailure()
    {
        var requirement = Dane(MxAuthentication.DaneEe, [Tlsa(3, 1, 1, Pki.SelfSignedLeaf)], enforce: false);

        var result = Check(requirement, Pki.Leaf, Pki.Intermediate);

        Assert.Equal(CertificateVerdict.FailedButAllowed, result.Verdict);
        Assert.Equal("tlsa-invalid", result.ResultType);
    }

    [Fact]
    public void PREC_a_CertificateThatPassesPkix_DoesNotRescueAFailedDaneCheck()
    {
        var requirement = new CertificateRequirement
        {
            Authentication = MxAuthentication.DaneEe,
            MxHost = MxHost,
            TlsaRecords = [Tlsa(3, 1, 1, Pki.SelfSignedLeaf)],
            AdditionalTrustedRoots = [Pki.Root],
        };
        var leaf = Pki.Leaf;
        using var stack = StackChain.Build(leaf, Pki.Intermediate);

        var result = CertificateValidator.Validate(requirement, leaf, stack.Chain, SslPolicyErrors.None);

        AssertFailed(result, "tlsa-invalid");
    }

    [Fact]
    public void DaneWithoutCertificate_IsValidationFailure()
    {
        var result = CertificateValidator.Validate(DaneEe(Tlsa(3, 1, 1, Pki.Leaf)), null, null, SslPolicyErrors.RemoteCertificateNotAvailable);

        AssertFailed(result, "validation-failure");
    }

    private static X509Certificate2 Reissue(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey()!;
        var request = new CertificateRequest(certificate.SubjectName, key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10));
    }
}
