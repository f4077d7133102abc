namespace MtaSts;

/// <summary>What became of one report domain's reports for one day (<see cref="TlsReportSendResult.Status"/>).</summary>
public enum TlsReportSendStatus
{
    /// <summary>Every part of the report was accepted by at least one endpoint (RPT-3-g).</summary>
    Delivered = 1,

    /// <summary>At least one part reached no endpoint; <see cref="TlsReportSendResult.IsTransient"/> tells whether another try may help.</summary>
    NotDelivered,

    /// <summary>Another caller (another process or fleet node) had already marked the report as sent: nothing was sent here.</summary>
    AlreadySent,

    /// <summary>The counts make no report (for example successes only while those reports are off, decision R-3): nothing was sent.</summary>
    NothingToReport,

    /// <summary>The domain no longer publishes a usable TLS-RPT record: its counts were dropped, nothing was sent (decision R-10).</summary>
    RecordGone,

    /// <summary>The TLS-RPT record could not be looked up (a DNS failure): nothing was sent or marked; a later try may send.</summary>
    RecordLookupFailed,

    /// <summary>The report store failed for this domain: nothing was sent or marked; a later try may send.</summary>
    StoreFailed,
}
