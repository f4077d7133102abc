using System.Net;
using static MtaSts.Tests.Reporting.ReportingFixtures;

namespace MtaSts.Tests.Reporting;

public class TlsRptPolicyTests
{
    [Fact]
    public void RPT_4_a_StsPolicy_FromAnMtaStsPolicy_LinesAndPatterns()
    {
        var policy = StsPolicy();
        Assert.Equal(TlsRptPolicyType.Sts, policy.PolicyType);
        Assert.Equal("recipient.example", policy.PolicyDomain);
        Assert.Equal(["version: STSv1", "mode: enforce", "mx: mx1.recipient.example", "mx: *.backup.recipient.example", "max_age: 604800"], policy.PolicyStrings);
        Assert.Equal(["mx1.recipient.example", "*.backup.recipient.example"], policy.MxHosts);
    }

    [Fact]
    public void RPT_4_a_Names_AreALabels()
    {
        var policy = TlsRptPolicy.Sts("Bücher.Example", ["version: STSv1"], ["*.MX.Bücher.example", "mx.example."]);
        Assert.Equal("xn--bcher-kva.example", policy.PolicyDomain);
        Assert.Equal(["*.mx.xn--bcher-kva.example", "mx.example"], policy.MxHosts);
        Assert.Equal("xn--bcher-kva.example", TlsRptPolicy.NoPolicyFound("bücher.example").PolicyDomain);
        Assert.Equal("mx.xn--bcher-kva.example", new TlsRptFailure(TlsRptResultType.TlsaInvalid) { ReceivingMxHostname = "MX.bücher.example" }.ReceivingMxHostname);
    }

    [Fact]
    public void Policies_CompareByValue()
    {
        Assert.Equal(StsPolicy(), StsPolicy());
        Assert.Equal(StsPolicy().GetHashCode(), StsPolicy().GetHashCode());
        Assert.Equal(TlsaPolicy(), TlsaPolicy());
        Assert.NotEqual(TlsRptPolicy.NoPolicyFound("recipient.example"), TlsRptPolicy.FromPolicyText("recipient.example", null));
        Assert.NotEqual(TlsRptPolicy.Sts("recipient.example", ["a"], ["mx.example"]), TlsRptPolicy.Sts("recipient.example", ["a"]));
    }

    [Fact]
    public void R_8_Failure_Addresses_AreNormalised()
    {
        var failure = new TlsRptFailure(TlsRptResultType.TlsaInvalid)
        {
            SendingMtaIp = IPAddress.Parse("::ffff:192.0.2.1"),
            ReceivingIp = IPAddress.Parse("fe80::1%3"),
        };
        Assert.Equal(IPAddress.Parse("192.0.2.1"), failure.SendingMtaIp);
        Assert.Equal(0, failure.ReceivingIp!.ScopeId);
        Assert.Equal(failure, failure with { });
    }

    [Theory]
    [InlineData("The remote certificate is invalid according to the validation procedure.")]
    [InlineData("/var/lib/mta/cert.pem")]
    public void R_12_FailureReasonCodes_MustBeCodes(string text) =>
        Assert.Throws<ArgumentException>(() => new TlsRptFailure(TlsRptResultType.ValidationFailure, text));

    [Fact]
    public void R_8_Helo_IsOneName_AdditionalInformationAUri()
    {
        Assert.Throws<ArgumentException>(() => new TlsRptFailure(TlsRptResultType.ValidationFailure) { ReceivingMxHelo = "mx.example ESMTP ready" });
        Assert.Throws<ArgumentException>(() => new TlsRptFailure(TlsRptResultType.ValidationFailure) { AdditionalInformation = "see the logs" });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TlsRptFailure(default(TlsRptResultType)));
        var failure = new TlsRptFailure(TlsRptResultType.ValidationFailure, string.Empty) { ReceivingMxHelo = string.Empty, AdditionalInformation = "https://sender.example/tlsrpt/1" };
        Assert.Null(failure.FailureReasonCode);
        Assert.Null(failure.ReceivingMxHelo);
        Assert.Equal("https://sender.example/tlsrpt/1", failure.AdditionalInformation);
    }
}
