using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Diagnostics;
using MtaSts.Discovery;
using MtaSts.Fetching;

namespace MtaSts.Benchmarks;

/// <summary>
/// The warm path: a resolution the cache answers (TXT id known to be current, policy unexpired, no refresh due).
/// Goal: no allocation at all, and a few hundred nanoseconds at most.
/// </summary>
[MemoryDiagnoser]
public class WarmResolutionBenchmarks
{
    private const string Domain = "example.test";

    private MtaStsPolicyResolver _resolver = null!;
    private MtaStsMetrics _metrics = null!;

    [GlobalSetup]
    public void Setup()
    {
        _metrics = new MtaStsMetrics(meterFactory: null);

        // A long recheck window, so the warm window outlasts the run on the real clock.
        var options = new MtaStsOptions
        {
            Cache =
            {
                MinRecordRecheckInterval = TimeSpan.FromDays(1),
                MaxRecordRecheckInterval = TimeSpan.FromDays(1),
            },
        };
        _resolver = new MtaStsPolicyResolver(new StaticDiscoverer(), new StaticFetcher(), options, TimeProvider.System, NullLogger.Instance, _metrics);
        var first = _resolver.ResolveAsync(Domain).GetAwaiter().GetResult();
        if (first.Outcome != MtaStsOutcome.Policy || _resolver.ResolveAsync(Domain).Result.Source != PolicySource.Cache)
        {
            throw new InvalidOperationException("The resolver did not warm up: " + first);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _resolver.Dispose();
        _metrics.Dispose();
    }

    private readonly Dictionary<string, object> _dictionary = new(StringComparer.Ordinal) { [Domain] = new object() };

    /// <summary>The budget's yardstick (issue 10 §4): a bare dictionary lookup of the same name, in the same run.</summary>
    [Benchmark(Baseline = true)]
    public object? DictionaryLookup() => _dictionary.TryGetValue(Domain, out var value) ? value : null;

    [Benchmark]
    public Task<MtaStsResolution> ResolveWarmTask() => _resolver.ResolveAsync(Domain);

    [Benchmark]
    public async ValueTask<MtaStsResolution> ResolveWarm()
    {
        var task = _resolver.ResolveAsync(Domain);
        return task.IsCompletedSuccessfully ? task.Result : await task.ConfigureAwait(false);
    }
}
