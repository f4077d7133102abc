using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MtaSts.Diagnostics;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Caching;

/// <summary>Downgrade signals (decision S-5) and failed refreshes (RFC 8461 §3.3, §10.2): event, metric and log for each kind.</summary>
public sealed class DowngradeEventTests : IDisposable
{
    private const string Domain = ResolverHarness.Domain;
    private readonly ResolverHarness _h = new();
    private readonly List<PolicyDowngradeEventArgs> _downgrades = [];
    private readonly List<PolicyRefreshFailedEventArgs> _refreshFailures = [];
    private readonly MetricCollector<long> _metric;

    public DowngradeEventTests()
    {
        _h.Options.Events.DowngradeDetected += (sender, args) =>
        {
            Assert.Same(_h.Resolver, sender);
            _downgrades.Add(args);
        };
        _h.Options.Events.RefreshFailed += (_, args) => _refreshFailures.Add(args);
        _metric = new MetricCollector<long>(_h.MeterFactory, MtaStsTelemetry.MeterName, MtaStsTelemetry.PolicyDowngrades);
    }

    public void Dispose()
    {
        _metric.Dispose();
        _h.Dispose();
    }

    [Theory]
    [InlineData("testing", 604800, new[] { "mx1.example.test", "*.mx.example.test" }, PolicyDowngradeKind.ModeWeakened, "mode-weakened")]
    [InlineData("none", 604800, new string[0], PolicyDowngradeKind.ModeWeakened, "mode-weakened")]
    [InlineData("enforce", 604800, new[] { "mx.attacker.test" }, PolicyDowngradeKind.MxPatternsChanged, "mx-patterns-changed")]
    [InlineData("enforce", 3600, new[] { "mx1.example.test", "*.mx.example.test" }, PolicyDowngradeKind.MaxAgeReduced, "max-age-reduced")]
    public async Task S_5_AFreshFetchThatWeakensTheCachedPolicy_RaisesTheEventWithOldAndNew(string mode, long maxAge, string[] mx, PolicyDowngradeKind kind, string metricKind)
    {
        await CacheEnforcePolicyAsync();

        _h.Publish("id2", ResolverHarness.Policy(mode, maxAge, mx));
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var result = await _h.ResolveAsync();

        var signal = Assert.Single(_downgrades);
        Assert.Equal(kind, signal.Kind);
        Assert.Equal(Domain, signal.Domain);
        Assert.Equal(MtaStsMode.Enforce, signal.PreviousPolicy!.Mode);
        Assert.Equal("id1", signal.PreviousRecord!.Id);
        Assert.Same(result, signal.Resolution);
        Assert.Equal(PolicySource.Fetched, signal.Resolution.Source);
        AssertCounted(metricKind);
        Assert.Contains(_h.LogsWithId(Log.IdDowngradeDetected), r => r.Message.Contains(metricKind, StringComparison.Ordinal));
    }

    [Fact]
    public async Task S_5_AStrongerOrEqualPolicy_RaisesNothing()
    {
        await CacheEnforcePolicyAsync();

        _h.Publish("id2", ResolverHarness.Policy("enforce", 604800, "*.MX.example.test", "mx1.example.test"));
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await _h.ResolveAsync();

        Assert.Empty(_downgrades);
        Assert.Empty(_metric.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task S_5_TheRecordDisappearingWhileAPolicyIsCached_IsSignalled()
    {
        await CacheEnforcePolicyAsync();

        _h.Discoverer.NotFound(Domain);
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var result = await _h.ResolveAsync();

        var signal = Assert.Single(_downgrades);
        Assert.Equal(PolicyDowngradeKind.RecordRemoved | PolicyDowngradeKind.AppliedAfterFailure, signal.Kind);
        Assert.Equal(PolicySource.CacheAfterFailure, result.Source);
        AssertCounted("record-removed");
        AssertCounted("applied-after-failure");
    }

    [Fact]
    public async Task S_5_ACachedPolicyAppliedBecauseTheDnsLookupFailed_IsSignalled()
    {
        await CacheEnforcePolicyAsync();

        _h.Discoverer.DnsFailure(Domain);
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        await _h.ResolveAsync();

        Assert.Equal(PolicyDowngradeKind.AppliedAfterFailure, Assert.Single(_downgrades).Kind);
        AssertCounted("applied-after-failure");
    }

    [Fact]
    public async Task S_5_ACachedPolicyAppliedBecauseTheFetchOfANewIdFailed_IsSignalled()
    {
        await CacheEnforcePolicyAsync();

        _h.Discoverer.Found(Domain, "id2");
        _h.Fetcher.Fail(Domain);
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var result = await _h.ResolveAsync();

        var signal = Assert.Single(_downgrades);
        Assert.Equal(PolicyDowngradeKind.AppliedAfterFailure, signal.Kind);
        Assert.Equal(MtaStsMode.Enforce, signal.Policy!.Mode);
        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
    }

    [Fact]
    public async Task STS_3_3_o_AFailedRefresh_IsLoggedCountedAndRaised_ButIsNotADowngrade()
    {
        using var refreshes = new MetricCollector<long>(_h.MeterFactory, MtaStsTelemetry.MeterName, MtaStsTelemetry.PolicyRefreshes);
        await CacheEnforcePolicyAsync();

        _h.Fetcher.Fail(Domain);
        _h.Time.Advance(TimeSpan.FromDays(1));
        var result = await _h.ResolveAsync();

        Assert.Equal(PolicySource.Cache, result.Source);
        var failure = Assert.Single(_refreshFailures);
        Assert.Equal(Domain, failure.Domain);
        Assert.Same(result, failure.Resolution);
        Assert.Empty(_downgrades);
        Assert.Contains(refreshes.GetMeasurementSnapshot(), m => (string?)m.Tags["mtasts.refresh.result"] == "failure");
        Assert.Contains(_h.LogsAtOrAbove(Microsoft.Extensions.Logging.LogLevel.Warning), r => r.Message.Contains("id1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task STS_3_3_o_AFailedRefreshOfAModeNonePolicy_IsNotRaised()
    {
        _h.Publish("id1", ResolverHarness.Policy("none"));
        await _h.ResolveAsync();

        _h.Fetcher.Fail(Domain);
        _h.Time.Advance(TimeSpan.FromDays(1));
        await _h.ResolveAsync();

        Assert.Empty(_refreshFailures);
        Assert.DoesNotContain(_h.LogsAtOrAbove(Microsoft.Extensions.Logging.LogLevel.Warning), r => r.Message.Contains("refresh", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AHandlerThatThrows_IsLogged_AndDoesNotAffectTheResolution()
    {
        _h.Options.Events.DowngradeDetected += (_, _) => throw new InvalidOperationException("handler bug");
        await CacheEnforcePolicyAsync();

        _h.Discoverer.DnsFailure(Domain);
        _h.Time.Advance(TimeSpan.FromMinutes(1));
        var result = await _h.ResolveAsync();

        Assert.Equal(PolicySource.CacheAfterFailure, result.Source);
        Assert.NotEmpty(_h.LogsWithId(Log.IdEventHandlerFailed));
    }

    private async Task CacheEnforcePolicyAsync()
    {
        _h.Publish("id1", ResolverHarness.Policy("enforce"));
        var first = await _h.ResolveAsync();
        Assert.Equal(PolicySource.Fetched, first.Source);
        Assert.Empty(_downgrades);
    }

    private void AssertCounted(string kind) =>
        Assert.Contains(_metric.GetMeasurementSnapshot(), m => (string?)m.Tags["mtasts.downgrade.kind"] == kind && m.Value == 1);
}
