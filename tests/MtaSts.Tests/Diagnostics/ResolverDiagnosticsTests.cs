using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using MtaSts.Diagnostics;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Diagnostics;

/// <summary>Metrics, logs and activities of the resolver.</summary>
public class ResolverDiagnosticsTests
{
    private const string Domain = ResolverHarness.Domain;

    [Fact]
    public async Task CacheLookups_CountMissHitAndStale()
    {
        using var h = new ResolverHarness();
        using var lookups = new MetricCollector<long>(h.MeterFactory, MtaStsTelemetry.MeterName, MtaStsTelemetry.CacheLookups);
        h.Publish("id1", ResolverHarness.Policy());

        await h.ResolveAsync();                        // miss
        await h.ResolveAsync();                        // hit (warm path)
        h.Time.Advance(TimeSpan.FromHours(2));
        await h.ResolveAsync();                        // stale: rechecked, then answered from the cache

        var results = lookups.GetMeasurementSnapshot().Select(m => (string)m.Tags["mtasts.cache.result"]!).ToArray();
        Assert.Equal(["miss", "hit", "stale"], results);
    }

    [Fact]
    public async Task Resolutions_AreCounted_WithOutcomeSourceAndErrorTags_AndNoDomainInAnyTag()
    {
        using var h = new ResolverHarness();
        using var resolutions = new MetricCollector<long>(h.MeterFactory, MtaStsTelemetry.MeterName, MtaStsTelemetry.Resolutions);
        using var durations = new MetricCollector<double>(h.MeterFactory, MtaStsTelemetry.MeterName, MtaStsTelemetry.ResolutionDuration);
        using var lookups = new MetricCollector<long>(h.MeterFactory, MtaStsTelemetry.MeterName, MtaStsTelemetry.CacheLookups);
        h.Publish("id1", ResolverHarness.Policy());
        h.Discoverer.DnsFailure("down.example.test");

        await h.ResolveAsync();
        await h.ResolveAsync();
        await h.ResolveAsync("down.example.test");

        var measurements = resolutions.GetMeasurementSnapshot();
        Assert.Equal(3, measurements.Count);
        Assert.Equal("policy", measurements[0].Tags["mtasts.outcome"]);
        Assert.Equal("fetched", measurements[0].Tags["mtasts.policy.source"]);
        Assert.Null(measurements[0].Tags["error.type"]);
        Assert.Equal("cache", measurements[1].Tags["mtasts.policy.source"]);
        Assert.Equal("dns-failure", measurements[2].Tags["mtasts.outcome"]);
        Assert.Equal("dns-failure", measurements[2].Tags["error.type"]);
        Assert.Equal(3, durations.GetMeasurementSnapshot().Count);
        Assert.All(durations.GetMeasurementSnapshot(), m => Assert.True(m.Value >= 0));

        var allTagValues = measurements.Concat(lookups.GetMeasurementSnapshot())
            .SelectMany(m => m.Tags.Values)
            .Concat(durations.GetMeasurementSnapshot().SelectMany(m => m.Tags.Values))
            .Select(value => value?.ToString() ?? string.Empty);
        Assert.All(allTagValues, value => Assert.DoesNotContain("example", value, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task CacheHit_IsLoggedAtTrace_WithTheDomain()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());

        await h.ResolveAsync();
        await h.ResolveAsync();

        var hit = Assert.Single(h.LogsWithId(Log.IdCacheHit));
        Assert.Equal(LogLevel.Trace, hit.Level);
        Assert.Contains(Domain, hit.Message, StringComparison.Ordinal);
        Assert.Single(h.LogsWithId(Log.IdPolicyFetched));
    }

    [Fact]
    public async Task NothingIsLoggedAboveDebug_ForAnOrdinaryFetchAndHit()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());

        await h.ResolveAsync();
        await h.ResolveAsync();

        Assert.Empty(h.LogsAtOrAbove(LogLevel.Information));
    }

    [Fact]
    public async Task ResolveActivity_CarriesDomainOutcomeAndSource_AndIsAnErrorOnFetchFailure()
    {
        using var h = new ResolverHarness();
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MtaStsTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                var domain = activity.GetTagItem("mtasts.policy_domain") as string;
                if (domain is "traced.example.test" or "broken.example.test")
                {
                    lock (activities)
                    {
                        activities.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        h.Publish("id1", ResolverHarness.Policy(), domain: "traced.example.test");
        h.Discoverer.Found("broken.example.test", "id1");
        h.Fetcher.Fail("broken.example.test");

        await h.ResolveAsync("traced.example.test");
        await h.ResolveAsync("traced.example.test"); // warm: no activity
        await h.ResolveAsync("broken.example.test");

        Assert.Equal(2, activities.Count);
        var ok = activities[0];
        Assert.Equal(MtaStsTelemetry.ResolveActivityName, ok.OperationName);
        Assert.Equal(ActivityKind.Internal, ok.Kind);
        Assert.Equal("traced.example.test", ok.GetTagItem("mtasts.policy_domain"));
        Assert.Equal("policy", ok.GetTagItem("mtasts.outcome"));
        Assert.Equal("fetched", ok.GetTagItem("mtasts.policy.source"));
        Assert.Null(ok.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Unset, ok.Status);

        var failed = activities[1];
        Assert.Equal("fetch-failure", failed.GetTagItem("mtasts.outcome"));
        Assert.Equal("sts-policy-fetch-error", failed.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
    }
}
