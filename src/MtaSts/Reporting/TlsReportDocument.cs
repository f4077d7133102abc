namespace MtaSts;

/// <summary>
/// A TLS-RPT report as data (RFC 8460 §4.4): what <see cref="TlsReportBuilder"/> writes and <see cref="TlsReportReader"/>
/// reads back, also from other senders.
/// </summary>
public sealed class TlsReportDocument
{
    /// <summary>The <c>organization-name</c>.</summary>
    public required string OrganizationName { get; init; }

    /// <summary>The <c>date-range</c>'s <c>start-datetime</c>.</summary>
    public required DateTimeOffset StartDateTime { get; init; }

    /// <summary>The <c>date-range</c>'s <c>end-datetime</c>: <c>T23:59:59Z</c> of the same day in our reports (decision R-1).</summary>
    public required DateTimeOffset EndDateTime { get; init; }

    /// <summary>The <c>contact-info</c>.</summary>
    public required string ContactInfo { get; init; }

    /// <summary>The <c>report-id</c>.</summary>
    public required string ReportId { get; init; }

    /// <summary>The <c>policies</c>.</summary>
    public required IReadOnlyList<TlsReportPolicyResult> Policies { get; init; }

    /// <summary>
    /// The UTC day the report covers, when it covers exactly one: from <c>00:00:00Z</c> to <c>23:59:59Z</c> of that day or
    /// to <c>00:00:00Z</c> of the next (both forms are in use, checklist §4.5 item 3, decision A-18); otherwise
    /// <see langword="null"/>.
    /// </summary>
    public DateOnly? Day
    {
        get
        {
            var start = StartDateTime.UtcDateTime;
            if (start.TimeOfDay != TimeSpan.Zero)
            {
                return null;
            }

            var length = EndDateTime.UtcDateTime - start;
            return length == TimeSpan.FromSeconds(86399) || length == TimeSpan.FromDays(1) ? DateOnly.FromDateTime(start) : null;
        }
    }

    /// <summary>The successful sessions of all policies.</summary>
    public long TotalSuccessfulSessionCount => Policies.Sum(p => p.TotalSuccessfulSessionCount);

    /// <summary>The failed sessions of all policies.</summary>
    public long TotalFailureSessionCount => Policies.Sum(p => p.TotalFailureSessionCount);
}
