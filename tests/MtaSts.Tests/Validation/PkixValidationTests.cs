using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Tests.Validation;

public sealed class PkixValidationTests
{
    private static readonly TestPki.Set Pki = TestPki.Certs;

    private static CertificateRequirement Pkix(bool enforce = true, string host = TestPki.MxHost, bool trustTestRoot = true) => new()
    {
        Authentication = MxAuthentication.Pkix,
        MxHost = host,
        Enforce = enforce,
        AdditionalTrustedRoots = trustTestRoot ? [Pki.Root] : null,
    };

    private static CertificateValidationResult Check(CertificateRequirement requirement, X509Certificate2 leaf, params X509Certificate2[] sent)
    {
        using var stack = StackChain.Build(leaf, sent);
        return CertificateValidator.Validate(requirement, leaf, stack.Chain, stack.Errors);
    }

    [Fact]
    public void STS_4_2_a_ChainToTrustedRoot_WithMatchingSan_Passes()
    {
        var result = Check(Pkix(), Pki.Leaf, Pki.Intermediate);

        Assert.True(result.Verdict == CertificateVerdict.Passed, result.ToString());
        Assert.Null(result.ResultType);
        Assert.Equal(MxAuthentication.Pkix, result.Authentication);
    }

    [Fact]
    public void STS_4_2_a_RootOfAnotherAuthority_IsCertificateNotTrusted()
    {
        var result = Check(Pkix(), Pki.UntrustedLeaf, Pki.OtherIntermediate);

        Assert.Equal(CertificateVerdict.Rejected, result.Verdict);
        Assert.Equal("certificate-not-trusted", result.ResultType);
    }

    [Fact]
    public void STS_4_2_a_TestRootNotConfigured_IsCertificateNotTrusted()
    {
        // Without AdditionalTrustedRoots only the platform's roots count, and the test root is not one of them.
        var result = Check(Pkix(trustTestRoot: false), Pki.Leaf, Pki.Intermediate);

        Assert.Equal("certificate-not-trusted", result.ResultType);
    }

