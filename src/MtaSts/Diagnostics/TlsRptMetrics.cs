using System.Diagnostics.Metrics;

namespace MtaSts.Diagnostics;

/// <summary>The instruments of TLS-RPT recording (meter <see cref="MtaStsTelemetry.MeterName"/>). No domain names in tags.</summary>
internal sealed class TlsRptMetrics : IDisposable
{
    private static readonly KeyValuePair<string, object?> Success = new("mtasts.tlsrpt.result", "success");
    private static readonly KeyValuePair<string, object?> Failure = new("mtasts.tlsrpt.result", "failure");

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _sessions;
    private readonly Counter<long> _flushes;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _reports;

    public TlsRptMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions(MtaStsTelemetry.MeterName) { Version = MtaStsMetrics.Version })
            ?? new Meter(MtaStsTelemetry.MeterName, MtaStsMetrics.Version);
        _sessions = _meter.CreateCounter<long>(MtaStsTelemetry.TlsRptSessions, "{session}", "SMTP sessions recorded for TLS-RPT.");
        _flushes = _meter.CreateCounter<long>(MtaStsTelemetry.TlsRptFlushes, "{report}", "Day reports' counts flushed to the TLS-RPT report store.");
        _deliveries = _meter.CreateCounter<long>(MtaStsTelemetry.TlsRptDeliveries, "{delivery}", "TLS-RPT reports sent to rua endpoints, one count per report and endpoint.");
        _reports = _meter.CreateCounter<long>(MtaStsTelemetry.TlsRptReports, "{report}", "TLS-RPT reports built for sending, each part of a split report counted.");
    }

    /// <summary>Records one session; allocation-free.</summary>
    public void RecordSession(bool success) => _sessions.Add(1, success ? Success : Failure);

    /// <summary>Records reports built for sending.</summary>
    public void RecordReportsBuilt(int parts) => _reports.Add(parts);

    /// <summary>Records the flush of one day report's counts: <c>stored</c>, <c>dropped</c> or <c>failed</c>.</summary>
    public void RecordFlush(string result) => _flushes.Add(1, new KeyValuePair<string, object?>("mtasts.tlsrpt.flush.result", result));

    /// <summary>Records the outcome of one report at one endpoint: method <c>https</c> | <c>mailto</c>, outcome <c>delivered</c> | <c>failed</c> | <c>skipped</c>.</summary>
    public void RecordDelivery(TlsReportDeliveryMethod method, TlsReportDeliveryStatus status)
    {
        if (!_deliveries.Enabled)
        {
            return;
        }

        var methodTag = new KeyValuePair<string, object?>("mtasts.tlsrpt.delivery.method", method == TlsReportDeliveryMethod.Https ? "https" : "mailto");
        var outcome = status switch
        {
            TlsReportDeliveryStatus.Delivered => "delivered",
            TlsReportDeliveryStatus.Skipped => "skipped",
            _ => "failed",
        };
        _deliveries.Add(1, methodTag, new KeyValuePair<string, object?>("mtasts.tlsrpt.delivery.outcome", outcome));
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
