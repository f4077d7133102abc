using Microsoft.Extensions.Logging;

namespace MtaSts.Diagnostics;

/// <summary>Log messages of TLS-RPT report delivery: POSTs, e-mails, retries and their scheduling (event ids 880–889).</summary>
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

    [LoggerMessage(EventId = 885, EventName = "TlsReportDayScheduled", Level = LogLevel.Information,
        Message = "TLS-RPT reports of {Day} are due at {Due}")]
    internal static partial void TlsReportDayScheduled(ILogger logger, DateOnly day, DateTimeOffset due);

    [LoggerMessage(EventId = 886, EventName = "TlsReportDomainSent", Level = LogLevel.Information,
        Message = "TLS-RPT reports of {Day} for {ReportDomain}: {Status}")]
    internal static partial void TlsReportDomainSent(ILogger logger, DateOnly day, string reportDomain, TlsReportSendStatus status);

    [LoggerMessage(EventId = 887, EventName = "TlsReportGaveUp", Level = LogLevel.Warning,
        Message = "TLS-RPT reports of {Day} for {ReportDomain} are given up after the retry window: {Status}")]
    internal static partial void TlsReportGaveUp(ILogger logger, DateOnly day, string reportDomain, TlsReportSendStatus status);

    [LoggerMessage(EventId = 888, EventName = "TlsReportStoreFailed", Level = LogLevel.Warning,
        Message = "The TLS-RPT report store failed while sending the reports for {ReportDomain} ({ExceptionType}); a later try starts over")]
    internal static partial void TlsReportStoreFailed(ILogger logger, string reportDomain, Type exceptionType);

    [LoggerMessage(EventId = 889, EventName = "TlsReportDayFailed", Level = LogLevel.Error,
        Message = "Sending the TLS-RPT reports of {Day} failed")]
    internal static partial void TlsReportDayFailed(ILogger logger, DateOnly day, Exception exception);
}
