namespace MtaSts;

/// <summary>The outcome of <see cref="TlsReportSender.SendAsync"/>: one entry per <c>rua</c> endpoint, in the record's order.</summary>
public sealed class TlsReportDeliveryResult
{
    internal TlsReportDeliveryResult(string reportId, IReadOnlyList<TlsReportDeliveryAttempt> attempts)
    {
        ReportId = reportId;
        Attempts = attempts;
    }

    /// <summary>The report's <c>report-id</c>.</summary>
    public string ReportId { get; }

    /// <summary>One entry per endpoint of the record, in order.</summary>
    public IReadOnlyList<TlsReportDeliveryAttempt> Attempts { get; }

    /// <summary>Whether at least one endpoint accepted the report: then it counts as delivered (RPT-3-g, decision R-5).</summary>
    public bool Delivered => Attempts.Any(a => a.Status == TlsReportDeliveryStatus.Delivered);

    /// <inheritdoc/>
    public override string ToString() => $"{ReportId}: {string.Join("; ", Attempts)}";
}
