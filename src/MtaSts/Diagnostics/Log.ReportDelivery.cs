using Microsoft.Extensions.Logging;

namespace MtaSts.Diagnostics;

/// <summary>Log messages of TLS-RPT report delivery: POSTs, e-mails, retries (event ids 880–889).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 880, EventName = "TlsReportDelivered", Level = LogLevel.Information,
        Message = "TLS-RPT report {ReportId} for {ReportDomain} delivered to {Endpoint} ({Method}, try {Tries})")]
    internal static partial void TlsReportDelivered(ILogger logger, string reportId, string reportDomain, string endpoint, TlsReportDeliveryMethod method, int tries);

    [LoggerMessage(EventId = 881, EventName = "TlsReportDeliveryRetrying", Level = LogLevel.Information,
        Message = "TLS-RPT report {ReportId}: try {Try} at {Endpoint} failed ({ReasonCode}: {Detail}); trying again in {DelayMs} ms")]
    internal static partial void TlsReportDeliveryRetrying(ILogger logger, string reportId, int @try, string endpoint, string reasonCode, string detail, long delayMs);

    [LoggerMessage(EventId = 882, EventName = "TlsReportDeliveryFailed", Level = LogLevel.Warning,
        Message = "TLS-RPT report {ReportId} for {ReportDomain} not delivered to {Endpoint} after {Tries} tries: {ReasonCode} ({Detail})")]
    internal static partial void TlsReportDeliveryFailed(ILogger logger, string reportId, string reportDomain, string endpoint, int tries, string reasonCode, string detail);

    [LoggerMessage(EventId = 883, EventName = "TlsReportDeliverySkipped", Level = LogLevel.Information,
        Message = "TLS-RPT report {ReportId} for {ReportDomain} not sent to {Endpoint}: {ReasonCode}")]
    internal static partial void TlsReportDeliverySkipped(ILogger logger, string reportId, string reportDomain, string endpoint, string reasonCode);

    [LoggerMessage(EventId = 884, EventName = "TlsReportNotDelivered", Level = LogLevel.Warning,
        Message = "TLS-RPT report {ReportId} for {ReportDomain} was accepted by none of its {Endpoints} endpoints")]
    internal static partial void TlsReportNotDelivered(ILogger logger, string reportId, string reportDomain, int endpoints);
}
