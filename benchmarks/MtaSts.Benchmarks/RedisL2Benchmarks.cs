using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Diagnostics;
using StackExchange.Redis;

namespace MtaSts.Benchmarks;

/// <summary>
/// The L2 hit path of the Redis store: a resolution whose memory (L1) has nothing for the domain and whose Redis holds a
/// live entry, against the L1 hit of the same resolver set-up as the baseline. Starts its own <c>redis-server</c> on a
/// free loopback port with no persistence (Debian package <c>redis-server</c>).
/// </summary>
/// <remarks>
/// Each L2 operation drops the domain from memory first (<c>ForgetInMemory</c>, as an eviction or a restart would), then
/// resolves: the TXT lookup (static, no I/O) runs while the store is read over loopback TCP, the stored id matches, and the
/// policy is rebuilt from the stored text and applied without a fetch.
/// </remarks>
[MemoryDiagnoser]
public class RedisL2Benchmarks
{
    private const string Domain = "example.test";

    private Process? _server;
    private string? _directory;
    private RedisPolicyStore _store = null!;
    private MtaStsPolicyResolver _l1 = null!;
    private MtaStsPolicyResolver _l2 = null!;
    private MtaStsMetrics _metrics = null!;

    [GlobalSetup]
    public void Setup()
    {
        var port = StartRedis();
        _metrics = new MtaStsMetrics(meterFactory: null);
        _store = new RedisPolicyStore(new RedisPolicyStoreOptions { Configuration = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}") });
        var options = new MtaStsOptions
        {
            Cache =
            {
                MinRecordRecheckInterval = TimeSpan.FromDays(1),
                MaxRecordRecheckInterval = TimeSpan.FromDays(1),
                StoreTimeout = TimeSpan.FromSeconds(5),
            },
        };
        _l1 = new MtaStsPolicyResolver(new StaticDiscoverer(), new StaticFetcher(), options, TimeProvider.System, NullLogger.Instance, _metrics, store: _store);
        _l2 = new MtaStsPolicyResolver(new StaticDiscoverer(), new FailingFetcher(), options, TimeProvider.System, NullLogger.Instance, _metrics, store: _store);

        // The first resolution fetches and writes through to Redis; the L2 resolver never fetches (its fetcher fails).
        var first = _l1.ResolveAsync(Domain).GetAwaiter().GetResult();
        var l1 = _l1.ResolveAsync(Domain).GetAwaiter().GetResult();
        var l2 = L2Hit().AsTask().GetAwaiter().GetResult();
        if (first.Source != PolicySource.Fetched || l1.Source != PolicySource.Cache || l2.Source != PolicySource.Cache || l2.Outcome != MtaStsOutcome.Policy)
        {
            throw new InvalidOperationException($"Set-up failed: first {first.Source}, L1 {l1.Source}, L2 {l2.Source} {l2.Outcome}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _l1.Dispose();
        _l2.Dispose();
        _store.Dispose();
        _metrics.Dispose();
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit(5000);
        }

        _server?.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Benchmark(Baseline = true)]
    public async ValueTask<MtaStsResolution> L1Hit()
    {
        var task = _l1.ResolveAsync(Domain);
        return task.IsCompletedSuccessfully ? task.Result : await task.ConfigureAwait(false);
    }

    [Benchmark]
    public async ValueTask<MtaStsResolution> L2Hit()
    {
        _l2.ForgetInMemory(Domain);
        return await _l2.ResolveAsync(Domain).ConfigureAwait(false);
    }

    private int StartRedis()
    {
        _directory = Directory.CreateTempSubdirectory("mtasts-bench-redis-").FullName;
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", _directory },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _server = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start (apt-get install redis-server).");
        _server.OutputDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var connection = ConnectionMultiplexer.Connect(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port},connectTimeout=500"));
                if (connection.GetDatabase().Ping() >= TimeSpan.Zero)
                {
                    return port;
                }
            }
            catch (RedisConnectionException)
            {
                Thread.Sleep(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not answer on 127.0.0.1:{port}.");
    }

    /// <summary>A fetcher that must not be reached: an L2 hit never fetches.</summary>
    private sealed class FailingFetcher : Fetching.IPolicyFetcher
    {
        public Task<Fetching.PolicyFetchResult> FetchAsync(string domain, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The L2 benchmark fetched: the Redis entry was not used.");
    }
}
