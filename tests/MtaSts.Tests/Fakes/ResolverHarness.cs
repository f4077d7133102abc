using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using MtaSts.Diagnostics;

namespace MtaSts.Tests.Fakes;

/// <summary>A resolver built with the internal constructor over fakes, a fake clock, a fake logger and a private meter.</summary>
internal sealed class ResolverHarness : IDisposable
{
    public const string Domain = "example.test";

    public static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public ResolverHarness(Action<MtaStsOptions>? configure = null, bool nullLogger = false)
    {
        configure?.Invoke(Options);
        Metrics = new MtaStsMetrics(MeterFactory);
        Resolver = new MtaStsPolicyResolver(
            Discoverer,
            Fetcher,
            Options,
            Time,
            nullLogger ? NullLogger.Instance : Logger,
            Metrics)
        {
            // No jitter: refreshes happen exactly at the interval, so tests can pin the instant.
            JitterSource = static () => 0.0,
        };
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public FakeRecordDiscoverer Discoverer { get; } = new();

    public FakePolicyFetcher Fetcher { get; } = new();

    public FakeLogger Logger { get; } = new();

    public MtaStsOptions Options { get; } = new();

    public TestMeterFactory MeterFactory { get; } = new();

    public MtaStsMetrics Metrics { get; }

    public MtaStsPolicyResolver Resolver { get; }

    public static string Policy(string mode = "enforce", long maxAge = 604800, params string[] mx)
    {
        if (mx.Length == 0 && mode != "none")
        {
            mx = ["mx1.example.test", "*.mx.example.test"];
        }

        var lines = new List<string> { "version: STSv1", $"mode: {mode}" };
        lines.AddRange(mx.Select(pattern => $"mx: {pattern}"));
        lines.Add($"max_age: {maxAge}");
        return string.Join("\r\n", lines) + "\r\n";
    }

    /// <summary>Scripts a domain with a valid record and a policy body.</summary>
    public void Publish(string id, string body, string domain = Domain, TimeSpan timeToLive = default)
    {
        Discoverer.Found(domain, id, timeToLive);
        Fetcher.Serve(domain, body);
    }

    public Task<MtaStsResolution> ResolveAsync(string domain = Domain, CancellationToken cancellationToken = default) =>
        Resolver.ResolveAsync(domain, cancellationToken);

    public IReadOnlyList<FakeLogRecord> LogsWithId(int eventId) =>
        Logger.Collector.GetSnapshot().Where(record => record.Id.Id == eventId).ToList();

    public IReadOnlyList<FakeLogRecord> LogsAtOrAbove(LogLevel level) =>
        Logger.Collector.GetSnapshot().Where(record => record.Level >= level).ToList();

    public void Dispose()
    {
        Resolver.Dispose();
        Metrics.Dispose();
        MeterFactory.Dispose();
    }
}
