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

    [Benchmark(Baseline = true)]
    public MtaStsPolicyParseResult ParseTypicalPolicy() => MtaStsPolicyParser.Parse(TypicalPolicy);

    [Benchmark]
    public MtaStsRecordParseResult ParseTxtRecord() => MtaStsRecordParser.Parse(TxtRecord);

    [Benchmark]
    public bool IsStsRecord() => MtaStsRecordParser.IsStsRecord(TxtRecord);
}
