using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace MtaSts.Diagnostics;

/// <summary>The library's instruments. One instance per resolver; with DI the meter comes from <see cref="IMeterFactory"/>.</summary>
internal sealed class MtaStsMetrics : IDisposable
{
    internal static readonly ActivitySource ActivitySource = new(MtaStsTelemetry.ActivitySourceName, Version);

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _resolutions;
    private readonly Histogram<double> _resolutionDuration;
    private readonly Counter<long> _fetches;
    private readonly Histogram<double> _fetchDuration;
    private readonly Counter<long> _cacheLookups;
    private readonly Counter<long> _plans;
    private readonly Histogram<double> _planDuration;
    private readonly Counter<long> _storeOperations;
    private readonly Histogram<double> _storeDuration;
    private readonly Counter<long> _downgrades;
    private readonly Counter<long> _refreshes;

    public MtaStsMetrics(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(MtaStsTelemetry.MeterName, Version);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(new MeterOptions(MtaStsTelemetry.MeterName) { Version = Version });
        }

        _resolutions = _meter.CreateCounter<long>(MtaStsTelemetry.Resolutions, "{resolution}", "MTA-STS resolutions.");
        _resolutionDuration = _meter.CreateHistogram<double>(MtaStsTelemetry.ResolutionDuration, "s", "Duration of MTA-STS resolutions.");
        _fetches = _meter.CreateCounter<long>(MtaStsTelemetry.PolicyFetches, "{fetch}", "HTTPS policy fetches.");
        _fetchDuration = _meter.CreateHistogram<double>(MtaStsTelemetry.PolicyFetchDuration, "s", "Duration of HTTPS policy fetches.");
        _cacheLookups = _meter.CreateCounter<long>(MtaStsTelemetry.CacheLookups, "{lookup}", "Policy cache lookups.");
        _plans = _meter.CreateCounter<long>(MtaStsTelemetry.DeliveryPlans, "{plan}", "Delivery plans.");
        _planDuration = _meter.CreateHistogram<double>(MtaStsTelemetry.DeliveryPlanDuration, "s", "Duration of delivery planning.");
        _storeOperations = _meter.CreateCounter<long>(MtaStsTelemetry.StoreOperations, "{operation}", "Policy store operations.");
        _storeDuration = _meter.CreateHistogram<double>(MtaStsTelemetry.StoreOperationDuration, "s", "Duration of policy store operations.");
        _downgrades = _meter.CreateCounter<long>(MtaStsTelemetry.PolicyDowngrades, "{downgrade}", "MTA-STS downgrade signals.");
        _refreshes = _meter.CreateCounter<long>(MtaStsTelemetry.PolicyRefreshes, "{refresh}", "MTA-STS policy refreshes.");
    }

    internal static string Version { get; } =
        (typeof(MtaStsMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
        .Split('+')[0];

    /// <summary>Records one finished resolution. Allocation-free for the constant tag strings used here.</summary>
    public void RecordResolution(MtaStsOutcome outcome, PolicySource source, MtaStsFailure failure, TimeSpan elapsed)
    {
        if (!_resolutions.Enabled && !_resolutionDuration.Enabled)
        {
            return; // no listener: build no tags
        }

        var outcomeTag = new KeyValuePair<string, object?>("mtasts.outcome", outcome.ToToken());
        var sourceTag = new KeyValuePair<string, object?>("mtasts.policy.source", source.ToToken());
        var errorTag = new KeyValuePair<string, object?>("error.type", FailureName(failure));
        if (_resolutions.Enabled)
        {
            _resolutions.Add(1, outcomeTag, sourceTag, errorTag);
        }

        if (_resolutionDuration.Enabled)
        {
            _resolutionDuration.Record(elapsed.TotalSeconds, outcomeTag, sourceTag, errorTag);
        }
    }

    /// <summary>Records one HTTPS policy fetch.</summary>
    public void RecordFetch(MtaStsFailure failure, int? httpStatus, TimeSpan elapsed)
    {
        var resultTag = new KeyValuePair<string, object?>("mtasts.fetch.result", failure == MtaStsFailure.None ? "success" : FailureName(failure));
        var statusTag = new KeyValuePair<string, object?>("http.response.status_code", httpStatus);
        _fetches.Add(1, resultTag, statusTag);
        _fetchDuration.Record(elapsed.TotalSeconds, resultTag, statusTag);
    }

    /// <summary>Records one cache lookup: <c>hit</c>, <c>miss</c> or <c>stale</c>.</summary>
    public void RecordCacheLookup(string result)
    {
        if (_cacheLookups.Enabled)
        {
            _cacheLookups.Add(1, new KeyValuePair<string, object?>("mtasts.cache.result", result));
        }
    }

    /// <summary>Whether anyone listens to resolution durations: without a listener the warm path reads no monotonic clock.</summary>
    public bool TimesResolutions => _resolutionDuration.Enabled;

    /// <summary>Whether anyone listens to plan durations.</summary>
    public bool TimesPlans => _planDuration.Enabled;

    /// <summary>Records one policy store operation (<c>get</c>, <c>set</c>, <c>remove</c>) and how it ended.</summary>
    public void RecordStoreOperation(string operation, string result, TimeSpan elapsed)
    {
        var operationTag = new KeyValuePair<string, object?>("mtasts.store.operation", operation);
        var resultTag = new KeyValuePair<string, object?>("mtasts.store.result", result);
        _storeOperations.Add(1, operationTag, resultTag);
        _storeDuration.Record(elapsed.TotalSeconds, operationTag, resultTag);
    }

    /// <summary>Records the downgrade signals of one resolution, one count per kind.</summary>
    public void RecordDowngrade(PolicyDowngradeKind kinds)
    {
        foreach (var (kind, name) in DowngradeNames)
        {
            if ((kinds & kind) != 0)
            {
                _downgrades.Add(1, new KeyValuePair<string, object?>("mtasts.downgrade.kind", name));
            }
        }
    }

    /// <summary>Records one refresh of a cached policy (same id fetched again).</summary>
    public void RecordRefresh(bool success) =>
        _refreshes.Add(1, new KeyValuePair<string, object?>("mtasts.refresh.result", success ? "success" : "failure"));

    /// <summary>The metric and log names of the downgrade kinds.</summary>
    internal static readonly (PolicyDowngradeKind Kind, string Name)[] DowngradeNames =
    [
        (PolicyDowngradeKind.ModeWeakened, "mode-weakened"),
        (PolicyDowngradeKind.MxPatternsChanged, "mx-patterns-changed"),
        (PolicyDowngradeKind.MaxAgeReduced, "max-age-reduced"),
        (PolicyDowngradeKind.RecordRemoved, "record-removed"),
        (PolicyDowngradeKind.AppliedAfterFailure, "applied-after-failure"),
    ];

    /// <summary>The downgrade kinds as a comma-separated list of their names.</summary>
    internal static string DowngradeText(PolicyDowngradeKind kinds) =>
        string.Join(", ", DowngradeNames.Where(pair => (kinds & pair.Kind) != 0).Select(pair => pair.Name));

    /// <summary>Records one delivery plan. Allocation-free (constant tag strings); no domain or host names as tags.</summary>
    public void RecordPlan(DeliveryPlanStatus status, bool fromMemory, TimeSpan elapsed)
    {
        if (!_plans.Enabled && !_planDuration.Enabled)
        {
            return; // no listener: build no tags
        }

        var statusTag = new KeyValuePair<string, object?>("mtasts.plan.status", status.ToToken());
        var cacheTag = new KeyValuePair<string, object?>("mtasts.plan.cache", fromMemory ? "hit" : "miss");
        if (_plans.Enabled)
        {
            _plans.Add(1, statusTag, cacheTag);
        }

        if (_planDuration.Enabled)
        {
            _planDuration.Record(elapsed.TotalSeconds, statusTag, cacheTag);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    internal static string? FailureName(MtaStsFailure failure) => failure == MtaStsFailure.None ? null : failure.ToToken();
}
