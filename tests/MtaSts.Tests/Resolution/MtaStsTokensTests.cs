namespace MtaSts.Tests.Resolution;

/// <summary>The one table of words per enum: every defined value has its own word, and each word reads back.</summary>
public sealed class MtaStsTokensTests
{
    [Fact]
    public void EveryDefinedValue_HasADistinctWord_ThatReadsBack()
    {
        AssertRoundTrip<MtaStsMode>(MtaStsTokens.ToToken, (string t, out MtaStsMode v) => MtaStsTokens.TryParse(t, out v));
        AssertRoundTrip<MtaStsOutcome>(MtaStsTokens.ToToken, (string t, out MtaStsOutcome v) => MtaStsTokens.TryParse(t, out v));
        AssertRoundTrip<PolicySource>(MtaStsTokens.ToToken, (string t, out PolicySource v) => MtaStsTokens.TryParse(t, out v));
        AssertRoundTrip<MtaStsFailure>(MtaStsTokens.ToToken, (string t, out MtaStsFailure v) => MtaStsTokens.TryParse(t, out v));
        AssertRoundTrip<DeliveryPlanStatus>(MtaStsTokens.ToToken, (string t, out DeliveryPlanStatus v) => MtaStsTokens.TryParse(t, out v));
        AssertRoundTrip<MxAuthentication>(MtaStsTokens.ToToken, (string t, out MxAuthentication v) => MtaStsTokens.TryParse(t, out v));
        AssertRoundTrip<DaneStatus>(MtaStsTokens.ToToken, (string t, out DaneStatus v) => MtaStsTokens.TryParse(t, out v));
        AssertRoundTrip<MtaStsOverrideKind>(MtaStsTokens.ToToken, (string t, out MtaStsOverrideKind v) => MtaStsTokens.TryParse(t, out v));
    }

    // These words are in metric tags, logs and the CLI's JSON: changing one breaks users' dashboards and scripts.
    [Theory]
    [InlineData(MtaStsMode.Enforce, "enforce")]
    [InlineData(MtaStsMode.Testing, "testing")]
    [InlineData(MtaStsMode.None, "none")]
    public void ModeWords_AreThoseOfRfc8461(MtaStsMode mode, string word) => Assert.Equal(word, mode.ToToken());

    [Fact]
    public void TheWordsUsersDependOn_AreStable()
    {
        Assert.Equal("no-policy", MtaStsOutcome.NoPolicy.ToToken());
        Assert.Equal("cache-after-failure", PolicySource.CacheAfterFailure.ToToken());
        Assert.Equal("sts-webpki-invalid", MtaStsFailure.WebPkiInvalid.ToToken());
        Assert.Equal("record-not-found", MtaStsFailure.RecordNotFound.ToToken());
        Assert.Equal("no-mail-service", DeliveryPlanStatus.NoMailService.ToToken());
        Assert.Equal("dane-ta", MxAuthentication.DaneTa.ToToken());
        Assert.Equal("lookup-failed", DaneStatus.LookupFailed.ToToken());
        Assert.Equal("policy", MtaStsOverrideKind.StaticPolicy.ToToken());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Enforce")]
    [InlineData(" enforce")]
    [InlineData("unknown")]
    public void AnUnknownOrDifferentlyCasedWord_DoesNotParse(string? word)
    {
        Assert.False(MtaStsTokens.TryParse(word, out MtaStsMode mode));
        Assert.Equal(default, mode);
    }

    [Fact]
    public void AnUndefinedValue_IsUnknown() => Assert.Equal("unknown", ((MtaStsOutcome)99).ToToken());

    private delegate bool Parser<T>(string token, out T value);

    private static void AssertRoundTrip<T>(Func<T, string> toToken, Parser<T> parse)
        where T : struct, Enum
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in Enum.GetValues<T>())
        {
            var word = toToken(value);
            Assert.NotEqual("unknown", word);
            Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", word);
            Assert.True(seen.Add(word), $"{typeof(T).Name}: the word '{word}' is used twice");
            Assert.True(parse(word, out var back), $"{typeof(T).Name}: '{word}' does not read back");
            Assert.Equal(value, back);
        }
    }
}
