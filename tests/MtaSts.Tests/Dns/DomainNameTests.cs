namespace MtaSts.Tests.Dns;

public class DomainNameTests
{
    [Theory]
    [InlineData("example.test")]
    [InlineData("mx1.example.test")]
    [InlineData("a-b.example.test")]
    [InlineData("123.example.test")]
    [InlineData("a.b.c.d.e.f.example.test")]
    [InlineData("x.y")]
    [InlineData("example.test0")]
    [InlineData("ab--cd.example.test")]
    public void Normalize_AlreadyNormalName_ReturnsSameInstance(string domain)
    {
        Assert.Same(domain, DomainName.Normalize(domain));
        Assert.True(DomainName.TryNormalize(domain, out var normalized, out var error));
        Assert.Same(domain, normalized);
        Assert.Null(error);
    }

    [Fact]
    public void Normalize_AlreadyNormalName_DoesNotAllocate()
    {
        var domain = string.Concat("mail.", "example.test");
        DomainName.Normalize(domain);
        DomainName.TryNormalize(domain, out _, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            DomainName.Normalize(domain);
            DomainName.TryNormalize(domain, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Normalize_ValidALabel_ReturnsSameInstance()
    {
        var domain = string.Concat("xn--bcher-kva.", "example.test");
        Assert.Same(domain, DomainName.Normalize(domain));
    }

    [Fact]
    public void Normalize_MaximalName_IsAcceptedUnchanged()
    {
        // Four labels of 63 plus three dots = 255; use 61 in the last label to land exactly on 253.
        var label = new string('a', 63);
        var domain = $"{label}.{label}.{label}.{new string('b', 61)}";
        Assert.Equal(253, domain.Length);
        Assert.Same(domain, DomainName.Normalize(domain));
        Assert.Equal(domain, DomainName.Normalize(domain + "."));
    }

    [Theory]
    [InlineData("Example.Test", "example.test")]
    [InlineData("EXAMPLE.TEST", "example.test")]
    [InlineData("example.test.", "example.test")]
    [InlineData("Example.TEST.", "example.test")]
    [InlineData("MX1.Example.Test", "mx1.example.test")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("BÜCHER.example.", "xn--bcher-kva.example")]
    [InlineData("XN--BCHER-KVA.example", "xn--bcher-kva.example")]
    [InlineData("例え.テスト", "xn--r8jz45g.xn--zckzah")]
    [InlineData("例え。テスト", "xn--r8jz45g.xn--zckzah")]
    [InlineData("例え.テスト。", "xn--r8jz45g.xn--zckzah")]
    [InlineData("ｅｘａｍｐｌｅ.test", "example.test")]
    public void Normalize_UnicodeCaseAndTrailingDot_AreNormalised(string domain, string expected)
    {
        Assert.Equal(expected, DomainName.Normalize(domain));
        Assert.True(DomainName.TryNormalize(domain, out var normalized, out var error));
        Assert.Equal(expected, normalized);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("\t", "empty")]
    [InlineData(".", "empty label")]
    [InlineData("a..b", "'a..b' has an empty label")]
    [InlineData(".example.test", "empty label")]
    [InlineData("example.test..", "empty label")]
    [InlineData("例え..テスト", "empty label")]
    [InlineData("-a.example.test", "begins or ends with a hyphen")]
    [InlineData("a-.example.test", "begins or ends with a hyphen")]
    [InlineData("example.test-", "begins or ends with a hyphen")]
    [InlineData("-bücher.example", "begins or ends with a hyphen")]
    [InlineData("_mta-sts.example.test", "contains '_'")]
    [InlineData("ex!ample.test", "contains '!'")]
    [InlineData("exa mple.test", "contains U+0020")]
    [InlineData(" example.test", "contains U+0020")]
    [InlineData("example.test ", "contains U+0020")]
    [InlineData("exa\u0000mple.test", "contains U+0000")]
    [InlineData("bü cher.example", "contains U+0020")]
    [InlineData("b_ü.example", "contains '_'")]
    [InlineData("*.example.test", "contains '*'")]
    [InlineData("user@example.test", "contains '@'")]
    [InlineData("example.test/path", "contains '/'")]
    [InlineData("localhost", "single label")]
    [InlineData("localhost.", "single label")]
    [InlineData("bücher", "single label")]
    [InlineData("example.123", "all-numeric")]
    [InlineData("192.0.2.1", "IP address literal")]
    [InlineData("192.0.2.1.", "IP address literal")]
    [InlineData("127.1", "IP address literal")]
    [InlineData("::1", "IP address literal")]
    [InlineData("2001:db8::1", "IP address literal")]
    [InlineData("example.test:25", "contains ':'")]
    public void Normalize_InvalidName_ThrowsArgumentExceptionNamingTheProblem(string domain, string expectedFragment)
    {
        var exception = Assert.Throws<ArgumentException>(() => DomainName.Normalize(domain));
        Assert.Equal("domain", exception.ParamName);
        Assert.Contains(expectedFragment, exception.Message, StringComparison.Ordinal);

        Assert.False(DomainName.TryNormalize(domain, out var normalized, out var error));
        Assert.Null(normalized);
        Assert.Contains(expectedFragment, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[192.0.2.1]")]
    [InlineData("[IPv6:2001:db8::1]")]
    [InlineData("[example.test]")]
    public void STS_3_4_b_AddressLiteral_IsRejected(string domain)
    {
        var exception = Assert.Throws<ArgumentException>(() => DomainName.Normalize(domain));
        Assert.Equal("domain", exception.ParamName);
        Assert.Contains("address literal", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_LabelOver63Octets_IsRejected()
    {
        var domain = new string('a', 64) + ".example.test";
        var exception = Assert.Throws<ArgumentException>(() => DomainName.Normalize(domain));
        Assert.Contains("longer than 63", exception.Message, StringComparison.Ordinal);

        Assert.Equal(new string('a', 63) + ".example.test", DomainName.Normalize(new string('a', 63) + ".example.test"));
    }

    [Fact]
    public void Normalize_NameOver253Octets_IsRejected()
    {
        var label = new string('a', 63);
        var domain = $"{label}.{label}.{label}.{new string('b', 62)}";
        Assert.Equal(254, domain.Length);
        var exception = Assert.Throws<ArgumentException>(() => DomainName.Normalize(domain));
        Assert.Contains("longer than 253", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_UnicodeNameOver253OctetsInALabelForm_IsRejected()
    {
        // Distinct CJK characters cost several Punycode characters each: 5 x 17 of them is short in Unicode,
        // but more than 253 octets in A-label form.
        var labels = Enumerable.Range(0, 5)
            .Select(l => new string(Enumerable.Range(0, 17).Select(i => (char)(0x4E00 + (l * 997) + (i * 211))).ToArray()));
        var domain = string.Join('.', labels) + ".example";
        Assert.True(domain.Length < 100);
        var exception = Assert.Throws<ArgumentException>(() => DomainName.Normalize(domain));
        Assert.Contains("longer than 253 octets in A-label form", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_UnicodeLabelOver63OctetsInALabelForm_IsRejected()
    {
        var label = new string(Enumerable.Range(0, 30).Select(i => (char)(0x4E00 + (i * 211))).ToArray());
        Assert.False(DomainName.TryNormalize(label + ".example", out _, out var error));
        Assert.Contains("63 octets in A-label form", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_InvalidALabel_IsRejected()
    {
        Assert.False(DomainName.TryNormalize("xn--a.example.test", out _, out var error));
        Assert.Contains("xn--a", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_Null_ThrowsArgumentNullException()
    {
        var exception = Assert.Throws<ArgumentNullException>(() => DomainName.Normalize(null!));
        Assert.Equal("domain", exception.ParamName);
        Assert.False(DomainName.TryNormalize(null, out var normalized, out var error));
        Assert.Null(normalized);
        Assert.Contains("null", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_HugeInput_IsRejectedWithShortMessage()
    {
        var domain = new string('a', 100_000) + ".test";
        var exception = Assert.Throws<ArgumentException>(() => DomainName.Normalize(domain));
        Assert.Contains("longer than 253", exception.Message, StringComparison.Ordinal);
        Assert.True(exception.Message.Length < 400, exception.Message);

        var unicode = new string('ü', 100_000) + ".test";
        Assert.False(DomainName.TryNormalize(unicode, out _, out var error));
        Assert.True(error.Length < 400, error);
    }

    [Fact]
    public void Normalize_ControlCharactersInMessage_AreEscaped()
    {
        Assert.False(DomainName.TryNormalize("a\r\nb.example", out _, out var error));
        Assert.DoesNotContain('\r', error);
        Assert.DoesNotContain('\n', error);
        Assert.Contains("\\u000d", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryNormalize_RandomInput_NeverThrows()
    {
        var random = new Random(8461);
        const string alphabet = "abcXYZ019-._:[]@ \t\r\n\0üß例。．\u00AD\u200D\uFEFF\uD800*";
        for (var i = 0; i < 2000; i++)
        {
            var length = random.Next(0, i % 100 == 0 ? 2000 : 40);
            var chars = new char[length];
            for (var j = 0; j < length; j++)
            {
                chars[j] = random.Next(4) == 0 ? (char)random.Next(0, 0x10000) : alphabet[random.Next(alphabet.Length)];
            }

            var input = new string(chars);
            if (DomainName.TryNormalize(input, out var normalized, out var error))
            {
                // Whatever is accepted is in normal form and stable.
                Assert.Same(normalized, DomainName.Normalize(normalized));
                Assert.True(normalized.Length <= 253);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error));
                var exception = Assert.Throws<ArgumentException>(() => DomainName.Normalize(input));
                Assert.Equal("domain", exception.ParamName);
            }
        }
    }
}
