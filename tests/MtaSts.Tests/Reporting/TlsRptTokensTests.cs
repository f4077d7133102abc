namespace MtaSts.Tests.Reporting;

public class TlsRptTokensTests
{
    [Theory]
    [InlineData(TlsRptResultType.StartTlsNotSupported, "starttls-not-supported")]
    [InlineData(TlsRptResultType.CertificateHostMismatch, "certificate-host-mismatch")]
    [InlineData(TlsRptResultType.CertificateExpired, "certificate-expired")]
    [InlineData(TlsRptResultType.CertificateNotTrusted, "certificate-not-trusted")]
    [InlineData(TlsRptResultType.ValidationFailure, "validation-failure")]
    [InlineData(TlsRptResultType.TlsaInvalid, "tlsa-invalid")]
    [InlineData(TlsRptResultType.DnssecInvalid, "dnssec-invalid")]
    [InlineData(TlsRptResultType.DaneRequired, "dane-required")]
    [InlineData(TlsRptResultType.StsPolicyFetchError, "sts-policy-fetch-error")]
    [InlineData(TlsRptResultType.StsPolicyInvalid, "sts-policy-invalid")]
    [InlineData(TlsRptResultType.StsWebPkiInvalid, "sts-webpki-invalid")]
    public void RPT_4_3_ResultTypes_AreTheExactRegistryStrings_BothWays(TlsRptResultType type, string token)
    {
        Assert.Equal(token, TlsRptTokens.ToToken(type));
        Assert.True(TlsRptTokens.TryParseResultType(token, out var parsed));
        Assert.Equal(type, parsed);
    }

    [Fact]
    public void RPT_4_3_EveryResultType_IsListedOnce_WithADistinctToken()
    {
        Assert.Equal(Enum.GetValues<TlsRptResultType>(), TlsRptTokens.ResultTypes);
        Assert.Equal(11, TlsRptTokens.ResultTypes.Select(TlsRptTokens.ToToken).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("Certificate-Expired")]
    [InlineData("certificate-expired ")]
    [InlineData("")]
    [InlineData("sts")]
    public void RPT_4_3_UnknownOrMiscasedTokens_AreNotResultTypes(string token) =>
        Assert.False(TlsRptTokens.TryParseResultType(token, out _));

    [Theory]
    [InlineData(TlsRptPolicyType.Sts, "sts")]
    [InlineData(TlsRptPolicyType.Tlsa, "tlsa")]
    [InlineData(TlsRptPolicyType.NoPolicyFound, "no-policy-found")]
    public void RPT_4_4_PolicyTypes_AreTheSchemaStrings_BothWays(TlsRptPolicyType type, string token)
    {
        Assert.Equal(token, TlsRptTokens.ToToken(type));
        Assert.True(TlsRptTokens.TryParsePolicyType(token, out var parsed));
        Assert.Equal(type, parsed);
        Assert.False(TlsRptTokens.TryParsePolicyType(token.ToUpperInvariant(), out _));
    }

    [Fact]
    public void UndefinedValues_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TlsRptTokens.ToToken(default(TlsRptResultType)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TlsRptTokens.ToToken((TlsRptPolicyType)4));
    }

    [Theory]
    [InlineData(MtaStsFailure.PolicyFetchError, TlsRptResultType.StsPolicyFetchError)]
    [InlineData(MtaStsFailure.PolicyInvalid, TlsRptResultType.StsPolicyInvalid)]
    [InlineData(MtaStsFailure.WebPkiInvalid, TlsRptResultType.StsWebPkiInvalid)]
    public void R_16_PolicyFailures_MapToTheirResultType_AsTheResolutionSaysIt(MtaStsFailure failure, TlsRptResultType expected)
    {
        Assert.Equal(expected, TlsRptTokens.FromMtaStsFailure(failure));
        Assert.Equal(MtaStsResolution.GetReportResultType(failure), TlsRptTokens.ToToken(expected));
    }

    [Theory]
    [InlineData(MtaStsFailure.None)]
    [InlineData(MtaStsFailure.RecordNotFound)]
    [InlineData(MtaStsFailure.DnsFailure)]
    public void DiscoveryOutcomes_HaveNoResultType(MtaStsFailure failure) => Assert.Null(TlsRptTokens.FromMtaStsFailure(failure));
}
