using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MtaSts.Diagnostics;

namespace MtaSts.Caching;

/// <summary>
/// Turns a cache verdict into what operators see: the log message of its step, the refresh and downgrade counters, the
/// activity event, and the <see cref="MtaStsEvents"/> (a throwing handler is logged, never passed on).
/// </summary>
internal sealed class CacheVerdictReporter
{
    private readonly object _sender;
    private readonly ILogger _logger;
    private readonly MtaStsMetrics _metrics;
    private readonly MtaStsEvents _events;

    public CacheVerdictReporter(object sender, ILogger logger, MtaStsMetrics metrics, MtaStsEvents events)
    {
        _sender = sender;
        _logger = logger;
        _metrics = metrics;
        _events = events;
    }

    /// <summary>Logs the step, counts refreshes and downgrades, and raises the events.</summary>
    public void Report(string domain, CacheVerdict verdict)
    {
        var result = verdict.Resolution;
        var previous = verdict.Previous;
        var record = verdict.Record;
        var backoff = verdict.Next?.Backoff;
        var failureText = FailureText(result.Failure);
        switch (verdict.Step)
        {
            case CacheStep.Fetched:
            case CacheStep.FetchedNotCached:
                Log.PolicyFetched(_logger, domain, record!.Id, result.Policy!.Mode, result.Policy.MaxAgeSeconds);
                if (previous is not null && (!string.Equals(previous.Record.Id, record.Id, StringComparison.Ordinal) || previous.Policy.Mode != result.Policy.Mode))
                {
                    Log.PolicyChanged(_logger, domain, previous.Record.Id, previous.Policy.Mode, record.Id, result.Policy.Mode);
                }

                if (verdict.Step == CacheStep.FetchedNotCached)
                {
                    Log.PolicyNotCached(_logger, domain, record.Id);
                }

                if (previous is not null && string.Equals(previous.Record.Id, record.Id, StringComparison.Ordinal))
                {
                    _metrics.RecordRefresh(success: true);
                }

                break;
            case CacheStep.RefreshFailed:
                if (previous!.Policy.Mode == MtaStsMode.None)
                {
                    Log.RefreshFailedModeNone(_logger, domain, record!.Id, failureText, result.Evidence!.Message, backoff!.Until);
                }
                else
                {
                    Log.RefreshFailed(_logger, domain, record!.Id, failureText, result.Evidence!.Message, previous.Policy.Mode, previous.ExpiresAt, backoff!.Until);
                    Raise(nameof(MtaStsEvents.RefreshFailed), _events.HasRefreshFailedHandlers, () =>
                        _events.OnRefreshFailed(_sender, new PolicyRefreshFailedEventArgs { Domain = domain, Resolution = result }));
                }

                _metrics.RecordRefresh(success: false);
                break;
            case CacheStep.FetchFailedCachedApplied:
                if (previous!.Policy.Mode == MtaStsMode.None)
                {
                    Log.FetchFailedCachedModeNone(_logger, domain, record!.Id, failureText, result.Evidence!.Message, previous.Record.Id, backoff!.Until);
                }
                else
                {
                    Log.FetchFailedCachedPolicyApplied(_logger, domain, record!.Id, failureText, result.Evidence!.Message, previous.Policy.Mode, previous.Record.Id, previous.ExpiresAt, backoff!.Until);
                }

                break;
            case CacheStep.FetchFailedNothingCached:
                Log.FetchFailedNothingCached(_logger, domain, record!.Id, failureText, result.Evidence!.Message, backoff!.Until);
                break;
            case CacheStep.BackoffActive:
                Log.FetchBackoffActive(_logger, domain, record!.Id, backoff!.Until, backoff.Failure);
                break;
            case CacheStep.DiscoveryFailedCachedApplied:
                Log.DiscoveryFailedCachedPolicyApplied(_logger, domain, result.Failure, previous!.Policy.Mode, previous.Record.Id, previous.ExpiresAt);
                break;
            case CacheStep.DnsFailureNothingCached:
                Log.DnsFailureNothingCached(_logger, domain, result.Evidence!.Message);
                break;
            case CacheStep.NoPolicy:
                Log.NoPolicy(_logger, domain, result.Failure);
                break;
        }

        if (verdict.Downgrade != PolicyDowngradeKind.None)
        {
            ReportDowngrade(domain, verdict);
        }
    }

    private void ReportDowngrade(string domain, CacheVerdict verdict)
    {
        var kinds = verdict.Downgrade;
        _metrics.RecordDowngrade(kinds);
        var previous = verdict.Previous;
        var kindText = MtaStsMetrics.DowngradeText(kinds);
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            var before = previous is null ? "nothing cached" : $"{previous.Policy} (id {previous.Record.Id})";
            var now = verdict.Resolution.ToString();
            Log.DowngradeDetected(_logger, domain, kindText, before, now);
        }

        Activity.Current?.AddEvent(new ActivityEvent(MtaStsTelemetry.DowngradeEventName, tags: new ActivityTagsCollection { ["mtasts.downgrade.kind"] = kindText }));
        Raise(nameof(MtaStsEvents.DowngradeDetected), _events.HasDowngradeHandlers, () => _events.OnDowngradeDetected(_sender, new PolicyDowngradeEventArgs
        {
            Domain = domain,
            Kind = kinds,
            PreviousPolicy = previous?.Policy,
            PreviousRecord = previous?.Record,
            Resolution = verdict.Resolution,
        }));
    }

    private void Raise(string eventName, bool hasHandlers, Action raise)
    {
        if (!hasHandlers)
        {
            return;
        }

        try
        {
            raise();
        }
#pragma warning disable CA1031 // An event handler must never break a resolution.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Log.EventHandlerFailed(_logger, eventName, exception);
        }
    }

    private static string FailureText(MtaStsFailure failure) => MtaStsResolution.GetReportResultType(failure) ?? MtaStsMetrics.FailureName(failure) ?? "none";
}
