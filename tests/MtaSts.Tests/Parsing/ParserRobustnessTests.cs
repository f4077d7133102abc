using System.Text;
using MtaSts.Grammar;

namespace MtaSts.Tests.Parsing;

public class ParserRobustnessTests
{
    private static readonly string[] Pieces =
    [
        "version", "mode", "max_age", "mx", "Mode", "ext", "x-y.z", ":", ": ", " ", "\t", "\n", "\r\n", "\r", "\n\n",
        "STSv1", "enforce", "testing", "none", "86400", "31557601", "99999999999", "-1", "0",
        "mx1.example.test", "*.example.test", "*.", ".", "..", "_", "-", "*", ",", ";", "ü", "例", "\u0000", "\u007f",
        "\uFEFF", "\uD800", "\u0085", "\u2028",
    ];

    [Fact]
    public void PolicyParser_RandomAndGarbageInput_NeverThrowsAndStaysConsistent()
    {
        var random = new Random(8461);
        for (var i = 0; i < 2000; i++)
        {
            var text = i % 200 == 0 ? HugeInput(random, i) : RandomPolicy(random);
            var result = MtaStsPolicyParser.Parse(text);

            Assert.Equal(result.IsValid, result.Errors.Count == 0);
            Assert.True(result.Errors.Count <= DiagnosticList.MaxCount + 1);
            Assert.True(result.Warnings.Count <= DiagnosticList.MaxCount + 1);
            var lines = text.Count(c => c == '\n') + 1;
            Assert.All(result.Errors.Concat(result.Warnings), d =>
            {
                Assert.InRange(d.Line, 0, lines + text.Count(c => c == '\r'));
                Assert.Matches("^[a-z]+(-[a-z]+)*$", d.Code);
            });

            if (result.Policy is { } policy)
            {
                Assert.InRange(policy.MaxAgeSeconds, 0, 31557600);
                Assert.Same(text, policy.Text);
                Assert.True(policy.Mode == MtaStsMode.None || policy.MxPatterns.Count > 0);
                foreach (var pattern in policy.MxPatterns)
                {
                    var host = pattern.IsWildcard ? "label" + pattern.Pattern[1..] : pattern.Pattern;
                    Assert.True(pattern.Matches(host.ToUpperInvariant()), pattern.Pattern);
                }
            }
        }
    }

    [Fact]
    public void PolicyParser_HugeSingleLines_AreHandled()
    {
        var huge = new string('a', 2_000_000);
        Assert.False(MtaStsPolicyParser.Parse(huge).IsValid);
        Assert.False(MtaStsPolicyParser.Parse("mx: " + huge).IsValid);
        Assert.False(MtaStsPolicyParser.Parse("x: " + huge).IsValid);

        var withExtension = MtaStsPolicyParser.Parse("version: STSv1\nmode: none\nmax_age: 1\nx: " + huge);
        Assert.Equal(huge, Assert.Single(withExtension.Policy!.Extensions).Value);
        Assert.False(MtaStsPolicyParser.Parse(new string('\n', 1_000_000)).IsValid);
        Assert.False(MtaStsPolicyParser.Parse(new string('\r', 1_000_000)).IsValid);
    }

    [Fact]
    public void MxMatching_RandomHosts_NeverThrow()
    {
        var random = new Random(10);
        var patterns = new[] { "mx1.example.test", "*.example.test" }
            .Select(p => MtaStsPolicyParser.Parse($"version: STSv1\nmode: enforce\nmax_age: 1\nmx: {p}\n").Policy!)
            .ToArray();
        for (var i = 0; i < 2000; i++)
        {
            var host = RandomPolicy(random);
            foreach (var policy in patterns)
            {
                var matched = policy.MatchesMx(host);
                if (matched)
                {
                    Assert.EndsWith("example.test", host.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);
                }
            }
        }
    }

    private static string RandomPolicy(Random random)
    {
        var builder = new StringBuilder();
        if (random.Next(3) == 0)
        {
            builder.Append("version: STSv1\nmode: enforce\nmax_age: 86400\nmx: mx1.example.test\n");
        }

        var count = random.Next(0, 30);
        for (var j = 0; j < count; j++)
        {
            if (random.Next(6) == 0)
            {
                builder.Append((char)random.Next(0, 0x10000));
            }
            else
            {
                builder.Append(Pieces[random.Next(Pieces.Length)]);
            }
        }

        return builder.ToString();
    }

    private static string HugeInput(Random random, int i) => (i / 200 % 4) switch
    {
        0 => new string((char)random.Next(0, 0x80), 300_000),
        1 => string.Concat(Enumerable.Range(0, 20_000).Select(_ => Pieces[random.Next(Pieces.Length)])),
        2 => "version: STSv1\nmode: enforce\nmax_age: 1\n" + string.Concat(Enumerable.Repeat("mx: mx1.example.test\n", 5000)),
        _ => string.Concat(Enumerable.Repeat("mode: enforce\n", 5000)),
    };
}
