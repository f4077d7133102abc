using BenchmarkDotNet.Attributes;
using MtaSts;

namespace MtaSts.Benchmarks;

/// <summary>MX pattern matching (RFC 8461 §4.1): must not allocate.</summary>
[MemoryDiagnoser]
public class MxMatcherBenchmarks
{
    private MxPattern _exact;
    private MxPattern _wildcard;

    [GlobalSetup]
    public void Setup()
    {
        var policy = MtaStsPolicyParser.Parse("version: STSv1\nmode: enforce\nmx: mx1.example.test\nmx: *.example.net\nmax_age: 86400\n").Policy
            ?? throw new InvalidOperationException("The benchmark policy must be valid.");
        _exact = policy.MxPatterns[0];
        _wildcard = policy.MxPatterns[1];
    }

    [Benchmark(Baseline = true)]
    public bool ExactMatch() => _exact.Matches("MX1.example.test.");

    [Benchmark]
    public bool WildcardMatch() => _wildcard.Matches("mail.example.net");

    [Benchmark]
    public bool WildcardMismatchTooDeep() => _wildcard.Matches("a.mail.example.net");

    [Benchmark]
    public bool ExactMismatch() => _exact.Matches("mx2.example.test");
}
