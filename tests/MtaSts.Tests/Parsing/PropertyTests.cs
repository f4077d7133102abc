using System.Text;
using CsCheck;

namespace MtaSts.Tests.Parsing;

/// <summary>
/// Invariants that fuzzing cannot check (issue 10 §3), over generated inputs: round trips of what the library writes
/// and reads, matcher symmetry under case and trailing dots, and idempotent normalisation.
/// </summary>
public class PropertyTests
{
    private const long Iterations = 2_000;

    private static readonly string[] ModeNames = ["enforce", "testing", "none"];

    private static readonly Gen<string> Label =
        Gen.Select(Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"], Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"], 0, 10], Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"])
            .Select((first, middle, last) => first + middle.TrimEnd('-') + last);

    /// <summary>A host name: one to four labels and a top-level label of letters (an all-numeric one is refused).</summary>
    private static readonly Gen<string> Host = Gen.Select(Label.Array[1, 4], Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz"], 2, 6])
        .Select((labels, top) => string.Join('.', labels) + "." + top);

    private static readonly Gen<string> Pattern = Gen.Select(Gen.Bool, Host).Select((wildcard, host) => wildcard ? "*." + host : host);

    private static readonly Gen<string> Mode = Gen.Int[0, 2].Select(i => ModeNames[i]);

    private static readonly Gen<string> RecordId = Gen.String[Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"], 1, 32];

    /// <summary>Mixed case (ASCII only) of a host, so A-labels stay A-labels.</summary>
    private static Gen<string> MixedCase(string text) =>
        Gen.Bool.Array[text.Length].Select(upper => string.Concat(text.Select((c, i) => upper[i] ? char.ToUpperInvariant(c) : c)));

    [Fact]
    public void STS_3_2_ThePolicyParser_ReadsBackEveryFieldOfAPolicyWrittenFromParts()
    {
        Gen.Select(Mode, Pattern.Array[1, 6], Gen.Long[0, 31_557_600], Gen.Bool)
            .Sample((mode, patterns, maxAge, crlf) =>
            {
                var newline = crlf ? "\r\n" : "\n";
                var text = new StringBuilder($"version: STSv1{newline}mode: {mode}{newline}");
                foreach (var pattern in patterns)
                {
                    text.Append("mx: ").Append(pattern).Append(newline);
                }

                text.Append("max_age: ").Append(maxAge).Append(newline);
                var parsed = MtaStsPolicyParser.Parse(text.ToString());

                Assert.Empty(parsed.Errors);
                var policy = parsed.Policy!;
                Assert.Equal(mode, policy.Mode.ToString().ToLowerInvariant());
                Assert.Equal(maxAge, policy.MaxAgeSeconds);
                Assert.Equal(patterns, policy.MxPatterns.Select(p => p.ToString()));
            }, iter: Iterations);
    }

    [Fact]
    public void STS_4_1_Matching_IgnoresCaseAndATrailingDot_OnBothSides()
    {
        Gen.Select(Pattern, Host).SelectMany((pattern, other) => Gen.Select(MixedCase(pattern), MixedCase("a." + other), Gen.Bool)
            .Select((casedPattern, casedHost, dot) => (pattern, other, casedPattern, casedHost, dot)))
            .Sample(t =>
            {
                var plain = Policy(t.pattern);
                var cased = Policy(t.casedPattern + (t.dot ? "." : string.Empty));
                var host = "a." + t.other;
                var named = t.pattern.StartsWith("*.", StringComparison.Ordinal) ? "a" + t.pattern[1..] : t.pattern;

                Assert.Equal(plain.MatchesMx(host), cased.MatchesMx(t.casedHost + (t.dot ? "." : string.Empty)));
                Assert.True(cased.MatchesMx(named.ToUpperInvariant()));
                Assert.True(plain.MatchesMx(named + "."));
            }, iter: Iterations);
    }

    [Fact]
    public void STS_4_1_AWildcardCoversExactlyOneLabel()
    {
        Gen.Select(Host, Label, Label).Sample((suffix, one, two) =>
        {
            var policy = Policy("*." + suffix);

            Assert.True(policy.MatchesMx($"{one}.{suffix}"));
            Assert.False(policy.MatchesMx($"{two}.{one}.{suffix}"));
            Assert.False(policy.MatchesMx(suffix));
        }, iter: Iterations);
    }

    [Fact]
    public void DomainName_Normalize_IsIdempotent_AndCaseAndDotInsensitive()
    {
        var unicodeLabel = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyzäöüßñçéøå"], 1, 12];
        Gen.Select(Gen.OneOf(Label, unicodeLabel).Array[2, 4], Gen.Bool).Sample((labels, dot) =>
        {
            var name = string.Join('.', labels);
            if (!DomainName.TryNormalize(name, out var normalized, out _))
            {
                return; // a generated label UTS-46 refuses (for example one that maps to nothing): nothing to check
            }

            Assert.Equal(normalized, DomainName.Normalize(normalized));
            Assert.Equal(normalized, DomainName.Normalize(name.ToUpperInvariant() + (dot ? "." : string.Empty)));
            Assert.DoesNotContain(normalized, c => c > 0x7F || char.IsAsciiLetterUpper(c));
        }, iter: Iterations);
    }

    [Fact]
    public void STS_3_2_TheFastMxCheck_AcceptsOnlyWhatTheFullGrammarCheckAccepts()
    {
        // The parser skips the descriptive check when the vectorised one proves a pattern valid, so the fast check must
        // never accept a pattern the full check refuses; on plain host names both must accept.
        var nasty = Gen.String[Gen.Char["ab-.*0Z ,;\tñ_"], 0, 12];
        var longLabel = Gen.Int[60, 70].Select(n => new string('a', n) + ".test");
        Gen.OneOf(nasty, Pattern, longLabel).Sample(value =>
        {
            var fast = MtaStsPolicyParser.IsPlainValidMx(value);
            var problem = MtaStsPolicyParser.DescribeInvalidMx(value);
            Assert.False(fast && problem is not null, $"'{value}' passed the fast check but the full check says: {problem}");
        }, iter: 20_000);

        Pattern.Sample(value => Assert.True(MtaStsPolicyParser.IsPlainValidMx(value), value));
    }

    [Fact]
    public void STS_3_2_TheFastPath_GivesExactlyWhatTheFullParserGives()
    {
        // A well-formed policy in any field order, then often one line replaced by a slip the fast path must leave to
        // the full parser (case, whitespace, dots, duplicates, extensions, blank lines, bare CR, out-of-range values).
        string[] slips =
        [
            "version:STSv1", "version: STSv2", "Version: STSv1", "version: STSv1 ", "mode: Enforce", "mode: enforced",
            "mode:\ttesting", "max_age: 0", "max_age: 31557601", "max_age: 99999999999", "max_age: 0604800", "max_age: ",
            "max_age: 1e5", "mx: MX1.Example.TEST", "mx: mx1.example.test.", "mx: *.", "mx: *", "mx: a..b", "mx: -a.b",
            "mx: a-.b", "mx: a.-b", "mx: a.b-", "mx: .a.b", "mx: a,b", "mx: *.*.a", "mx: a*.b", "mx: ñ.test", "mx:",
            "mx:a.b", "mx: a.b\t", " mx: a.b", "mx : a.b", "ext_1: x", "version: STSv1\nversion: STSv1",
            "mode: none\nmode: none", "max_age: 5\nmax_age: 5", "", "\uFEFFversion: STSv1", "mx: a.b\rmx: c.d",
            "mx: " + new string('a', 64) + ".test", "mx: " + new string('a', 63) + ".test",
            "mx: " + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".test",
            "mx: " + string.Join('.', Enumerable.Repeat(new string('b', 62), 4)) + ".test",
        ];
        // A long valid pattern with "..", ".-" or "-." put anywhere, so the eight-at-a-time neighbour check meets the
        // bad pair in its first, middle and overlapping last block.
        string[] badPairs = ["..", ".-", "-."];
        var broken = Gen.Select(Host, Host, Gen.Int[0, 2], Gen.Int[0, 1000])
            .Select((left, right, pair, at) =>
            {
                var host = left + "." + right;
                var cut = 1 + (at % (host.Length - 1));
                return "mx: " + host[..cut] + badPairs[pair] + host[cut..];
            });
        var slip = Gen.OneOf(Gen.Int[0, slips.Length - 1].Select(i => slips[i]), broken);
        var accepted = 0;
        Gen.Select(Mode, Pattern.Array[0, 5], Gen.Long[1, 31_557_600], Gen.Int[0, 8], Gen.Int[0, 2], slip, Gen.Bool, Gen.Bool)
            .Sample((mode, patterns, maxAge, rotate, slipped, slipLine, crlf, finalNewline) =>
            {
                var lines = new List<string> { "version: STSv1", $"mode: {mode}", $"max_age: {maxAge}" };
                lines.AddRange(patterns.Select(p => "mx: " + p));
                lines = [.. lines.Skip(rotate % lines.Count), .. lines.Take(rotate % lines.Count)];
                if (slipped == 0)
                {
                    lines[rotate % lines.Count] = slipLine;
                }

                var newline = crlf ? "\r\n" : "\n";
                var text = string.Join(newline, lines) + (finalNewline ? newline : string.Empty);

                var full = MtaStsPolicyParser.ParseFull(text);
                if (MtaStsPolicyParser.TryParseCanonical(text) is { } fast)
                {
                    accepted++;
                    Assert.Empty(full.Warnings);
                    Assert.Null(MtaStsPolicyParseResult.Difference(fast, full));
                }

                Assert.Null(MtaStsPolicyParseResult.Difference(MtaStsPolicyParser.Parse(text), full));
            }, iter: 20_000, threads: 1);

        // Both sides were exercised: most unslipped policies are canonical (those of enforce and testing need an mx line).
        Assert.InRange(accepted, 4_000, 16_000);
    }

    [Fact]
    public void STS_3_1_TheRecordParser_ReadsBackTheIdOfARecordWrittenFromParts()
    {
        Gen.Select(RecordId, Gen.Bool, Gen.Bool).Sample((id, spaces, trailing) =>
        {
            var text = spaces ? $"v=STSv1; id={id}" : $"v=STSv1;id={id}";
            var parsed = MtaStsRecordParser.Parse(trailing ? text + ";" : text);

            Assert.Empty(parsed.Errors);
            Assert.Equal(id, parsed.Record!.Id);
        }, iter: Iterations);
    }

    [Fact]
    public void S_1_TheStoreFormat_RoundTripsEveryGeneratedEntry()
    {
        var instant = Gen.Long[0, 10_000_000_000].Select(seconds => new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(seconds));
        var policyText = Gen.Select(Mode, Pattern.Array[0, 4], Gen.Long[1, 31_557_600])
            .Select((mode, patterns, maxAge) => $"version: STSv1\r\nmode: {mode}\r\n{string.Concat(patterns.Select(p => $"mx: {p}\r\n"))}max_age: {maxAge}\r\n");
        Gen.Select(Host, RecordId, policyText, instant, Gen.Int[0, 400], Gen.Bool, instant)
            .Sample((domain, id, text, fetched, days, withBackoff, until) =>
            {
                var entry = new StoredPolicy
                {
                    Domain = domain,
                    RecordId = id,
                    RecordText = $"v=STSv1; id={id}",
                    PolicyText = text,
                    FetchedAt = fetched,
                    ExpiresAt = fetched.AddDays(days),
                    Backoff = withBackoff ? new StoredBackoff { RecordId = id, Until = until, Failure = MtaStsFailure.PolicyFetchError, ReasonCode = "http-status-503" } : null,
                };

                Assert.True(StoredPolicyFormat.TryDeserialize(StoredPolicyFormat.Serialize(entry), out var read, out var error), error);
                Assert.Equal((entry.Domain, entry.RecordId, entry.PolicyText, entry.FetchedAt, entry.ExpiresAt, entry.Backoff?.Until), (read.Domain, read.RecordId, read.PolicyText, read.FetchedAt, read.ExpiresAt, read.Backoff?.Until));
                Assert.Equal(StoredPolicy.Supersedes(entry, read), StoredPolicy.Supersedes(read, entry)); // the same facts: neither is newer
            }, iter: Iterations);
    }

    private static MtaStsPolicy Policy(string pattern) =>
        MtaStsPolicyParser.Parse($"version: STSv1\nmode: enforce\nmx: {pattern}\nmax_age: 86400\n").Policy
        ?? throw new InvalidOperationException(pattern);
}
