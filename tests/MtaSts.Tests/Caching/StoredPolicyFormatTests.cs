using System.Text;

namespace MtaSts.Tests.Caching;

/// <summary>The versioned serialised form of a store entry (decision S-1) and which write wins (decision S-4).</summary>
public class StoredPolicyFormatTests
{
    internal static readonly DateTimeOffset Fetched = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    internal const string PolicyText = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmax_age: 604800\r\n";

    internal static StoredPolicy Entry(string domain = "example.test", string id = "20261201", DateTimeOffset? fetched = null, StoredBackoff? backoff = null, string text = PolicyText)
    {
        var at = fetched ?? Fetched;
        return new StoredPolicy
        {
            Domain = domain,
            RecordId = id,
            RecordText = $"v=STSv1; id={id}",
            PolicyText = text,
            FetchedAt = at,
            ExpiresAt = at.AddDays(7),
            Backoff = backoff,
        };
    }

    internal static StoredBackoff Backoff(string id = "20261202", DateTimeOffset? until = null) => new()
    {
        RecordId = id,
        Until = until ?? Fetched.AddMinutes(5),
        Failure = MtaStsFailure.PolicyFetchError,
        ReasonCode = "http-status-503",
    };

    [Fact]
    public void S_1_RoundTrip_KeepsEveryFact()
    {
        var entry = Entry(backoff: Backoff());

        Assert.True(StoredPolicyFormat.TryDeserialize(StoredPolicyFormat.Serialize(entry), out var read, out var error), error);

        Assert.Equal(entry.Domain, read.Domain);
        Assert.Equal(entry.RecordId, read.RecordId);
        Assert.Equal(entry.RecordText, read.RecordText);
        Assert.Equal(entry.PolicyText, read.PolicyText);
        Assert.Equal(entry.FetchedAt, read.FetchedAt);
        Assert.Equal(entry.ExpiresAt, read.ExpiresAt);
        Assert.Equal(entry.Backoff!.RecordId, read.Backoff!.RecordId);
        Assert.Equal(entry.Backoff.Until, read.Backoff.Until);
        Assert.Equal(MtaStsFailure.PolicyFetchError, read.Backoff.Failure);
        Assert.Equal("http-status-503", read.Backoff.ReasonCode);
    }

    [Theory]
    [InlineData(MtaStsFailure.PolicyFetchError)]
    [InlineData(MtaStsFailure.PolicyInvalid)]
    [InlineData(MtaStsFailure.WebPkiInvalid)]
    public void S_1_ABackoffOnlyEntry_RoundTrips_ForEachFetchFailure(MtaStsFailure failure)
    {
        var entry = new StoredPolicy { Domain = "example.test", Backoff = new StoredBackoff { RecordId = "a1", Until = Fetched, Failure = failure } };

        Assert.True(StoredPolicyFormat.TryDeserialize(StoredPolicyFormat.Serialize(entry), out var read, out _));

        Assert.False(read.HasPolicy);
        Assert.Equal(failure, read.Backoff!.Failure);
        Assert.Null(read.Backoff.ReasonCode);
    }

    [Fact]
    public void S_1_TheWrittenForm_IsTheDocumentedVersion1_WithReadablePolicyText()
    {
        var json = Encoding.UTF8.GetString(StoredPolicyFormat.Serialize(Entry(text: "version: STSv1\r\nmode: testing\r\nmx: <ü>.example.test\r\nmax_age: 86400\r\n")));

        Assert.StartsWith("{\"format\":\"mta-sts-store\",\"version\":1,\"domain\":\"example.test\",\"policy\":{\"id\":\"20261201\"", json, StringComparison.Ordinal);
        Assert.Contains("\"fetched\":\"2026-12-01T10:00:00+00:00\"", json, StringComparison.Ordinal);
        Assert.Contains("<ü>", json, StringComparison.Ordinal); // not \u003C… escapes
        Assert.DoesNotContain("backoff", json, StringComparison.Ordinal);
    }

