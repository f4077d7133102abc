using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Diagnostics;

namespace MtaSts.Benchmarks;

/// <summary>
/// The read-through path (issue 6 §5): a resolution that misses memory and finds the policy in a store, against the warm
/// memory hit measured in the same run. The TXT lookup is static (no I/O), so the figures are the store's cost: read,
/// JSON, policy parse and restore.
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private const string Domain = "example.test";

    private string _directory = null!;
    private MtaStsMetrics _metrics = null!;
    private MtaStsPolicyResolver _memoryOnly = null!;
    private MtaStsPolicyResolver _fileBacked = null!;
    private MtaStsPolicyResolver _dictionaryBacked = null!;

    [GlobalSetup]
    public void Setup()
    {
        _metrics = new MtaStsMetrics(meterFactory: null);
        _directory = Path.Combine(Path.GetTempPath(), "mtasts-bench-" + Guid.NewGuid().ToString("N"));
        _memoryOnly = Resolver(store: null);
        _fileBacked = Resolver(new FilePolicyStore(_directory));
        _dictionaryBacked = Resolver(new DictionaryStore());
        foreach (var resolver in new[] { _memoryOnly, _fileBacked, _dictionaryBacked })
        {
            if (resolver.ResolveAsync(Domain).GetAwaiter().GetResult().Outcome != MtaStsOutcome.Policy)
            {
                throw new InvalidOperationException("The resolver did not fetch the policy.");
            }
        }

        // Prove the L2 path is what runs: after forgetting, the answer comes from the store without a fetch.
        _fileBacked.ForgetInMemory(Domain);
        var restored = _fileBacked.ResolveAsync(Domain).GetAwaiter().GetResult();
        if (restored.Source != PolicySource.Cache || restored.Outcome != MtaStsOutcome.Policy)
        {
            throw new InvalidOperationException("The file store did not answer: " + restored);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _memoryOnly.Dispose();
        _fileBacked.Dispose();
        _dictionaryBacked.Dispose();
        _metrics.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "L1 hit (memory)")]
    public Task<MtaStsResolution> MemoryHit() => _memoryOnly.ResolveAsync(Domain);

    [Benchmark(Description = "L2 hit: FilePolicyStore")]
    public Task<MtaStsResolution> FileStoreHit()
    {
        _fileBacked.ForgetInMemory(Domain);
        return _fileBacked.ResolveAsync(Domain);
    }

    [Benchmark(Description = "L2 hit: in-memory IMtaStsPolicyStore (restore cost only)")]
    public Task<MtaStsResolution> DictionaryStoreHit()
    {
        _dictionaryBacked.ForgetInMemory(Domain);
        return _dictionaryBacked.ResolveAsync(Domain);
    }

    private MtaStsPolicyResolver Resolver(IMtaStsPolicyStore? store)
    {
        var options = new MtaStsOptions
        {
            Cache =
            {
                MinRecordRecheckInterval = TimeSpan.FromDays(1),
                MaxRecordRecheckInterval = TimeSpan.FromDays(1),
                Store = store,
            },
        };
        return new MtaStsPolicyResolver(new StaticDiscoverer(), new StaticFetcher(), options, TimeProvider.System, NullLogger.Instance, _metrics);
    }

    /// <summary>A store that keeps serialised entries in a dictionary: the format and restore cost without file I/O.</summary>
    private sealed class DictionaryStore : IMtaStsPolicyStore
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _entries = new(StringComparer.Ordinal);

        public Task<StoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default) =>
            Task.FromResult(_entries.TryGetValue(domain, out var bytes) && StoredPolicyFormat.TryDeserialize(bytes, out var entry, out _) ? entry : null);

        public Task<bool> SetAsync(StoredPolicy entry, CancellationToken cancellationToken = default)
        {
            _entries[entry.Domain] = StoredPolicyFormat.Serialize(entry);
            return Task.FromResult(true);
        }

        public Task<bool> RemoveAsync(string domain, CancellationToken cancellationToken = default) => Task.FromResult(_entries.TryRemove(domain, out _));

        public async IAsyncEnumerable<StoredPolicy> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            foreach (var bytes in _entries.Values)
            {
                if (StoredPolicyFormat.TryDeserialize(bytes, out var entry, out _))
                {
                    yield return entry;
                }
            }
        }
    }
}
