using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Parsing;

public class MxPatternTests
{
    private static MxPattern Pattern(string text) =>
        Assert.Single(MtaStsPolicyParser.Parse($"version: STSv1\nmode: enforce\nmax_age: 1\nmx: {text}\n").Policy!.MxPatterns);

    [Theory]
    [InlineData("mx1.example.test", "mx1.example.test", true)]
    [InlineData("mx1.example.test", "mx2.example.test", false)]
    [InlineData("mx1.example.test", "a.mx1.example.test", false)]
    [InlineData("mx1.example.test", "example.test", false)]
    [InlineData("mx1.example.test", "mx1.example.tes", false)]
    [InlineData("mx1.example.test", "mx1.example.testx", false)]
    [InlineData("mx1.example.test", "xmx1.example.test", false)]
    [InlineData("mx1.example.test", "", false)]
    [InlineData("*.example.test", "mail.example.test", true)]
    [InlineData("*.example.test", "a.example.test", true)]
    [InlineData("*.example.test", "example.test", false)]
    [InlineData("*.example.test", ".example.test", false)]
    [InlineData("*.example.test", "xexample.test", false)]
    [InlineData("*.example.test", "mail.example.test.evil.test", false)]
    [InlineData("*.example.test", "mail.example.tes", false)]
    [InlineData("*.example.test", "mail.other.test", false)]
    [InlineData("*.example.test", "", false)]
    [InlineData("*.example.test", ".", false)]
    public void STS_4_1_a_HostMatchesExactNameOrOneLabelUnderWildcard(string pattern, string host, bool expected)
    {
        Assert.Equal(expected, Pattern(pattern).Matches(host));
    }

    [Theory]
    [InlineData("mx1.example.test", "MX1.EXAMPLE.TEST", true)]
    [InlineData("mx1.example.test", "Mx1.Example.Test", true)]
    [InlineData("mx1.example.test", "mx1.example.test.", true)]
    [InlineData("mx1.example.test", "MX1.example.TEST.", true)]
    [InlineData("*.example.test", "MAIL.Example.Test.", true)]
    [InlineData("MX1.Example.Test", "mx1.example.test", true)]
    [InlineData("mx1.example.test", "mx1.example.test..", false)]
    [InlineData("*.example.test", "example.test.", false)]
    [InlineData("mail.example.test", "ma\u0131l.example.test", false)]
    [InlineData("mail.example.test", "MA\u0130L.example.test", false)]
    [InlineData("*.example.test", "xn--tda.example.test", true)]
    public void STS_4_1_b_MatchingIsAsciiCaseInsensitiveAndIgnoresOneTrailingDot(string pattern, string host, bool expected)
    {
        Assert.Equal(expected, Pattern(pattern).Matches(host));
    }

    /// <summary>
    /// RFC 8461 §4.1 defers to RFC 6125 §6.4: the names are compared in A-label form, so a host given in Unicode is
    /// converted (UTS-46) first. Look-alikes that IDNA keeps distinct (U+0131 dotless i, U+0130) still do not match;
    /// U+212A KELVIN SIGN is canonically equivalent to 'K', so it is the same name.
    /// </summary>
    [Theory]
    [InlineData("x.xn--aca-6ma.com", "x.\u00f1aca.com", true)]
    [InlineData("x.xn--aca-6ma.com", "X.\u00d1ACA.COM.", true)]
    [InlineData("*.xn--aca-6ma.com", "mail.\u00f1aca.com", true)]
    [InlineData("*.example.test", "\u00fc.example.test", true)]
    [InlineData("k.example.test", "\u212A.example.test", true)]
    [InlineData("x.xn--aca-6ma.com", "x.naca.com", false)]
    [InlineData("x.xn--aca-6ma.com", "x.\u00f1aca.com..", false)]
    [InlineData("*.xn--aca-6ma.com", "a.b.\u00f1aca.com", false)]
    [InlineData("mail.example.test", "ma\u0131l.example.test", false)]
    [InlineData("x.example.test", "x\u0000.example.test", false)]
    public void STS_4_1_b_InternationalisedHostIsComparedInALabelForm(string pattern, string host, bool expected)
    {
        Assert.Equal(expected, Pattern(pattern).Matches(host));
        var policy = MtaStsPolicyParser.Parse($"version: STSv1\nmode: enforce\nmax_age: 1\nmx: {pattern}\n").Policy!;
        Assert.Equal(expected, policy.MatchesMx(host));
    }

    [Theory]
    [InlineData("a.example.test", true)]
    [InlineData("a.b.example.test", false)]
    [InlineData("a.b.c.example.test", false)]
    [InlineData("example.test", false)]
    [InlineData("test", false)]
    public void A_10_WildcardMatchesExactlyOneLeftMostLabel(string host, bool expected)
    {
        Assert.Equal(expected, Pattern("*.example.test").Matches(host));
    }

    [Fact]
    public void DefaultPattern_MatchesNothing()
    {
        var pattern = default(MxPattern);
        Assert.False(pattern.Matches("mx1.example.test"));
        Assert.False(pattern.Matches(string.Empty));
        Assert.False(pattern.IsWildcard);
    }

    [Fact]
    public void PolicyMatchesMx_ChecksEveryPattern()
    {
        var policy = MtaStsPolicyParser.Parse("version: STSv1\nmode: enforce\nmax_age: 1\nmx: mx1.example.test\nmx: *.example.net\n").Policy!;
        Assert.True(policy.MatchesMx("mx1.example.test"));
        Assert.True(policy.MatchesMx("b.example.net."));
        Assert.False(policy.MatchesMx("mx2.example.test"));
        Assert.False(policy.MatchesMx("example.net"));
        Assert.Throws<ArgumentNullException>(() => policy.MatchesMx((string)null!));
    }

    [Fact]
    public void Matches_DoesNotAllocate()
    {
        var exact = Pattern("mx1.example.test");
        var wildcard = Pattern("*.example.test");
        var policy = MtaStsPolicyParser.Parse("version: STSv1\nmode: enforce\nmax_age: 1\nmx: mx1.example.test\nmx: *.example.net\n").Policy!;
        var bytes = AllocationMeter.SteadyStateBytes(() =>
        {
            Assert.True(exact.Matches("MX1.example.test."));
            Assert.True(wildcard.Matches("mail.example.test"));
            Assert.False(wildcard.Matches("a.b.example.test"));
            Assert.True(policy.MatchesMx("x.example.net"));
        });
        Assert.Equal(0, bytes);

        // A Unicode host is converted to its A-label form first (STS-4.1-b), which allocates; only ASCII hosts are free.
        Assert.False(exact.Matches("m\u00fcx.example.test"));
    }
}
