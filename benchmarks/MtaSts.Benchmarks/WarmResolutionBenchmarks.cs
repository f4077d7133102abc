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
            MinRecordRecheckInterval = TimeSpan.FromDays(1),
            MaxRecordRecheckInterval = TimeSpan.FromDays(1),
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

    [Benchmark]
    public async ValueTask<MtaStsResolution> ResolveWarm()
    {
        var task = _resolver.ResolveAsync(Domain);
        return task.IsCompletedSuccessfully ? task.Result : await task.ConfigureAwait(false);
    }

    private sealed class StaticDiscoverer : IMtaStsRecordDiscoverer
    {
        private static readonly DiscoveryResult Found = new()
        {
            Status = DiscoveryStatus.Found,
            Record = new MtaStsRecord("20250301T000000", "v=STSv1; id=20250301T000000"),
            TimeToLive = TimeSpan.FromDays(1),
            TxtRecords = ["v=STSv1; id=20250301T000000"],
        };

        public Task<DiscoveryResult> DiscoverAsync(string domain, CancellationToken cancellationToken) => Task.FromResult(Found);
    }

    private sealed class StaticFetcher : IPolicyFetcher
    {
        private static readonly PolicyFetchResult Policy = new()
        {
            Failure = MtaStsFailure.None,
            HttpStatusCode = 200,
            Body = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmx: *.mx.example.test\r\nmax_age: 31557600\r\n",
        };

        public Task<PolicyFetchResult> FetchAsync(string domain, CancellationToken cancellationToken) => Task.FromResult(Policy);
    }
}