    [Fact]
    public void STS_4_2_a_MissingIntermediate_IsCertificateNotTrusted()
    {
        // The validator never downloads missing intermediates: the server must send them.
        var result = Check(Pkix(), Pki.Leaf);

        Assert.Equal("certificate-not-trusted", result.ResultType);
        Assert.Contains("incomplete chain", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void STS_4_2_a_SelfSignedCertificate_IsCertificateNotTrusted()
    {
        var result = Check(Pkix(), Pki.SelfSignedLeaf);

        Assert.Equal("certificate-not-trusted", result.ResultType);
    }

    [Fact]
    public void STS_4_2_a_ExpiredCertificate_IsCertificateExpired()
    {
        var result = Check(Pkix(), Pki.ExpiredLeaf, Pki.Intermediate);

        Assert.NotEqual(CertificateVerdict.Passed, result.Verdict);
        Assert.Equal("certificate-expired", result.ResultType);
        Assert.Contains("expired (NotAfter ", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void STS_4_2_a_NotYetValidCertificate_IsCertificateExpired()
    {
        var result = Check(Pkix(), Pki.NotYetValidLeaf, Pki.Intermediate);

        Assert.Equal("certificate-expired", result.ResultType);
        Assert.Contains("not yet valid (NotBefore ", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void STS_4_2_a_ExpiredAndUntrusted_IsReportedAsNotTrusted()
    {
        // Trust problems are more fundamental than dates; the expiry of a certificate nobody vouches for says little.
        var result = Check(Pkix(), Pki.SelfSignedExpiredWrongName);

        Assert.Equal("certificate-not-trusted", result.ResultType);
    }

    [Fact]
    public void STS_4_2_a_CertificateNotForServerAuthentication_IsCertificateNotTrusted()
    {
        var result = Check(Pkix(), Pki.ClientAuthOnlyLeaf, Pki.Intermediate);

        Assert.Equal("certificate-not-trusted", result.ResultType);
    }

    [Fact]
    public void STS_4_2_a_PlatformVerdict_IsTheTlsStacksChainResult()
    {
        // With a chain from the TLS stack, its chain verdict stands for the platform roots.
        var leaf = Pki.Leaf;
        using var stack = StackChain.Build(leaf, Pki.Intermediate);

        var trustedByStack = CertificateValidator.Validate(Pkix(trustTestRoot: false), leaf, stack.Chain, SslPolicyErrors.None);
        var refusedByStack = CertificateValidator.Validate(Pkix(trustTestRoot: false), leaf, stack.Chain, SslPolicyErrors.RemoteCertificateChainErrors);

        Assert.True(trustedByStack.Verdict == CertificateVerdict.Passed, trustedByStack.ToString());
        Assert.Equal("certificate-not-trusted", refusedByStack.ResultType);
    }

    [Fact]
    public void STS_4_2_a_PathIsCompletedFromPresentedCertificatesOnly()
    {
        var leaf = Pki.Leaf;

        // No chain and no intermediate: nothing to complete the path with.
        var alone = CertificateValidator.Validate(Pkix(), leaf, chain: null, SslPolicyErrors.None);

        Assert.Equal("certificate-not-trusted", alone.ResultType);

        // A chain whose only content is the intermediate in its ExtraStore (not built): the validator builds under the test root.
        using var unbuilt = new X509Chain();
        unbuilt.ChainPolicy.ExtraStore.Add(Pki.Intermediate);
        var completed = CertificateValidator.Validate(Pkix(), leaf, unbuilt, SslPolicyErrors.RemoteCertificateChainErrors);

        Assert.True(completed.Verdict == CertificateVerdict.Passed, completed.ToString());
    }

    [Fact]
    public void STS_4_2_b_SanNamesAnotherHost_IsCertificateHostMismatch()
    {
        var result = Check(Pkix(), Pki.WrongNameLeaf, Pki.Intermediate);

        Assert.NotEqual(CertificateVerdict.Passed, result.Verdict);
        Assert.Equal("certificate-host-mismatch", result.ResultType);
        Assert.Contains("other.example.test", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void STS_4_2_b_CnOnlyCertificate_IsCertificateHostMismatch()
    {
        // Also: A-9 (no CN fallback, even though the CN is exactly the MX host)
        var result = Check(Pkix(), Pki.CnOnlyLeaf, Pki.Intermediate);

        Assert.Equal("certificate-host-mismatch", result.ResultType);
        Assert.Contains("CN", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mx1.example.test", true)]
    [InlineData("MX2.Example.Test", true)]
    [InlineData("mx1.example.test.", true)]
    [InlineData("example.test", false)]
    [InlineData("a.mx1.example.test", false)]
    public void A_9_WildcardSan_StandsForExactlyTheLeftMostLabel(string host, bool passes)
    {
        var result = Check(Pkix(host: host), Pki.WildcardLeaf, Pki.Intermediate);

        Assert.Equal(passes, result.Verdict == CertificateVerdict.Passed);
        Assert.Equal(passes ? null : "certificate-host-mismatch", result.ResultType);
    }

    [Fact]
    public void A_9_PartialLabelWildcard_NeverMatches()
    {
        var result = Check(Pkix(), Pki.PartialWildcardLeaf, Pki.Intermediate);

        Assert.Equal("certificate-host-mismatch", result.ResultType);
    }

    [Fact]
    public void A_9_WildcardInCnOnly_NeverMatches()
    {
        var result = Check(Pkix(), Pki.WildcardCnOnlyLeaf, Pki.Intermediate);

        Assert.Equal("certificate-host-mismatch", result.ResultType);
    }

    [Fact]
    public void STS_5_a_Enforce_FailureIsNotAccepted()
    {
        var result = Check(Pkix(enforce: true), Pki.WrongNameLeaf, Pki.Intermediate);

        Assert.Equal(CertificateVerdict.Rejected, result.Verdict);
    }

    [Fact]
    public void STS_5_b_Testing_FailureIsAcceptedAndStillReported()
    {
        var result = Check(Pkix(enforce: false), Pki.ExpiredLeaf, Pki.Intermediate);

        Assert.Equal(CertificateVerdict.FailedButAllowed, result.Verdict);
        Assert.Equal("certificate-expired", result.ResultType);
        Assert.Contains("testing mode", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void STS_5_b_Testing_PassIsAPass()
    {
        var result = Check(Pkix(enforce: false), Pki.Leaf, Pki.Intermediate);

        Assert.Equal(CertificateVerdict.Passed, result.Verdict);
    }

    [Fact]
    public void NoCertificate_IsValidationFailure()
    {
        var result = CertificateValidator.Validate(Pkix(), null, null, SslPolicyErrors.RemoteCertificateNotAvailable);

        Assert.Equal(CertificateVerdict.Rejected, result.Verdict);
        Assert.Equal("validation-failure", result.ResultType);
    }

    [Fact]
    public void AuthenticationNone_AlwaysPasses()
    {
        var requirement = new CertificateRequirement { Authentication = MxAuthentication.None, MxHost = TestPki.MxHost };

        var withoutCertificate = CertificateValidator.Validate(requirement, null, null, SslPolicyErrors.RemoteCertificateNotAvailable);
        var withBadCertificate = Check(requirement, Pki.SelfSignedExpiredWrongName);

        Assert.Equal(CertificateVerdict.Passed, withoutCertificate.Verdict);
        Assert.Equal(CertificateVerdict.Passed, withBadCertificate.Verdict);
        Assert.Equal(MxAuthentication.None, withBadCertificate.Authentication);
    }

    [Fact]
    public void PlainX509Certificate_IsAccepted()
    {
        // Older stacks may hand over an X509Certificate rather than an X509Certificate2.
#pragma warning disable SYSLIB0057
        using var plain = new X509Certificate(Pki.Leaf.RawData);
#pragma warning restore SYSLIB0057
        using var stack = StackChain.Build(Pki.Leaf, Pki.Intermediate);

        var result = CertificateValidator.Validate(Pkix(), plain, stack.Chain, stack.Errors);

        Assert.True(result.Verdict == CertificateVerdict.Passed, result.ToString());
    }

    [Fact]
    public void BrokenCertificateObject_IsValidationFailure_NotAnException()
    {
#pragma warning disable SYSLIB0026 // An empty certificate object is exactly the broken input wanted here.
        using var empty = new X509Certificate();
#pragma warning restore SYSLIB0026

        var result = CertificateValidator.Validate(Pkix(), empty, null, SslPolicyErrors.None);

        Assert.Equal("validation-failure", result.ResultType);
        Assert.Equal(CertificateVerdict.Rejected, result.Verdict);
    }

    [Fact]
    public void InvalidRequirement_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentNullException>(() => CertificateValidator.Validate(null!, Pki.Leaf, null, SslPolicyErrors.None));
        Assert.Throws<ArgumentNullException>(() => CertificateValidator.CreateCallback(null!));
        Assert.Throws<ArgumentException>(() => CertificateValidator.CreateCallback(new CertificateRequirement { Authentication = MxAuthentication.Pkix, MxHost = " " }));
        Assert.Throws<ArgumentException>(() => CertificateValidator.CreateCallback(new CertificateRequirement { Authentication = (MxAuthentication)42, MxHost = TestPki.MxHost }));
        Assert.Throws<ArgumentException>(() => CertificateValidator.CreateCallback(new CertificateRequirement { Authentication = MxAuthentication.DaneEe, MxHost = TestPki.MxHost, TlsaRecords = null! }));
    }
}
