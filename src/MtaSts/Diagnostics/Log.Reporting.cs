using Microsoft.Extensions.Logging;

namespace MtaSts.Diagnostics;

/// <summary>Log messages of TLS-RPT recording: the <c>_smtp._tls</c> lookup, the recorder and its flushes (event ids 860–879).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 860, EventName = "TlsRptRecordLookup", Level = LogLevel.Debug,
        Message = "TLS-RPT record of {ReportDomain}: {Status} {Problem}")]
    internal static partial void TlsRptRecordLookup(ILogger logger, string reportDomain, TlsRptRecordStatus status, string problem);

    [LoggerMessage(EventId = 861, EventName = "TlsReportFlushed", Level = LogLevel.Debug,
        Message = "Flushed TLS-RPT counts of {Reports} day reports ({Sessions} sessions) to the report store; {Dropped} dropped (no TLS-RPT record)")]
    internal static partial void TlsReportFlushed(ILogger logger, int reports, long sessions, int dropped);

    [LoggerMessage(EventId = 862, EventName = "TlsReportFlushFailed", Level = LogLevel.Warning,
        Message = "The report store did not take the TLS-RPT counts of {ReportDomain} ({Problem}); they stay in memory for the next flush")]
    internal static partial void TlsReportFlushFailed(ILogger logger, string reportDomain, string problem);

    [LoggerMessage(EventId = 863, EventName = "TlsReportCountsDropped", Level = LogLevel.Debug,
        Message = "TLS-RPT counts of {ReportDomain} dropped: it publishes no usable TLS-RPT record ({Status}, decision R-10)")]
    internal static partial void TlsReportCountsDropped(ILogger logger, string reportDomain, TlsRptRecordStatus status);

    [LoggerMessage(EventId = 864, EventName = "TlsReportPendingLimit", Level = LogLevel.Warning,
        Message = "TLS-RPT recording is over its limit of {Limit} pending report domains (the report store is not taking counts); new sessions are not counted until a flush succeeds")]
    internal static partial void TlsReportPendingLimit(ILogger logger, int limit);
}