    [Fact]
    public void S_1_HalfAnEntry_IsRefusedWhenWritten()
    {
        Assert.Throws<ArgumentException>(() => StoredPolicyFormat.Serialize(new StoredPolicy { Domain = "example.test" }));
        Assert.Throws<ArgumentException>(() => StoredPolicyFormat.Serialize(new StoredPolicy { Domain = "example.test", RecordId = "x1", PolicyText = PolicyText }));

        // Found by the round-trip property: what readers refuse is never written.
        Assert.Throws<ArgumentException>(() => StoredPolicyFormat.Serialize(Entry("Example.TEST")));
        Assert.Throws<ArgumentException>(() => StoredPolicyFormat.Serialize(Entry("example.37")));
    }

    [Fact]
    public void S_1_UnknownMembers_AreIgnored_SoANewerMinorWriterStaysReadable()
    {
        var json = Encoding.UTF8.GetString(StoredPolicyFormat.Serialize(Entry())).Replace("\"domain\"", "\"written-by\":\"node-7\",\"domain\"", StringComparison.Ordinal);

        Assert.True(StoredPolicyFormat.TryDeserialize(Encoding.UTF8.GetBytes(json), out var read, out _));
        Assert.Equal("example.test", read.Domain);
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("{\"format\":\"mta-sts-store\",\"version\":1,\"domain\":\"example.te", "not valid JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"format\":\"something-else\",\"version\":1}", "foreign")]
    [InlineData("{\"name\":\"a package.json\"}", "foreign")]
    [InlineData("{\"format\":\"mta-sts-store\",\"version\":2,\"domain\":\"example.test\"}", "version 2")]
    [InlineData("{\"format\":\"mta-sts-store\",\"version\":0,\"domain\":\"example.test\"}", "no valid version")]
    [InlineData("{\"format\":\"mta-sts-store\",\"version\":1,\"domain\":\"EXAMPLE.test\",\"backoff\":{\"id\":\"a\",\"until\":\"2026-12-01T10:00:00+00:00\",\"failure\":\"sts-policy-fetch-error\"}}", "normalised domain")]
    [InlineData("{\"format\":\"mta-sts-store\",\"version\":1,\"domain\":\"example.test\"}", "neither")]
    [InlineData("{\"format\":\"mta-sts-store\",\"version\":1,\"domain\":\"example.test\",\"policy\":{\"id\":\"a\",\"text\":\"x\",\"fetched\":\"2026-12-02T10:00:00+00:00\",\"expires\":\"2026-12-01T10:00:00+00:00\"}}", "policy is incomplete")]
    [InlineData("{\"format\":\"mta-sts-store\",\"version\":1,\"domain\":\"example.test\",\"policy\":{\"id\":\"a b\",\"text\":\"x\",\"fetched\":\"2026-12-01T10:00:00+00:00\",\"expires\":\"2026-12-02T10:00:00+00:00\"}}", "policy is incomplete")]
    [InlineData("{\"format\":\"mta-sts-store\",\"version\":1,\"domain\":\"example.test\",\"backoff\":{\"id\":\"a\",\"until\":\"soon\",\"failure\":\"sts-policy-fetch-error\"}}", "back-off is incomplete")]
    [InlineData("{\"format\":\"mta-sts-store\",\"version\":1,\"domain\":\"example.test\",\"backoff\":{\"id\":\"a\",\"until\":\"2026-12-01T10:00:00+00:00\",\"failure\":\"starttls-not-supported\"}}", "back-off is incomplete")]
    [InlineData("{\"format\":\"mta-sts-store\",\"version\":1,\"domain\":\"example.test\",\"backoff\":{\"id\":\"a\",\"until\":\"2026-12-01T10:00:00+00:00\",\"failure\":\"sts-policy-fetch-error\",\"reason\":\"<script>\"}}", "back-off is incomplete")]
    public void S_1_AnUnreadableEntry_IsRefusedWithASpecificReason_WithoutItsText(string json, string reason)
    {
        Assert.False(StoredPolicyFormat.TryDeserialize(Encoding.UTF8.GetBytes(json), out var entry, out var error));

        Assert.Null(entry);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain("script", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fuzz_InvalidUtf8InsideAString_IsRefused_NotThrown()
    {
        // Found by fuzz/run.sh store-entry: the JSON reader accepted the structure and reading the string threw.
        var bytes = StoredPolicyFormat.Serialize(Entry());
        var at = Encoding.UTF8.GetString(bytes).IndexOf("example.test", StringComparison.Ordinal) + 7;
        bytes[at] = 0xD1;

        Assert.False(StoredPolicyFormat.TryDeserialize(bytes, out var entry, out var error));
        Assert.Null(entry);
        Assert.Contains("not valid UTF-8", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fuzz_ALoneSurrogateEscape_IsRefused_NotThrown()
    {
        var json = Encoding.UTF8.GetString(StoredPolicyFormat.Serialize(Entry())).Replace("\"format\":\"mta-sts-store\"", "\"format\":\"mta-sts-store\",\"x\":\"\\uD800\"", StringComparison.Ordinal)
            .Replace("20261201\"", "2026\\uDC001201\"", StringComparison.Ordinal);

        Assert.False(StoredPolicyFormat.TryDeserialize(Encoding.UTF8.GetBytes(json), out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void S_1_AnEntryLargerThanTheLimit_IsRefusedWithoutParsing()
    {
        var huge = new byte[StoredPolicyFormat.MaxEntryBytes + 1];

        Assert.False(StoredPolicyFormat.TryDeserialize(huge, out _, out var error));
        Assert.Contains("larger than", error, StringComparison.Ordinal);
    }

    [Fact]
    public void S_1_DeeplyNestedJson_IsRefused_NotAStackOverflow()
    {
        var json = "{\"format\":\"mta-sts-store\",\"version\":1,\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}";

        Assert.False(StoredPolicyFormat.TryDeserialize(Encoding.UTF8.GetBytes(json), out _, out var error));
        Assert.Contains("not valid JSON", error, StringComparison.Ordinal);
    }

    // ---- Supersedes (S-4) and lifetime (S-3) ----

    [Fact]
    public void S_4_ANewerFetchWins_AndAnOlderFetchNeverReplacesANewerOne()
    {
        var older = Entry(id: "old", fetched: Fetched);
        var newer = Entry(id: "new", fetched: Fetched.AddHours(1));

        Assert.True(StoredPolicy.Supersedes(newer, older));
        Assert.False(StoredPolicy.Supersedes(older, newer));
        Assert.True(StoredPolicy.Supersedes(older, existing: null));
    }

    [Fact]
    public void S_4_ModeNoneFetchedAfterEnforce_ReplacesIt()
    {
        var enforce = Entry(fetched: Fetched);
        var none = Entry(id: "withdrawn", fetched: Fetched.AddMinutes(1), text: "version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n");

        Assert.True(StoredPolicy.Supersedes(none, enforce));
    }

    [Fact]
    public void S_4_ForTheSameFetch_TheLaterBackoffWins_AndABackoffAloneNeverReplacesAPolicy()
    {
        var plain = Entry();
        var withBackoff = Entry(backoff: Backoff(until: Fetched.AddMinutes(5)));
        var laterBackoff = Entry(backoff: Backoff(until: Fetched.AddMinutes(9)));
        var backoffOnly = new StoredPolicy { Domain = "example.test", Backoff = Backoff(until: Fetched.AddDays(30)) };

        Assert.True(StoredPolicy.Supersedes(withBackoff, plain));
        Assert.True(StoredPolicy.Supersedes(laterBackoff, withBackoff));
        Assert.False(StoredPolicy.Supersedes(withBackoff, laterBackoff));
        Assert.False(StoredPolicy.Supersedes(backoffOnly, plain));
        Assert.True(StoredPolicy.Supersedes(plain, backoffOnly));
    }

    [Fact]
    public void S_3_AnEntryLivesUntilTheLaterOfItsPolicyExpiryAndItsBackoff()
    {
        var policyOnly = Entry();
        var longBackoff = Entry(backoff: Backoff(until: Fetched.AddDays(8)));
        var backoffOnly = new StoredPolicy { Domain = "example.test", Backoff = Backoff(until: Fetched.AddMinutes(5)) };

        Assert.Equal(Fetched.AddDays(7), policyOnly.StoreUntil);
        Assert.Equal(Fetched.AddDays(8), longBackoff.StoreUntil);
        Assert.Equal(Fetched.AddMinutes(5), backoffOnly.StoreUntil);
        Assert.Null(new StoredPolicy { Domain = "example.test" }.StoreUntil);
        Assert.True(policyOnly.IsLiveAt(Fetched.AddDays(7).AddTicks(-1)));
        Assert.False(policyOnly.IsLiveAt(Fetched.AddDays(7)));
    }
}
