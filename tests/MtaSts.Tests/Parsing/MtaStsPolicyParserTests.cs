using MtaSts.Grammar;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Parsing;

public class MtaStsPolicyParserTests
{
    private const string Head = "version: STSv1\nmode: enforce\nmax_age: 86400\n";

    private static MtaStsPolicy AssertValid(MtaStsPolicyParseResult result)
    {
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Empty(result.Errors);
        return result.Policy!;
    }

    private static MtaStsDiagnostic AssertInvalid(MtaStsPolicyParseResult result, string code, int line)
    {
        Assert.False(result.IsValid);
        Assert.Null(result.Policy);
        var error = Assert.Single(result.Errors, e => e.Code == code);
        Assert.Equal(line, error.Line);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        return error;
    }

    private static MtaStsDiagnostic AssertSingleWarning(MtaStsPolicyParseResult result, string code, int line)
    {
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(code, warning.Code);
        Assert.Equal(line, warning.Line);
        return warning;
    }

    [Theory]
    [MemberData(nameof(GoldenPolicies.All), MemberType = typeof(GoldenPolicies))]
    public void STS_3_2_d_GoldenPolicies_ParseToTheirFields(string text, MtaStsMode mode, long maxAge, string[] patterns)
    {
        var result = MtaStsPolicyParser.Parse(text);
        var policy = AssertValid(result);
        Assert.Empty(result.Warnings);
        Assert.Equal("STSv1", policy.Version);
        Assert.Equal(mode, policy.Mode);
        Assert.Equal(maxAge, policy.MaxAgeSeconds);
        Assert.Equal(patterns, policy.MxPatterns.Select(p => p.Pattern));
        Assert.Same(text, policy.Text);
    }

    [Fact]
    public void STS_3_2_d_MxPatterns_IsAnExactSizeMxPatternArray()
    {
        var policy = AssertValid(MtaStsPolicyParser.Parse(GoldenPolicies.Crlf));
        var array = Assert.IsType<MxPattern[]>(policy.MxPatterns);
        Assert.Equal(3, array.Length);

        var none = AssertValid(MtaStsPolicyParser.Parse(GoldenPolicies.NoneWithoutMx));
        Assert.Empty(Assert.IsType<MxPattern[]>(none.MxPatterns));
        Assert.False(none.MatchesMx("mx1.example.test"));
    }

    [Fact]
    public void STS_3_2_d_ManyMxLines_AreAllKeptInOrder()
    {
        // More than the parser's stack buffer holds, so the pooled fallback is used too.
        var names = Enumerable.Range(0, 100).Select(i => $"mx{i}.example.test").ToArray();
        var text = Head + string.Concat(names.Select(n => $"mx: {n}\n"));
        var policy = AssertValid(MtaStsPolicyParser.Parse(text));
        Assert.Equal(names, policy.MxPatterns.Select(p => p.Pattern));
        Assert.Equal(100, Assert.IsType<MxPattern[]>(policy.MxPatterns).Length);
    }

    [Theory]
    [InlineData("max_age: 1", 1)]
    [InlineData("max_age: 86400", 86400)]
    [InlineData("max_age: 0000086400", 86400)]
    [InlineData("max_age: 31557600", 31557600)]
    public void STS_3_2_e_MaxAge_IsExposedInSecondsAndAsTimeSpan(string line, long seconds)
    {
        var policy = AssertValid(MtaStsPolicyParser.Parse($"version: STSv1\nmode: enforce\nmx: mx.example.test\n{line}\n"));
        Assert.Equal(seconds, policy.MaxAgeSeconds);
        Assert.Equal(TimeSpan.FromSeconds(seconds), policy.MaxAge);
    }

