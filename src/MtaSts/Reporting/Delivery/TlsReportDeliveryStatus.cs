namespace MtaSts;

/// <summary>What became of a report at one <c>rua</c> endpoint.</summary>
public enum TlsReportDeliveryStatus
{
    /// <summary>The endpoint accepted the report: a 2xx answer to the POST (decision R-4), or the mail server took the message.</summary>
    Delivered,

    /// <summary>Every try failed; <see cref="TlsReportDeliveryAttempt.ReasonCode"/> says why.</summary>
    Failed,

    /// <summary>Not tried, e.g. a <c>mailto:</c> endpoint when no <see cref="ITlsReportMailer"/> is configured.</summary>
    Skipped,
}
