namespace MtaSts;

/// <summary>The outcome for one report domain and day of <see cref="TlsReportScheduler.SendDayAsync"/>.</summary>
public sealed class TlsReportSendResult
{
    internal TlsReportSendResult(DateOnly day, string reportDomain, TlsReportSendStatus status, IReadOnlyList<TlsReportDeliveryResult>? deliveries = null)
    {
        Day = day;
        ReportDomain = reportDomain;
        Status = status;
        Deliveries = deliveries ?? [];
    }

    /// <summary>The UTC day reported on.</summary>
    public DateOnly Day { get; }

    /// <summary>The report (recipient) domain.</summary>
    public string ReportDomain { get; }

    /// <summary>What happened.</summary>
    public TlsReportSendStatus Status { get; }

    /// <summary>One entry per report part that was handed to delivery, with one attempt per endpoint; empty when nothing was sent.</summary>
    public IReadOnlyList<TlsReportDeliveryResult> Deliveries { get; }

    /// <summary>Whether a later try may change the outcome: a part failed only transiently, or the lookup or store failed.</summary>
    public bool IsTransient => Status switch
    {
        TlsReportSendStatus.NotDelivered => Deliveries.Any(d => !d.Delivered && d.Attempts.Any(a => a.IsTransient)),
        TlsReportSendStatus.RecordLookupFailed or TlsReportSendStatus.StoreFailed => true,
        _ => false,
    };

    /// <inheritdoc/>
    public override string ToString() => $"{Day:yyyy-MM-dd} {ReportDomain}: {Status}";
}
