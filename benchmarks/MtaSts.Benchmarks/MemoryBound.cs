using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Diagnostics;

namespace MtaSts.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/MtaSts.Benchmarks -- memory-bound</c>: resolves 100,000 distinct domains
/// through a resolver bounded to <c>MaxCachedDomains</c> and prints the managed heap it retains, against an unbounded
/// resolver (bound = 100,000) in the same run (issue 6 §5). BenchmarkDotNet measures allocation, not what stays live,
/// so this is a plain measurement: full GC before and after, <see cref="GC.GetTotalMemory(bool)"/>.
/// </summary>
internal static class MemoryBound
{
    private const int Domains = 100_000;

    public static int Run()
    {
        Console.WriteLine($"{"MaxCachedDomains",18} {"domains held",14} {"retained heap",15} {"per domain held",16}");
        foreach (var bound in new[] { 1_000, 10_000, Domains })
        {
            var (held, retained) = Measure(bound);
            Console.WriteLine($"{bound,18:N0} {held,14:N0} {retained / 1024.0 / 1024.0,12:N1} MiB {retained / Math.Max(1, held),12:N0} B");
        }

        return 0;
    }

    private static (int Held, long Retained) Measure(int bound)
    {
        using var metrics = new MtaStsMetrics(meterFactory: null);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var options = new MtaStsOptions { Cache =
    {
        MaxDomains = bound,
        MinRecordRecheckInterval = TimeSpan.FromDays(1),
        MaxRecordRecheckInterval = TimeSpan.FromDays(1),
    } };
        using var resolver = new MtaStsPolicyResolver(new StaticDiscoverer(), new StaticFetcher(), options, TimeProvider.System, NullLogger.Instance, metrics);
        for (var i = 0; i < Domains; i++)
        {
            resolver.ResolveAsync($"d{i}.example.test").GetAwaiter().GetResult();
        }

        Thread.Sleep(200); // MemoryCache compacts in the background
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        var held = resolver.CachedDomainCount;
        GC.KeepAlive(resolver);
        return (held, retained);
    }
}
