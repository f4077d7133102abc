using MtaSts.Discovery;
using MtaSts.Inspection;

namespace MtaSts.Tests.Inspection;

/// <summary>The pure finding rules of <see cref="MtaStsInspector"/> (issue 9 §1).</summary>
public sealed class InspectionRulesTests
{
    private static MtaStsPolicy Policy(MtaStsMode mode, long maxAge, params string[] mx)
    {
        var text = $"version: STSv1\r\nmode: {mode.ToToken()}\r\n" + string.Concat(mx.Select(m => $"mx: {m}\r\n")) + $"max_age: {maxAge}\r\n";
        return MtaStsPolicyParser.Parse(text).Policy ?? throw new InvalidOperationException("test policy invalid");
    }

    private static MxPattern Pattern(string pattern) => Policy(MtaStsMode.Enforce, 86400, pattern).MxPatterns[0];

    private static DeliveryPlan Plan(params string[] hosts) => new()
    {
        Domain = "example.net",
        Status = DeliveryPlanStatus.Deliver,
        Hosts = hosts.Select((h, i) => new MxDecision
        {
            Host = h,
            Preference = 10 * (i + 1),
            IsUsable = true,
            TlsRequired = true,
            Sni = h,
            CertificateRequirement = new CertificateRequirement { Authentication = MxAuthentication.Pkix, MxHost = h },
        }).ToList(),
    };

    [Theory]
    [InlineData("*.example.net", "a.b.example.net", "a.b.example.net")] // two labels below the base
    [InlineData("*.example.net", "example.net", "example.net")]         // the base itself
    [InlineData("*.example.net", "mx.example.org", null)]               // unrelated
    [InlineData("mx.example.net", "a.mx.example.net", null)]            // not a wildcard
    [InlineData("*.example.net", "mx.example.net", null)]               // matches: no intent to report
    public void WildcardIntent_FindsTheHostAOneLabelWildcardCannotCover(string pattern, string host, string? expected) =>
        Assert.Equal(expected, InspectionRules.WildcardIntent(Pattern(pattern), [host]));

    [Fact]
    public void ForMxSet_Enforce_RefusedMxIsAnError_StaleAndShallowPatternsAreWarnings()
    {
        var policy = Policy(MtaStsMode.Enforce, 604800, "mx1.example.net", "old.example.net", "*.deep.example.net");
        var findings = InspectionRules.ForMxSet(policy, Plan("mx1.example.net", "mx2.example.net", "a.b.deep.example.net")).ToList();

        Assert.Equal(["mx2.example.net", "a.b.deep.example.net"], findings.Where(f => f.Code == InspectionCodes.MxNotCovered).Select(f => f.Subject));
        Assert.All(findings.Where(f => f.Code == InspectionCodes.MxNotCovered), f => Assert.Equal(InspectionSeverity.Error, f.Severity));
        Assert.Equal(InspectionSeverity.Warning, Assert.Single(findings, f => f.Code == InspectionCodes.PatternMatchesNoMx).Severity);
        Assert.Contains("a.b.deep.example.net", Assert.Single(findings, f => f.Code == InspectionCodes.WildcardOneLabelOnly).Message, StringComparison.Ordinal);
        Assert.Single(findings, f => f.Code == InspectionCodes.MxCovered);
    }

    [Theory]
    [InlineData(MtaStsMode.Testing, InspectionSeverity.Warning)]
    [InlineData(MtaStsMode.None, InspectionSeverity.Info)]
    public void ForMxSet_UncoveredMx_IsMilderUnderTestingAndNone(MtaStsMode mode, InspectionSeverity expected)
    {
        var findings = InspectionRules.ForMxSet(Policy(mode, 604800, "mx1.example.net"), Plan("mx2.example.net"));
        Assert.Equal(expected, Assert.Single(findings, f => f.Code == InspectionCodes.MxNotCovered).Severity);
    }

    [Theory]
    [InlineData(MtaStsMode.Enforce, 3600, InspectionCodes.MaxAgeShort, InspectionSeverity.Warning)]
    [InlineData(MtaStsMode.Testing, 2_592_000, InspectionCodes.MaxAgeLongTesting, InspectionSeverity.Info)]
    public void ForPolicy_MaxAgeSanity(MtaStsMode mode, long maxAge, string code, InspectionSeverity severity) =>
        Assert.Equal(severity, Assert.Single(InspectionRules.ForPolicy(Policy(mode, maxAge, "mx.example.net")), f => f.Code == code).Severity);

    [Fact]
    public void ForPolicy_EnforceWithAWeek_HasNoMaxAgeFinding() =>
        Assert.DoesNotContain(InspectionRules.ForPolicy(Policy(MtaStsMode.Enforce, 604800, "mx.example.net")), f => f.Code.StartsWith("max-age", StringComparison.Ordinal));

    [Fact]
    public void ForPolicy_ParserWarnings_KeepTheirCodeAndLine()
    {
        var policy = MtaStsPolicyParser.Parse("version: STSv1\r\nmode: enforce\r\nmx: mx.example.net.\r\nmax_age: 86400\r\n").Policy!;
        var finding = Assert.Single(InspectionRules.ForPolicy(policy), f => f.Code == MtaStsDiagnosticCodes.MxTrailingDot);
        Assert.Equal((InspectionSeverity.Warning, 3), (finding.Severity, finding.Line));
    }

    [Fact]
    public void ForTxt_TwoStsRecords_IsAnError_AndANearMissAloneIsAnError()
    {
        var multiple = new DiscoveryResult { Status = DiscoveryStatus.Multiple, TxtRecords = ["v=STSv1; id=a", "v=STSv1; id=b"] };
        Assert.Equal(InspectionSeverity.Error, Assert.Single(InspectionRules.ForTxt("example.net", multiple), f => f.Code == InspectionCodes.TxtRecordMultiple).Severity);
        Assert.All(InspectionRules.DescribeTxt(multiple), r => Assert.False(r.IsSelected));

        var nearMiss = new DiscoveryResult { Status = DiscoveryStatus.NotFound, TxtRecords = ["v=stsv1; id=a", "v=spf1 -all"] };
        var findings = InspectionRules.ForTxt("example.net", nearMiss).ToList();
        Assert.Equal(InspectionSeverity.Error, Assert.Single(findings, f => f.Code == InspectionCodes.TxtRecordNotSts).Severity);
        Assert.Equal(InspectionSeverity.Info, Assert.Single(findings, f => f.Code == InspectionCodes.TxtRecordIgnored).Severity);
        Assert.Single(findings, f => f.Code == InspectionCodes.TxtRecordMissing);
    }

    [Fact]
    public void InspectionCodes_All_IsSortedUnique_AndDisjointFromTheParserCodes()
    {
        Assert.Equal(InspectionCodes.All.Order(StringComparer.Ordinal), InspectionCodes.All);
        Assert.Equal(InspectionCodes.All.Count, InspectionCodes.All.Distinct().Count());
        Assert.Empty(InspectionCodes.All.Intersect(MtaStsDiagnosticCodes.All));
        Assert.Equal(typeof(InspectionCodes).GetFields().Length, InspectionCodes.All.Count);
    }
}
