using BenchmarkDotNet.Attributes;
using MtaSts;

namespace MtaSts.Benchmarks;

/// <summary>Parsing a typical policy body: the goal is that only the result objects are allocated.</summary>
[MemoryDiagnoser]
public class PolicyParserBenchmarks
{
    private const string TypicalPolicy =
        "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmx: *.example.net\r\nmax_age: 604800\r\n";

    private const string TxtRecord = "v=STSv1; id=20240101T000000Z";

    /// <summary>
    /// The 12-policy corpus of issue 10 §4: modes enforce, testing and none, 1 to 6 <c>mx</c> lines, wildcards, LF and
    /// CRLF line ends. The figure is per policy (<see cref="BenchmarkAttribute.OperationsPerInvoke"/>).
    /// </summary>
    internal static readonly string[] Corpus = BuildCorpus();

    [Benchmark(Baseline = true)]
    public MtaStsPolicyParseResult ParseTypicalPolicy() => MtaStsPolicyParser.Parse(TypicalPolicy);

    [Benchmark(OperationsPerInvoke = 12)]
    public int ParseCorpus()
    {
        var accepted = 0;
        foreach (var policy in Corpus)
        {
            accepted += MtaStsPolicyParser.Parse(policy).Policy is null ? 0 : 1;
        }

        return accepted;
    }

    private static string[] BuildCorpus()
    {
        var corpus = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var newline = i % 2 == 0 ? "\n" : "\r\n";
            var mode = (i % 3) switch { 0 => "enforce", 1 => "testing", _ => "none" };
            var lines = new List<string> { "version: STSv1", $"mode: {mode}" };
            for (var mx = 0; mx < (i % 6) + 1; mx++)
            {
                lines.Add(mx % 2 == 0 ? $"mx: mx{mx}.mail{i}.example.com" : $"mx: *.relay{mx}.example.net");
            }

            lines.Add($"max_age: {86400 * (i + 1)}");
            corpus.Add(string.Join(newline, lines) + newline);
        }

        return corpus.Count == 12 && corpus.TrueForAll(p => MtaStsPolicyParser.Parse(p).Policy is not null)
            ? [.. corpus]
            : throw new InvalidOperationException("The corpus must hold 12 valid policies.");
    }

    [Benchmark]
    public MtaStsRecordParseResult ParseTxtRecord() => MtaStsRecordParser.Parse(TxtRecord);

    [Benchmark]
    public bool IsStsRecord() => MtaStsRecordParser.IsStsRecord(TxtRecord);
}