    [Theory]
    [InlineData("mx1.example.test, mx2.example.test")]
    [InlineData("mx1.example.test,mx2.example.test")]
    [InlineData("mx1.example.test mx2.example.test")]
    [InlineData("mx1.example.test;mx2.example.test")]
    [InlineData("mx1.example.test\tmx2.example.test")]
    public void STS_3_2_f_SeveralNamesOnOneMxLine_MakeThePolicyInvalid(string value)
    {
        var error = AssertInvalid(MtaStsPolicyParser.Parse(Head + $"mx: {value}\n"), "mx-invalid", 4);
        Assert.Contains("own 'mx:' line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void STS_3_2_g_ExactAndWildcardPatterns_AreKept()
    {
        var policy = AssertValid(MtaStsPolicyParser.Parse(Head + "mx: mail.example.test\nmx: *.example.net\n"));
        Assert.False(policy.MxPatterns[0].IsWildcard);
        Assert.True(policy.MxPatterns[1].IsWildcard);
        Assert.True(policy.MatchesMx("mail.example.test"));
        Assert.True(policy.MatchesMx("mx7.example.net"));
        Assert.False(policy.MatchesMx("example.net"));
        Assert.False(policy.MatchesMx("other.example.test"));
    }

    [Theory]
    [InlineData("bücher.example")]
    [InlineData("*.bücher.example")]
    [InlineData("例え.テスト")]
    [InlineData("mx.example.test\u00a0")]
    public void STS_3_2_h_ULabelMxPattern_IsInvalid(string value)
    {
        var error = AssertInvalid(MtaStsPolicyParser.Parse(Head + $"mx: {value}\n"), "mx-invalid", 4);
        Assert.Contains("A-label", error.Message, StringComparison.Ordinal);

        // The A-label form of the same name is fine.
        AssertValid(MtaStsPolicyParser.Parse(Head + "mx: xn--bcher-kva.example\n"));
    }

    [Fact]
    public void STS_3_2_i_UnknownKeys_AreAcceptedIgnoredAndKept()
    {
        var result = MtaStsPolicyParser.Parse(GoldenPolicies.WithExtensions);
        var policy = AssertValid(result);
        Assert.Empty(result.Warnings);
        Assert.Equal(
            [
                new KeyValuePair<string, string>("x-comment", "managed by example — see https://example.test/mta-sts"),
                new KeyValuePair<string, string>("foo.bar_baz-1", "42"),
            ],
            policy.Extensions);
        Assert.Equal(["mx1.example.test"], policy.MxPatterns.Select(p => p.Pattern));
    }

    [Theory]
    [InlineData("ext: a\u0001b", 4)]
    [InlineData("ext: a\tb", 4)]
    [InlineData("ext: a\u007fb", 4)]
    [InlineData("ext:", 4)]
    [InlineData("ext:   ", 4)]
    public void STS_3_2_i_ExtensionLineBreakingTheGrammar_IsInvalid(string line, int lineNumber)
    {
        AssertInvalid(MtaStsPolicyParser.Parse(Head + "mx: mx.example.test\n".Replace("mx: mx.example.test\n", line + "\nmx: mx.example.test\n", StringComparison.Ordinal)), "extension-invalid", lineNumber);
    }

    [Theory]
    [InlineData("_ext: 1")]
    [InlineData("-ext: 1")]
    [InlineData("e t: 1")]
    [InlineData("e!t: 1")]
    [InlineData("ext\u0000: 1")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456: 1")]
    [InlineData("ä: 1")]
    [InlineData(": 1")]
    public void STS_3_2_i_InvalidKey_IsInvalid(string line)
    {
        AssertInvalid(MtaStsPolicyParser.Parse(Head + line + "\nmx: mx.example.test\n"), "key-invalid", 4);
    }

    [Fact]
    public void STS_3_2_j_DuplicateVersionModeMaxAge_FirstWinsWithWarnings()
    {
        // Also: A-4
        const string text = "version: STSv1\nmode: testing\nmax_age: 600\nmx: mx.example.test\nmode: enforce\nmax_age: 31557600\nversion: STSv1\n";
        var result = MtaStsPolicyParser.Parse(text);
        var policy = AssertValid(result);
        Assert.Equal(MtaStsMode.Testing, policy.Mode);
        Assert.Equal(600, policy.MaxAgeSeconds);
        Assert.Equal(
            [("duplicate-field", 5), ("duplicate-field", 6), ("duplicate-field", 7)],
            result.Warnings.Select(w => (w.Code, w.Line)));
        Assert.Contains("first on line 2", result.Warnings[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void STS_3_2_j_DuplicateWithAnyWellFormedValue_IsStillOnlyAWarning()
    {
        // A later "mode: ENFORCE" matches the extension grammar, so it is ignored, not an error.
        var result = MtaStsPolicyParser.Parse(Head + "mx: mx.example.test\nmode: ENFORCE\nmax_age: -1\nversion: STSv2\n");
        AssertValid(result);
        Assert.Equal(3, result.Warnings.Count);
        Assert.All(result.Warnings, w => Assert.Equal("duplicate-field", w.Code));
    }

    [Fact]
    public void STS_3_2_j_DuplicateThatBreaksTheGrammar_IsInvalid()
    {
        AssertInvalid(MtaStsPolicyParser.Parse(Head + "mx: mx.example.test\nmode:\n"), "mode-invalid", 5);
        AssertInvalid(MtaStsPolicyParser.Parse(Head + "mx: mx.example.test\nmax_age: 1\u00012\n"), "max-age-invalid", 5);
    }

    [Fact]
    public void STS_3_2_j_DuplicateExtension_FirstWinsWithWarning()
    {
        var result = MtaStsPolicyParser.Parse(Head + "mx: mx.example.test\next: first\next: second\n");
        var policy = AssertValid(result);
        Assert.Equal([new KeyValuePair<string, string>("ext", "first")], policy.Extensions);
        AssertSingleWarning(result, "duplicate-field", 6);
    }

    [Fact]
    public void STS_3_2_j_RepeatedMxLines_AreAllKept()
    {
        var result = MtaStsPolicyParser.Parse(Head + "mx: a.example.test\nmx: b.example.test\nmx: a.example.test\n");
        var policy = AssertValid(result);
        Assert.Equal(3, policy.MxPatterns.Count);
        Assert.Empty(result.Warnings);
    }

    [Theory]
    [InlineData("mode: enforce\nmx: mx.example.test\nmax_age: 86400\n", "version-missing")]
    [InlineData("version: STSv1\nmx: mx.example.test\nmax_age: 86400\n", "mode-missing")]
    [InlineData("version: STSv1\nmode: enforce\nmx: mx.example.test\n", "max-age-missing")]
    [InlineData("version: STSv1\nmode: enforce\nmax_age: 86400\n", "mx-missing")]
    [InlineData("version: STSv1\nmode: testing\nmax_age: 86400\n", "mx-missing")]
    [InlineData("", "policy-empty")]
    [InlineData("\uFEFF", "policy-empty")]
    [InlineData("\n\n", "policy-empty")]
    [InlineData("  \r\n", "policy-empty")]
    public void STS_3_2_k_MissingRequiredField_IsInvalid(string text, string code)
    {
        AssertInvalid(MtaStsPolicyParser.Parse(text), code, 0);
    }

    [Fact]
    public void STS_3_2_k_Null_IsInvalidWithoutThrowing()
    {
        AssertInvalid(MtaStsPolicyParser.Parse(null!), "policy-empty", 0);
    }

    [Theory]
    [InlineData("version: STSv2", "version-invalid")]
    [InlineData("version: stsv1", "version-invalid")]
    [InlineData("version: STSv1.0", "version-invalid")]
    [InlineData("version:", "version-invalid")]
    [InlineData("version: STSv1 x", "version-invalid")]
    public void STS_3_2_d_WrongVersion_IsInvalid(string line, string code)
    {
        AssertInvalid(MtaStsPolicyParser.Parse(line + "\nmode: enforce\nmax_age: 86400\nmx: mx.example.test\n"), code, 1);
    }

    [Theory]
    [InlineData("Enforce")]
    [InlineData("ENFORCE")]
    [InlineData("enforced")]
    [InlineData("test")]
    [InlineData("off")]
    [InlineData("")]
    [InlineData("enforce testing")]
    public void STS_3_2_d_WrongMode_IsInvalid(string value)
    {
        var error = AssertInvalid(MtaStsPolicyParser.Parse($"version: STSv1\nmode: {value}\nmax_age: 86400\nmx: mx.example.test\n"), "mode-invalid", 2);
        Assert.Contains("case-sensitive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void STS_3_2_d_KeysAreCaseSensitive_WrongCaseKeyIsAnExtensionWithNearMissWarning()
    {
        var result = MtaStsPolicyParser.Parse("version: STSv1\nMode: enforce\nmax_age: 86400\nmx: mx.example.test\n");
        AssertInvalid(result, "mode-missing", 0);
        AssertSingleWarning(result, "key-near-miss", 2);

        var maxAge = MtaStsPolicyParser.Parse("version: STSv1\nmode: none\nmax-age: 86400\n");
        AssertInvalid(maxAge, "max-age-missing", 0);
        Assert.Contains("'max_age'", AssertSingleWarning(maxAge, "key-near-miss", 3).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mx: *.example.test", "*.example.test")]
    [InlineData("mx: MX1.Example.TEST", "mx1.example.test")]
    [InlineData("mx: *.EXAMPLE.test", "*.example.test")]
    [InlineData("mx: xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("mx: 123.example.test", "123.example.test")]
    [InlineData("mx: a-b--c.example.test", "a-b--c.example.test")]
    [InlineData("mx: localhost", "localhost")]
    [InlineData("mx: *.test", "*.test")]
    [InlineData("mx:mx.example.test", "mx.example.test")]
    [InlineData("mx:\t mx.example.test", "mx.example.test")]
    public void STS_3_2_g_ValidMxValues_AreStoredLowerCase(string line, string pattern)
    {
        var policy = AssertValid(MtaStsPolicyParser.Parse(Head + line + "\n"));
        Assert.Equal(pattern, Assert.Single(policy.MxPatterns).Pattern);
    }

    [Fact]
    public void STS_3_2_g_LongestMxValues_AreAccepted()
    {
        var label = new string('a', 63);
        var name = $"{label}.{label}.{label}.{new string('b', 61)}";
        Assert.Equal(name, Assert.Single(AssertValid(MtaStsPolicyParser.Parse(Head + $"mx: {name}\n")).MxPatterns).Pattern);
        Assert.Equal("*." + name, Assert.Single(AssertValid(MtaStsPolicyParser.Parse(Head + $"mx: *.{name}\n")).MxPatterns).Pattern);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("mx_1.example.test", "'_'")]
    [InlineData("*.*.example.test", "'*'")]
    [InlineData("mx*.example.test", "'*'")]
    [InlineData("mx.*.example.test", "'*'")]
    [InlineData("*example.test", "'*'")]
    [InlineData("*", "'*'")]
    [InlineData("*.", "'*'")]
    [InlineData("-mx.example.test", "'-'")]
    [InlineData("mx-.example.test", "'-'")]
    [InlineData("mx..example.test", "empty label")]
    [InlineData(".example.test", "empty label")]
    [InlineData("mx.example.test..", "empty label")]
    [InlineData(".", "empty label")]
    [InlineData("[192.0.2.1]", "'['")]
    [InlineData("mx.example.test:25", "':'")]
    [InlineData("mx/example.test", "'/'")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.test", "longer than 63")]
    public void A_3_InvalidMxLine_MakesTheWholePolicyInvalid(string value, string fragment)
    {
        var text = "version: STSv1\nmode: enforce\nmx: good.example.test\nmx: " + value + "\nmax_age: 86400\n";
        var error = AssertInvalid(MtaStsPolicyParser.Parse(text), "mx-invalid", 4);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_3_MxNameOver253Characters_IsInvalid()
    {
        var label = new string('a', 63);
        var name = $"{label}.{label}.{label}.{new string('b', 62)}";
        var error = AssertInvalid(MtaStsPolicyParser.Parse(Head + $"mx: {name}\n"), "mx-invalid", 4);
        Assert.Contains("longer than 253", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_3_InvalidMxLine_InModeNone_StillInvalidatesThePolicy()
    {
        AssertInvalid(MtaStsPolicyParser.Parse("version: STSv1\nmode: none\nmax_age: 86400\nmx: bad_name.example.test\n"), "mx-invalid", 4);
    }

    [Theory]
    [InlineData("mx.example.test.", "mx.example.test")]
    [InlineData("*.example.test.", "*.example.test")]
    [InlineData("MX.Example.Test.", "mx.example.test")]
    public void A_3_MxTrailingDot_IsStrippedWithWarning(string value, string pattern)
    {
        var result = MtaStsPolicyParser.Parse(Head + $"mx: {value}\n");
        var policy = AssertValid(result);
        Assert.Equal(pattern, Assert.Single(policy.MxPatterns).Pattern);
        AssertSingleWarning(result, "mx-trailing-dot", 4);
        Assert.True(policy.MatchesMx(pattern.Replace("*", "mx1", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("31557601", 31557600)]
    [InlineData("99999999", 31557600)]
    [InlineData("9999999999", 31557600)]
    [InlineData("0031557601", 31557600)]
    public void A_5_MaxAgeAbove31557600_IsClampedWithWarning(string value, long expected)
    {
        var result = MtaStsPolicyParser.Parse($"version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: {value}\n");
        Assert.Equal(expected, AssertValid(result).MaxAgeSeconds);
        var warning = AssertSingleWarning(result, "max-age-clamped", 4);
        Assert.Contains("31557600", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10000000000")]
    [InlineData("00000000001")]
    [InlineData("-1")]
    [InlineData("+86400")]
    [InlineData("86400s")]
    [InlineData("8.64e4")]
    [InlineData("86 400")]
    [InlineData("0x15180")]
    [InlineData("")]
    [InlineData("８６４００")]
    public void A_5_MaxAgeOutsideTheGrammar_IsInvalid(string value)
    {
        AssertInvalid(MtaStsPolicyParser.Parse($"version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: {value}\n"), "max-age-invalid", 4);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0000000000")]
    public void A_6_MaxAgeZero_IsValidWithWarning(string value)
    {
        var result = MtaStsPolicyParser.Parse($"version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: {value}\n");
        var policy = AssertValid(result);
        Assert.Equal(0, policy.MaxAgeSeconds);
        Assert.Equal(TimeSpan.Zero, policy.MaxAge);
        AssertSingleWarning(result, "max-age-zero", 4);
    }

    [Theory]
    [InlineData("\uFEFF")]
    public void A_16_ByteOrderMark_IsAcceptedWithWarning(string bom)
    {
        var text = bom + GoldenPolicies.Crlf;
        var result = MtaStsPolicyParser.Parse(text);
        var policy = AssertValid(result);
        Assert.Equal(3, policy.MxPatterns.Count);
        Assert.Same(text, policy.Text);
        AssertSingleWarning(result, "byte-order-mark", 1);
    }

    [Fact]
    public void A_16_ByteOrderMarkAfterTheStart_IsInvalid()
    {
        AssertInvalid(MtaStsPolicyParser.Parse("version: STSv1\n\uFEFFmode: enforce\nmax_age: 1\nmx: mx.example.test\n"), "key-invalid", 2);
    }

    [Theory]
    [InlineData("\n", 7)]
    [InlineData("\r\n", 7)]
    [InlineData("\n\n\n", 7)]
    [InlineData("\r\n\r\n", 7)]
    [InlineData("  \n", 7)]
    [InlineData(" \t ", 7)]
    public void A_16_TrailingBlankLines_AreAcceptedWithWarning(string tail, int line)
    {
        var result = MtaStsPolicyParser.Parse(GoldenPolicies.Crlf + tail);
        AssertValid(result);
        AssertSingleWarning(result, "trailing-blank-lines", line);
    }

    [Theory]
    [InlineData("version: STSv1\n\nmode: enforce\nmax_age: 1\nmx: mx.example.test\n", 2)]
    [InlineData("version: STSv1\r\n\r\nmode: enforce\r\nmax_age: 1\r\nmx: mx.example.test\r\n", 2)]
    [InlineData("version: STSv1\n   \nmode: enforce\nmax_age: 1\nmx: mx.example.test\n", 2)]
    [InlineData("\nversion: STSv1\nmode: enforce\nmax_age: 1\nmx: mx.example.test\n", 1)]
    [InlineData("version: STSv1\nmode: enforce\nmax_age: 1\n\n\nmx: mx.example.test\n", 4)]
    public void A_16_BlankLineBetweenFields_IsInvalid(string text, int line)
    {
        AssertInvalid(MtaStsPolicyParser.Parse(text), "blank-line", line);
    }

    [Theory]
    [InlineData("mode: enforce ", 2)]
    [InlineData("mode: enforce\t", 2)]
    [InlineData("mode: enforce \t ", 2)]
    public void A_16_TrailingWhitespaceAfterValue_IsAcceptedWithWarning(string modeLine, int line)
    {
        var result = MtaStsPolicyParser.Parse($"version: STSv1\r\n{modeLine}\r\nmax_age: 86400\r\nmx: mx.example.test\r\n");
        Assert.Equal(MtaStsMode.Enforce, AssertValid(result).Mode);
        AssertSingleWarning(result, "trailing-whitespace", line);
    }

    [Theory]
    [InlineData("version: STSv1\rmode: enforce\nmax_age: 1\nmx: mx.example.test\n", 1)]
    [InlineData("version: STSv1\r\nmode: enforce\r\nmax_age: 1\r\nmx: mx.example.test\r", 4)]
    [InlineData("version: STSv1\nmode: enf\rorce\nmax_age: 1\nmx: mx.example.test\n", 2)]
    [InlineData("version: STSv1\r\r\nmode: enforce\nmax_age: 1\nmx: mx.example.test\n", 1)]
    public void A_16_BareCarriageReturn_IsInvalid(string text, int line)
    {
        AssertInvalid(MtaStsPolicyParser.Parse(text), "bare-cr", line);
    }

    [Theory]
    [InlineData(" mode: enforce")]
    [InlineData("\tmode: enforce")]
    public void A_16_LeadingWhitespace_IsInvalid(string modeLine)
    {
        AssertInvalid(MtaStsPolicyParser.Parse($"version: STSv1\n{modeLine}\nmax_age: 1\nmx: mx.example.test\n"), "leading-whitespace", 2);
    }

    [Theory]
    [InlineData("mode : enforce")]
    [InlineData("mode\t: enforce")]
    public void A_16_WhitespaceBeforeColon_IsInvalid(string modeLine)
    {
        AssertInvalid(MtaStsPolicyParser.Parse($"version: STSv1\n{modeLine}\nmax_age: 1\nmx: mx.example.test\n"), "whitespace-before-colon", 2);
    }

    [Theory]
    [InlineData("mode enforce")]
    [InlineData("mode=enforce")]
    [InlineData("<html>")]
    public void LineWithoutColon_IsInvalid(string modeLine)
    {
        AssertInvalid(MtaStsPolicyParser.Parse($"version: STSv1\n{modeLine}\nmax_age: 1\nmx: mx.example.test\n"), "colon-missing", 2);
    }

    [Fact]
    public void A_22_MissingMode_IsInvalidAndNeverDefaultedToNone()
    {
        var result = MtaStsPolicyParser.Parse("version: STSv1\nmx: mx.example.test\nmax_age: 86400\n");
        var error = AssertInvalid(result, "mode-missing", 0);
        Assert.Contains("never assumed", error.Message, StringComparison.Ordinal);
        Assert.Null(result.Policy);
    }

    [Fact]
    public void A_23_ModeNoneWithoutMx_IsValid()
    {
        var result = MtaStsPolicyParser.Parse(GoldenPolicies.NoneWithoutMx);
        var policy = AssertValid(result);
        Assert.Equal(MtaStsMode.None, policy.Mode);
        Assert.Empty(policy.MxPatterns);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void SeveralProblems_AreAllReportedWithTheirLines()
    {
        const string text = "version: STSv2\n mode: enforce\nmax_age: soon\nmx: a_b.example.test\nmx: ok.example.test\nmx: *.example.test.\n";
        var result = MtaStsPolicyParser.Parse(text);
        Assert.False(result.IsValid);
        Assert.Equal(
            [("version-invalid", 1), ("leading-whitespace", 2), ("max-age-invalid", 3), ("mx-invalid", 4), ("mode-missing", 0)],
            result.Errors.Select(e => (e.Code, e.Line)));
        AssertSingleWarning(result, "mx-trailing-dot", 6);
    }

    [Fact]
    public void Diagnostics_AreCappedForHugeGarbage()
    {
        var text = string.Concat(Enumerable.Repeat("garbage line\n", 5000));
        var result = MtaStsPolicyParser.Parse(text);
        Assert.False(result.IsValid);
        Assert.Equal(DiagnosticList.MaxCount + 1, result.Errors.Count);
        Assert.Equal("too-many-diagnostics", result.Errors[^1].Code);
        Assert.Equal(100, result.Errors[^2].Line);
    }

    [Fact]
    public void ErrorMessages_ShowLongOrControlValuesShortAndEscaped()
    {
        var result = MtaStsPolicyParser.Parse(Head + "mx: " + new string('a', 100_000) + "\u001b[31m\n");
        var error = Assert.Single(result.Errors);
        Assert.True(error.Message.Length < 300, error.Message);
        Assert.DoesNotContain('\u001b', error.Message);
    }

    [Fact]
    public void ResultsWithoutDiagnostics_ShareEmptyLists()
    {
        var first = MtaStsPolicyParser.Parse(GoldenPolicies.Crlf);
        var second = MtaStsPolicyParser.Parse(GoldenPolicies.LfNoFinalTerminator);
        Assert.Same(first.Errors, second.Errors);
        Assert.Same(first.Warnings, second.Warnings);
        Assert.Same(first.Policy!.Extensions, second.Policy!.Extensions);
    }

    [Fact]
    public void ParsingATypicalPolicy_AllocatesOnlyTheResult()
    {
        const string text = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmx: *.example.net\r\nmax_age: 604800\r\n";
        Assert.True(MtaStsPolicyParser.Parse(text).IsValid);

        var allocated = AllocationMeter.SteadyStateBytes(() => MtaStsPolicyParser.Parse(text));

        // Result (40) + policy (56) + MxPattern[2] (24 + 2 × 16) = 152 bytes on 64-bit: the patterns are views of the
        // policy text. Any per-pattern or per-line string, list growth or diagnostic would push it past this bound.
        Assert.InRange(allocated, 140, 160);
    }

    [Theory]
    [InlineData(GoldenPolicies.Crlf)]
    [InlineData(GoldenPolicies.LfNoFinalTerminator)]
    [InlineData(GoldenPolicies.MixedTerminators)]
    [InlineData(GoldenPolicies.NoneWithoutMx)]
    [InlineData("mx: *.example.net\nmax_age: 86400\nmode: testing\nversion: STSv1\n")]
    public void STS_3_2_APolicyWrittenToTheGrammar_TakesTheFastPath(string text)
    {
        var fast = MtaStsPolicyParser.TryParseCanonical(text);

        Assert.NotNull(fast);
        Assert.Null(MtaStsPolicyParseResult.Difference(fast, MtaStsPolicyParser.ParseFull(text)));
    }

    [Theory]
    [InlineData("version: STSv1\nmode: enforce\nmx: MX1.Example.test\nmax_age: 86400\n", null)]
    [InlineData("version: STSv1\nmode: enforce\nmx: mx1.example.test.\nmax_age: 86400\n", MtaStsDiagnosticCodes.MxTrailingDot)]
    [InlineData("version: STSv1 \nmode: enforce\nmx: mx1.example.test\nmax_age: 86400\n", MtaStsDiagnosticCodes.TrailingWhitespace)]
    [InlineData("version: STSv1\nmode: enforce\nmx: mx1.example.test\nmax_age: 0\n", MtaStsDiagnosticCodes.MaxAgeZero)]
    [InlineData("version: STSv1\nmode: enforce\nmx: mx1.example.test\nmax_age: 31557601\n", MtaStsDiagnosticCodes.MaxAgeClamped)]
    [InlineData("version: STSv1\nmode: enforce\nmode: none\nmx: mx1.example.test\nmax_age: 86400\n", MtaStsDiagnosticCodes.DuplicateField)]
    [InlineData("version: STSv1\nmode: enforce\nmx: mx1.example.test\nmax_age: 86400\n\n", MtaStsDiagnosticCodes.TrailingBlankLines)]
    [InlineData("\uFEFFversion: STSv1\nmode: enforce\nmx: mx1.example.test\nmax_age: 86400\n", MtaStsDiagnosticCodes.ByteOrderMark)]
    [InlineData("version: STSv1\nmode: enforce\nMx: mx1.example.test\nmx: mx1.example.test\nmax_age: 86400\n", MtaStsDiagnosticCodes.KeyNearMiss)]
    public void STS_3_2_APolicyWithASlip_IsLeftToTheFullParser_WhichReportsIt(string text, string? warning)
    {
        Assert.Null(MtaStsPolicyParser.TryParseCanonical(text));

        var parsed = MtaStsPolicyParser.Parse(text);
        Assert.True(parsed.IsValid);
        Assert.Equal(warning is null ? Array.Empty<string>() : new[] { warning }, parsed.Warnings.Select(static w => w.Code));
        Assert.Equal("mx1.example.test", parsed.Policy!.MxPatterns[0].Pattern);
    }

    [Fact]
    public void STS_3_2_g_APattern_IsAViewOfThePolicyText_ComparedByItsCharacters()
    {
        var viewed = MtaStsPolicyParser.Parse("version: STSv1\nmode: enforce\nmx: *.example.net\nmax_age: 86400\n").Policy!.MxPatterns[0];
        var lowered = MtaStsPolicyParser.Parse("version: STSv1\nmode: enforce\nmx: *.Example.NET\nmax_age: 86400\n").Policy!.MxPatterns[0];

        Assert.Equal("*.example.net", viewed.AsSpan().ToString());
        Assert.Equal(13, viewed.Length);
        Assert.Equal(viewed, lowered);
        Assert.Equal(viewed.GetHashCode(), lowered.GetHashCode());
        Assert.Equal("*.example.net", lowered.Pattern);
        Assert.True(viewed.IsWildcard);
        Assert.True(viewed.Matches("mx.EXAMPLE.net."));

        var none = default(MxPattern);
        Assert.Equal(string.Empty, none.Pattern);
        Assert.Equal(string.Empty, none.ToString());
        Assert.True(none.AsSpan().IsEmpty);
        Assert.False(none.IsWildcard);
        Assert.False(none.Matches("mx.example.net"));
        Assert.NotEqual(viewed, none);
    }
}
