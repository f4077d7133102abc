using MtaSts.Cli.Postfix;

namespace MtaSts.IntegrationTests.Postfix;

/// <summary>
/// The answers of <c>mta-sts postfix</c> for hand-made delivery plans (pure rules, no I/O). Names carry the rule: the
/// Postfix answer form of postfix-mta-sts-resolver, never looser than RFC 8461 (one-label wildcards, decision A-10),
/// DANE first (decision A-13).
/// </summary>
public sealed class PostfixAnswersTests
{
    private static readonly PostfixAnswerSettings Defaults = new();

    private static MtaStsResolution Resolution(MtaStsMode mode, params string[] mx)
    {
        var parsed = MtaStsPolicyParser.Parse(MtaSts.Testing.MtaStsTestWorld.BuildPolicy(mode, 86400, mx));
        Assert.True(parsed.IsValid);
        return new MtaStsResolution { Domain = "example.test", Outcome = MtaStsOutcome.Policy, Policy = parsed.Policy };
    }

    private static MxDecision Host(string name, bool use = true, bool? match = true, DaneStatus dane = DaneStatus.NotApplicable, string? resultType = null) => new()
    {
        Host = name,
        IsUsable = use,
        TlsRequired = true,
        Sni = name,
        Dane = dane,
        MtaStsMxMatch = match,
        ReportResultType = resultType,
        CertificateRequirement = new CertificateRequirement { Authentication = dane == DaneStatus.Usable ? MxAuthentication.DaneEe : MxAuthentication.Pkix, MxHost = name },
    };

    private static DeliveryPlan Plan(MtaStsResolution? resolution, bool mxSecure, params MxDecision[] hosts) => new()
    {
        Domain = "example.test",
        Status = hosts.Length == 0 ? DeliveryPlanStatus.Defer : hosts.Any(static h => h.IsUsable) ? DeliveryPlanStatus.Deliver : DeliveryPlanStatus.Defer,
        MxSecure = mxSecure,
        Hosts = hosts,
        MtaStsResolution = resolution,
    };

    private static string Answer(DeliveryPlan plan, PostfixAnswerSettings? settings = null) => PostfixAnswers.ForPlan(plan, settings ?? Defaults).ToString();

    [Fact]
    public void Postfix_Reasons_ArePrintableAscii_WhatPostfixKeepsAsTheDeferReason()
    {
        Assert.Equal("TEMP RFC 7672 section 2.1.2: b?cher ?", new SocketmapReply(SocketmapStatus.Temp, "RFC 7672 §2.1.2: bücher \n").ToString());
        Assert.Equal("PERM a?b", new SocketmapReply(SocketmapStatus.Perm, "a\u0007b").ToString());
        Assert.Equal("TIMEOUT plain words (RFC 8461 section 5.1)", new SocketmapReply(SocketmapStatus.Timeout, "plain words (RFC 8461 §5.1)").ToString());
    }

    [Fact]
    public void STS_4_1_a_Postfix_Enforce_MatchListsTheLiveMxHostsThePolicyAllows_WithTheMxHostAsSni()
    {
        var plan = Plan(Resolution(MtaStsMode.Enforce, "*.example.test"), false,
            Host("mx1.example.test"), Host("mx2.example.test"), Host("a.b.example.test", use: false, match: false, resultType: "validation-failure"));

        Assert.Equal("OK secure match=mx1.example.test:mx2.example.test servername=hostname", Answer(plan));
    }

    [Fact]
    public void A_10_Postfix_Enforce_Default_NeverSendsPostfixsAnyDepthSuffix()
    {
        var plan = Plan(Resolution(MtaStsMode.Enforce, "*.example.test"), false, Host("mx1.example.test"));

        Assert.DoesNotContain("match=.", Answer(plan), StringComparison.Ordinal);
        Assert.DoesNotContain(":.", Answer(plan), StringComparison.Ordinal);
    }

    [Fact]
    public void Enforce_PatternsForm_WritesWildcardsAsPostfixSuffixes_OnlyWhenAskedFor()
    {
        var plan = Plan(Resolution(MtaStsMode.Enforce, "*.example.test", "mx.example.net"), false, Host("mx1.example.test"));

        Assert.Equal("OK secure match=.example.test:mx.example.net servername=hostname", Answer(plan, new PostfixAnswerSettings(Match: MatchForm.Patterns)));
    }

    [Fact]
    public void Enforce_AHostTheLibrarySkips_IsLeftOutOfTheMatchList()
    {
        // mx1 matches the policy but its DANE lookup failed: the plan does not use it now, so neither may Postfix.
        var plan = Plan(Resolution(MtaStsMode.Enforce, "mx1.example.test", "mx2.example.test"), false,
            Host("mx1.example.test", use: false, dane: DaneStatus.LookupFailed, resultType: "dnssec-invalid"), Host("mx2.example.test"));

        Assert.Equal("OK secure match=mx2.example.test servername=hostname", Answer(plan));
    }

