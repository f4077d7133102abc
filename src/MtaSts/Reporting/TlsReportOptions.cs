namespace MtaSts;

/// <summary>What goes into every report, and how reports are cut (RFC 8460 §4.4; decisions ).</summary>
public sealed class TlsReportOptions
{
    /// <summary>The default <see cref="MaxReportBytes"/>: 5 MiB before compression (decision R-7).</summary>
    public const int DefaultMaxReportBytes = 5 * 1024 * 1024;

    /// <summary>The <c>organization-name</c>: who sends the reports. Required (decision R-11).</summary>
    public string? OrganizationName { get; set; }

    /// <summary>
    /// The <c>contact-info</c>: an e-mail address (RFC 5322 addr-spec) for questions about the reports. Required (decision R-11);
    /// the e-mail <c>TLS-Report-Submitter</c> is its domain.
    /// </summary>
    public string? ContactInfo { get; set; }

    /// <summary>
    /// The submitter: the sending domain named in report file names (RFC 8460 §5.1) and Report-IDs (decision R-14), and
    /// in the e-mail <c>TLS-Report-Submitter</c>. Required; it should be the domain of <see cref="ContactInfo"/>.
    /// </summary>
    public string? Submitter { get; set; }

    /// <summary>Whether a report whose sessions all succeeded is built (decision R-3: they tell the domain that TLS works).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool SendSuccessOnlyReports { get; set; } = true;

    /// <summary>
    /// The largest report, in bytes of JSON before compression; a larger one is split into parts with their own report-ids,
    /// whose counts add up to the true totals (decision R-7).
    /// </summary>
    /// <value>The default is <see cref="DefaultMaxReportBytes"/> (5 MiB). At least 4096.</value>
    public int MaxReportBytes { get; set; } = DefaultMaxReportBytes;
}
