using System.Reflection;
using MtaSts.Delivery;

namespace MtaSts.Tests.Reporting;

public class TlsRptReasonCodesTests
{
    private static IEnumerable<string> Constants() =>
        typeof(TlsRptReasonCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);

    [Fact]
    public void R_12_EveryCode_IsInTheTableOnce_WithADescription()
    {
        var table = TlsRptReasonCodes.All.Select(c => c.Code).ToList();
        Assert.Equal(table.Count, table.Distinct(StringComparer.Ordinal).Count());
        foreach (var code in Constants().Where(c => c != TlsRptReasonCodes.HttpStatusPrefix))
        {
            Assert.Contains(code, table);
            Assert.True(TlsRptReasonCodes.TryGetDescription(code, out var description));
            Assert.False(string.IsNullOrWhiteSpace(description));
        }

        Assert.Equal(Constants().Count() - 1 + 1, table.Count); // every constant but the prefix, plus the http-status-nnn family
    }

    [Fact]
    public void R_12_EveryCode_IsWellFormed_AndLowerCase()
    {
        foreach (var entry in TlsRptReasonCodes.All)
        {
            Assert.True(TlsRptReasonCodes.IsWellFormed(entry.Code), entry.Code);
            Assert.Equal(entry.Code.ToLowerInvariant(), entry.Code);
            Assert.EndsWith(".", entry.Description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void R_12_TheCodesTheLibraryAlreadyEmits_KeepTheirSpelling()
    {
        Assert.Equal(DeliveryRules.MxMismatchReasonCode, TlsRptReasonCodes.MtaStsPolicyMxMismatch);
        Assert.Equal(MtaSts.Fetching.PolicyHostCertificateValidator.NameMismatch, TlsRptReasonCodes.CertificateNameMismatch);
        Assert.Equal(MtaSts.Fetching.PolicyHostCertificateValidator.Untrusted, TlsRptReasonCodes.CertificateUntrusted);
        Assert.Equal(MtaSts.Fetching.PolicyHostCertificateValidator.Expired, TlsRptReasonCodes.CertificateExpired);
        Assert.Equal(MtaSts.Fetching.PolicyHostAddressException.ReasonCode, TlsRptReasonCodes.AddressNotAllowed);
    }

    [Theory]
    [InlineData(404, "http-status-404")]
    [InlineData(301, "http-status-301")]
    public void R_12_HttpStatusFamily(int status, string expected)
    {
        Assert.Equal(expected, TlsRptReasonCodes.ForHttpStatus(status));
        Assert.True(TlsRptReasonCodes.TryGetDescription(expected, out var description));
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http-status-")]
    [InlineData("http-status-4040")]
    [InlineData("http-status-abc")]
    [InlineData("no-such-code")]
    [InlineData(null)]
    public void R_12_UnknownCodes_HaveNoDescription(string? code) => Assert.False(TlsRptReasonCodes.TryGetDescription(code, out _));

    [Theory]
    [InlineData("X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT", true)]
    [InlineData("tlsa-no-match", true)]
    [InlineData("", false)]
    [InlineData("The remote certificate is invalid", false)]
    [InlineData("/etc/ssl/certs", false)]
    [InlineData("System.Security.Authentication.AuthenticationException: boom", false)]
    public void R_12_IsWellFormed_RejectsSentencesPathsAndExceptionText(string code, bool expected) =>
        Assert.Equal(expected, TlsRptReasonCodes.IsWellFormed(code));

    [Fact]
    public void R_12_IsWellFormed_LimitsTheLength()
    {
        Assert.True(TlsRptReasonCodes.IsWellFormed(new string('a', 64)));
        Assert.False(TlsRptReasonCodes.IsWellFormed(new string('a', 65)));
    }
}
