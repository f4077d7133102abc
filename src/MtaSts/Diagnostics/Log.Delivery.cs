using Microsoft.Extensions.Logging;

namespace MtaSts.Diagnostics;

/// <summary>Log messages of the delivery planner (event ids 700–719).</summary>
internal static partial class Log
{
    internal const int IdPlanServedFromMemory = 700;
    internal const int IdPlanning = 701;
    internal const int IdPlanCompleted = 702;
    internal const int IdHostSkipped = 703;
    internal const int IdDaneOverridesMtaSts = 704;
    internal const int IdPolicyRecheck = 705;
    internal const int IdPolicyRecheckResult = 706;
    internal const int IdPlanDeferred = 707;
    internal const int IdPlanFailed = 708;
    internal const int IdHostsTruncated = 709;

    [LoggerMessage(EventId = IdPlanServedFromMemory, EventName = "PlanServedFromMemory", Level = LogLevel.Trace,
        Message = "Delivery plan for {Domain} served from memory")]
    internal static partial void PlanServedFromMemory(ILogger logger, string domain);

    [LoggerMessage(EventId = IdPlanning, EventName = "Planning", Level = LogLevel.Debug,
        Message = "Planning delivery to {Domain} (MX answer {MxSource})")]
    internal static partial void Planning(ILogger logger, string domain, string mxSource);

    [LoggerMessage(EventId = IdPlanCompleted, EventName = "PlanCompleted", Level = LogLevel.Debug,
        Message = "Delivery plan for {Domain}: {Status}, {UsableCount} of {HostCount} host(s) usable")]
    internal static partial void PlanCompleted(ILogger logger, string domain, DeliveryPlanStatus status, int usableCount, int hostCount);

    [LoggerMessage(EventId = IdHostSkipped, EventName = "HostSkipped", Level = LogLevel.Information,
        Message = "MX host {Host} of {Domain} skipped for now ({ResultType}): {Reason}")]
    internal static partial void HostSkipped(ILogger logger, string host, string domain, string resultType, string reason);

    [LoggerMessage(EventId = IdDaneOverridesMtaSts, EventName = "DaneOverridesMtaSts", Level = LogLevel.Information,
        Message = "MX host {Host} of {Domain} matches none of the MTA-STS {Mode} patterns but is authenticated by DANE, which takes precedence (RequireMtaStsWithDane is off)")]
    internal static partial void DaneOverridesMtaSts(ILogger logger, string host, string domain, MtaStsMode mode);

    [LoggerMessage(EventId = IdPolicyRecheck, EventName = "PolicyRecheck", Level = LogLevel.Information,
        Message = "No MX host of {Domain} passes its MTA-STS enforce policy (id {Id}); checking the TXT record for a newer policy before deferring")]
    internal static partial void PolicyRecheck(ILogger logger, string domain, string? id);

    [LoggerMessage(EventId = IdPolicyRecheckResult, EventName = "PolicyRecheckResult", Level = LogLevel.Information,
        Message = "TXT re-check for {Domain}: {Result} (id {Id})")]
    internal static partial void PolicyRecheckResult(ILogger logger, string domain, string result, string? id);

    [LoggerMessage(EventId = IdPlanDeferred, EventName = "PlanDeferred", Level = LogLevel.Warning,
        Message = "Delivery to {Domain} must be deferred: {Reason}")]
    internal static partial void PlanDeferred(ILogger logger, string domain, string reason);

    [LoggerMessage(EventId = IdPlanFailed, EventName = "PlanFailed", Level = LogLevel.Error,
        Message = "Planning delivery to {Domain} failed unexpectedly")]
    internal static partial void PlanFailed(ILogger logger, string domain, Exception exception);

    [LoggerMessage(EventId = IdHostsTruncated, EventName = "HostsTruncated", Level = LogLevel.Warning,
        Message = "{Domain} lists {HostCount} MX hosts; only the first {Limit} by preference are planned")]
    internal static partial void HostsTruncated(ILogger logger, string domain, int hostCount, int limit);
}