    [Theory]
    [InlineData("NotFound", "NOTFOUND ")]
    [InlineData("May", "OK may")]
    [InlineData("Encrypt", "OK encrypt")]
    [InlineData("Secure", "OK secure match=mx1.example.test servername=hostname")]
    public void STS_5_b_Postfix_Testing_AnswersAsConfigured_NotFoundByDefault(string testing, string expected)
    {
        var plan = Plan(Resolution(MtaStsMode.Testing, "mx1.example.test"), false, Host("mx1.example.test"), Host("other.example.test", match: false));

        Assert.Equal(expected, Answer(plan, new PostfixAnswerSettings(Enum.Parse<TestingAnswer>(testing))));
    }

    [Fact]
    public void STS_5_c_Postfix_ModeNone_AndNoPolicy_AreNotFound()
    {
        Assert.Equal("NOTFOUND ", Answer(Plan(Resolution(MtaStsMode.None), false, Host("mx.example.test", match: null))));
        Assert.Equal("NOTFOUND ", Answer(Plan(new MtaStsResolution { Domain = "example.test", Outcome = MtaStsOutcome.NoPolicy }, false, Host("mx.example.test", match: null))));
        Assert.Equal("NOTFOUND ", Answer(Plan(null, false, Host("mx.example.test", match: null))));
    }

    [Fact]
    public void A_13_Postfix_DaneFirst_EveryHostWithUsableSecureTlsa_IsDaneOnly_WhateverMtaStsSays()
    {
        var plan = Plan(Resolution(MtaStsMode.Enforce, "mx1.example.test"), true,
            Host("mx1.example.test", dane: DaneStatus.Usable), Host("rogue.example.test", match: false, dane: DaneStatus.Usable));

        Assert.Equal("OK dane-only", Answer(plan));
    }

    [Fact]
    public void A_13_Postfix_InsecureMx_OrOneHostWithoutDane_IsNotDaneOnly()
    {
        var insecureMx = Plan(Resolution(MtaStsMode.Enforce, "mx1.example.test"), false, Host("mx1.example.test", dane: DaneStatus.Usable));
        var mixed = Plan(Resolution(MtaStsMode.Enforce, "mx1.example.test", "mx2.example.test"), true,
            Host("mx1.example.test", dane: DaneStatus.Usable), Host("mx2.example.test", dane: DaneStatus.Unavailable));

        Assert.Equal("OK secure match=mx1.example.test servername=hostname", Answer(insecureMx));
        Assert.Equal("OK secure match=mx1.example.test:mx2.example.test servername=hostname", Answer(mixed));
    }

    [Fact]
    public void A_20_Postfix_Deferred_IsTemp_WithOurOwnWords()
    {
        var mismatch = Plan(Resolution(MtaStsMode.Enforce, "mx.example.test"), false, Host("rogue.example.test", use: false, match: false, resultType: "validation-failure"));
        var mxFailed = Plan(null, false);
        var daneFailed = Plan(null, false, Host("mx.example.test", use: false, match: null, dane: DaneStatus.LookupFailed, resultType: "dnssec-invalid"));

        // Plain ASCII: Postfix keeps the reason as the defer reason and shows other bytes as '?'.
        Assert.Equal("TEMP no MX host matches the MTA-STS enforce policy; deferring, never bouncing (RFC 8461 section 5.1)", Answer(mismatch));
        Assert.StartsWith("TEMP the MX lookup failed", Answer(mxFailed), StringComparison.Ordinal);
        Assert.StartsWith("TEMP the DANE (TLSA) lookups failed", Answer(daneFailed), StringComparison.Ordinal);
    }

    [Fact]
    public void NoMailService_IsNotFound_PostfixBouncesOnItsOwn()
    {
        var plan = new DeliveryPlan { Domain = "example.test", Status = DeliveryPlanStatus.NoMailService };

        Assert.Equal("NOTFOUND ", Answer(plan));
    }

    [Fact]
    public void FixedReplies_ForKeysThatAreNotDomains_UnknownNames_AndProtocolErrors()
    {
        Assert.Equal("NOTFOUND ", PostfixAnswers.ForInvalidKey().ToString());
        Assert.Equal(SocketmapStatus.Perm, PostfixAnswers.ForUnknownMap(["postfix"]).Status);
        Assert.Equal(SocketmapStatus.Perm, PostfixAnswers.ForMalformedRequest().Status);
        Assert.Equal(SocketmapStatus.Timeout, PostfixAnswers.ForLookupTimeout().Status);
        Assert.StartsWith("PERM request longer than 1024 bytes", PostfixAnswers.ForProtocolError(NetstringStatus.TooLong).ToString(), StringComparison.Ordinal);
        Assert.StartsWith("PERM malformed netstring", PostfixAnswers.ForProtocolError(NetstringStatus.Malformed).ToString(), StringComparison.Ordinal);
    }
}
