using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Tests.Validation;

/// <summary>Decision R-12: every certificate failure carries a stable reason code next to its RFC 8460 result type.</summary>
public sealed class CertificateReasonCodeTests
{
    private static readonly TestPki.Set Pki = TestPki.Certs;

    private static CertificateRequirement Pkix(bool trustTestRoot = true) => new()
    {
        Authentication = MxAuthentication.Pkix,
        MxHost = TestPki.MxHost,
        AdditionalTrustedRoots = trustTestRoot ? [Pki.Root] : null,
    };

    private static CertificateRequirement Dane(MxAuthentication authentication, params TlsaAssociation[] records) => new()
    {
        Authentication = authentication,
        MxHost = TestPki.MxHost,
        TlsaRecords = records,
        ReferenceIdentifiers = [TestPki.MxHost],
    };

    private static CertificateValidationResult Check(CertificateRequirement requirement, X509Certificate2 leaf, params X509Certificate2[] sent)
    {
        using var stack = StackChain.Build(leaf, sent);
        return CertificateValidator.Validate(requirement, leaf, stack.Chain, stack.Errors);
    }

    public static TheoryData<string, string, string, TlsRptResultType> PkixCases() => new()
    {
        { "wrong-name", "certificate-host-mismatch", TlsRptReasonCodes.CertificateNameMismatch, TlsRptResultType.CertificateHostMismatch },
        { "cn-only", "certificate-host-mismatch", TlsRptReasonCodes.CertificateNameMismatch, TlsRptResultType.CertificateHostMismatch },
        { "expired", "certificate-expired", TlsRptReasonCodes.CertificateExpired, TlsRptResultType.CertificateExpired },
        { "not-yet-valid", "certificate-expired", TlsRptReasonCodes.CertificateExpired, TlsRptResultType.CertificateExpired },
        { "other-root", "certificate-not-trusted", TlsRptReasonCodes.CertificateUntrusted, TlsRptResultType.CertificateNotTrusted },
        { "missing-intermediate", "certificate-not-trusted", TlsRptReasonCodes.CertificateUntrusted, TlsRptResultType.CertificateNotTrusted },
        { "self-signed", "certificate-not-trusted", TlsRptReasonCodes.CertificateUntrusted, TlsRptResultType.CertificateNotTrusted },
        { "client-auth-only", "certificate-not-trusted", TlsRptReasonCodes.CertificateUsageInvalid, TlsRptResultType.CertificateNotTrusted },
    };

    [Theory]
    [MemberData(nameof(PkixCases))]
    public void R_12_PkixFailures_CarryAStableReasonCode(string certificate, string resultType, string reasonCode, TlsRptResultType failure)
    {
        var result = certificate switch
        {
            "wrong-name" => Check(Pkix(), Pki.WrongNameLeaf, Pki.Intermediate),
            "cn-only" => Check(Pkix(), Pki.CnOnlyLeaf, Pki.Intermediate),
            "expired" => Check(Pkix(), Pki.ExpiredLeaf, Pki.Intermediate),
            "not-yet-valid" => Check(Pkix(), Pki.NotYetValidLeaf, Pki.Intermediate),
            "other-root" => Check(Pkix(), Pki.UntrustedLeaf, Pki.OtherIntermediate),
            "missing-intermediate" => Check(Pkix(), Pki.Leaf),
            "self-signed" => Check(Pkix(), Pki.SelfSignedLeaf),
            "client-auth-only" => Check(Pkix(), Pki.ClientAuthOnlyLeaf, Pki.Intermediate),
            _ => throw new ArgumentOutOfRangeException(nameof(certificate)),
        };

        Assert.Equal(CertificateVerdict.Rejected, result.Verdict);
        Assert.Equal(resultType, result.ResultType);
        Assert.Equal(reasonCode, result.ReasonCode);
        Assert.Equal(failure, result.Failure);
        Assert.True(TlsRptReasonCodes.IsWellFormed(result.ReasonCode!));
    }

    [Fact]
    public void R_12_Passed_HasNoReasonCodeAndNoFailure()
    {
        var result = Check(Pkix(), Pki.Leaf, Pki.Intermediate);

        Assert.Equal(CertificateVerdict.Passed, result.Verdict);
        Assert.Null(result.ReasonCode);
        Assert.Null(result.Failure);
    }

    [Fact]
    public void R_17_DaneEeWithoutMatch_IsTlsaInvalid_TlsaNoMatch()
    {
        var result = Check(Dane(MxAuthentication.DaneEe, TestPki.Tlsa(3, 1, 1, Pki.OtherRoot)), Pki.Leaf, Pki.Intermediate);

        Assert.Equal(TlsRptResultType.TlsaInvalid, result.Failure);
        Assert.Equal(TlsRptReasonCodes.TlsaNoMatch, result.ReasonCode);
    }

    [Fact]
    public void R_17_DaneTaNameMismatch_IsHostMismatch_CertificateNameMismatch()
    {
        var result = Check(Dane(MxAuthentication.DaneTa, TestPki.Tlsa(2, 0, 1, Pki.Intermediate)), Pki.WrongNameLeaf, Pki.Intermediate);

        Assert.Equal(TlsRptResultType.CertificateHostMismatch, result.Failure);
        Assert.Equal(TlsRptReasonCodes.CertificateNameMismatch, result.ReasonCode);
    }

    [Fact]
    public void R_12_NoCertificate_IsValidationFailure_CertificateMissing()
    {
        var result = CertificateValidator.Validate(Pkix(), null, null, System.Net.Security.SslPolicyErrors.RemoteCertificateNotAvailable);

        Assert.Equal(TlsRptResultType.ValidationFailure, result.Failure);
        Assert.Equal(TlsRptReasonCodes.CertificateMissing, result.ReasonCode);
    }
}
