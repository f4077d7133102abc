using System.Text;
using MtaSts.Cli.Postfix;

namespace MtaSts.IntegrationTests.Postfix;

/// <summary>The netstring reader and writer of the socketmap server: pure functions, no sockets.</summary>
public sealed class NetstringTests
{
    private const int Max = PostfixAnswers.MaxRequestLength;

    private static NetstringStatus Read(string text, out string payload, out int consumed)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var status = Netstring.TryRead(bytes, Max, out var start, out var length, out consumed);
        payload = status == NetstringStatus.Complete ? Encoding.UTF8.GetString(bytes, start, length) : string.Empty;
        return status;
    }

    [Theory]
    [InlineData("14:postfix a.test,", "postfix a.test", 18)]
    [InlineData("0:,", "", 3)]
    [InlineData("3:abc,4:next,", "abc", 6)]
    public void Complete_ReturnsThePayloadAndWhatItTook(string text, string expected, int expectedConsumed)
    {
        Assert.Equal(NetstringStatus.Complete, Read(text, out var payload, out var consumed));
        Assert.Equal(expected, payload);
        Assert.Equal(expectedConsumed, consumed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("14")]
    [InlineData("14:")]
    [InlineData("14:postfix a.tes")]
    [InlineData("14:postfix a.test")]
    public void Incomplete_AsksForMore(string text) => Assert.Equal(NetstringStatus.Incomplete, Read(text, out _, out _));

    [Theory]
    [InlineData(":abc,")]
    [InlineData("x:abc,")]
    [InlineData("3x:abc,")]
    [InlineData("-3:abc,")]
    [InlineData(" 3:abc,")]
    [InlineData("03:abc,")]
    [InlineData("00:,")]
    [InlineData("3:abc;")]
    [InlineData("3:abcd,")]
    [InlineData("GET / HTTP/1.1\r\n")]
    public void Malformed_IsRefused(string text) => Assert.Equal(NetstringStatus.Malformed, Read(text, out _, out _));

    [Fact]
    public void TooLong_IsKnownFromThePrefixAlone_BeforeAnyPayload()
    {
        Assert.Equal(NetstringStatus.TooLong, Read("1025", out _, out _));
        Assert.Equal(NetstringStatus.TooLong, Read("99999", out _, out _));
        Assert.Equal(NetstringStatus.TooLong, Read("18446744073709551617:", out _, out _));
        Assert.Equal(NetstringStatus.Incomplete, Read("1024:", out _, out _));
        var exactly = "1024:" + new string('a', 1024) + ",";
        Assert.Equal(NetstringStatus.Complete, Read(exactly, out var payload, out var consumed));
        Assert.Equal(1024, payload.Length);
        Assert.Equal(Netstring.MaxFrameLength(Max), consumed);
    }

    [Theory]
    [InlineData("OK secure match=mx.a.test servername=hostname", "45:OK secure match=mx.a.test servername=hostname,")]
    [InlineData("NOTFOUND ", "9:NOTFOUND ,")]
    [InlineData("", "0:,")]
    [InlineData("é", "2:é,")]
    public void Encode_WritesLengthInBytes(string payload, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(Netstring.Encode(payload)));

    [Fact]
    public void Encode_ThenRead_RoundTrips()
    {
        foreach (var text in new[] { "x", "postfix bücher.test", new string('z', Max) })
        {
            var frame = Netstring.Encode(text);
            Assert.Equal(NetstringStatus.Complete, Netstring.TryRead(frame, Max, out var start, out var length, out var consumed));
            Assert.Equal(text, Encoding.UTF8.GetString(frame, start, length));
            Assert.Equal(frame.Length, consumed);
        }
    }

    [Theory]
    [InlineData("postfix example.com", true, "postfix", "example.com")]
    [InlineData("postfix a b", true, "postfix", "a b")]
    [InlineData("postfix ", true, "postfix", "")]
    [InlineData("postfix", false, "", "")]
    [InlineData(" example.com", false, "", "")]
    [InlineData("", false, "", "")]
    public void TryParseRequest_SplitsAtTheFirstSpace(string payload, bool ok, string name, string key)
    {
        Assert.Equal(ok, PostfixAnswers.TryParseRequest(Encoding.UTF8.GetBytes(payload), out var parsedName, out var parsedKey));
        Assert.Equal(name, parsedName);
        Assert.Equal(key, parsedKey);
    }

    [Fact]
    public void TryParseRequest_InvalidUtf8_IsMalformed() =>
        Assert.False(PostfixAnswers.TryParseRequest([(byte)'p', (byte)' ', 0xC3, 0x28], out _, out _));

    [Fact]
    public void ForDisplay_ReplacesControlCharacters_AndCaps()
    {
        Assert.Equal("a?b?c", PostfixAnswers.ForDisplay("a\nb\u001bc"));
        Assert.Equal(101, PostfixAnswers.ForDisplay(new string('x', 5000)).Length);
    }
}
