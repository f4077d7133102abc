using System.Globalization;
using System.Text;
using MimeKit;

namespace MtaSts;

/// <summary>
/// Builds the e-mail form of a report (RFC 8460 §5.3): a <c>multipart/report; report-type="tlsrpt"</c> message with a
/// short text part and the gzip report attached as <c>application/tlsrpt+gzip</c> under its RFC 8460 §5.1 file name.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description><c>TLS-Report-Domain</c> is the report domain and <c>TLS-Report-Submitter</c> the domain of the report's
/// <c>contact-info</c>, as RPT-5.3-b requires.</description></item>
/// <item><description>The Subject is <c>Report Domain: &lt;domain&gt; Submitter: &lt;submitter&gt; Report-ID: &lt;id@sender&gt;</c>
/// (RPT-5.3-c), the Report-ID built as decision R-14 says from the report id and <see cref="TlsReport.Submitter"/>.</description></item>
/// <item><description><c>TLS-Required: No</c> (RFC 8689) asks every relay to deliver it even without TLS (decision R-13).</description></item>
/// <item><description><c>Date</c> and <c>Message-ID</c> come from the <see cref="TimeProvider"/>.</description></item>
/// </list>
/// The message is not DKIM-signed here (RPT-3-i): sign it with MimeKit's <c>DkimSigner</c> or at the relay.
/// </remarks>
public static class TlsReportMail
{
    /// <summary>The <c>report-type</c> of the multipart/report (RFC 8460 §5.3).</summary>
    public const string ReportType = "tlsrpt";

    /// <summary>Builds the message.</summary>
    /// <param name="report">The report.</param>
    /// <param name="from">The author (<c>From</c>) and envelope sender.</param>
    /// <param name="to">The recipients, from the <c>mailto:</c> URI; at least one.</param>
    /// <param name="timeProvider">The clock for <c>Date</c> and <c>Message-ID</c>; the system's when <see langword="null"/>.</param>
    /// <returns>A new message.</returns>
    /// <exception cref="ArgumentException"><paramref name="to"/> is empty.</exception>
    public static MimeMessage Create(TlsReport report, MailboxAddress from, IEnumerable<MailboxAddress> to, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var recipients = to.ToList();
        if (recipients.Count == 0)
        {
            throw new ArgumentException("A report message needs at least one recipient.", nameof(to));
        }

        var now = (timeProvider ?? TimeProvider.System).GetUtcNow();
        var submitter = SubmitterDomain(report);
        var message = new MimeMessage();
        message.From.Add(from);
        message.To.AddRange(recipients);
        message.Date = now;
        message.MessageId = string.Create(CultureInfo.InvariantCulture, $"{report.ReportId}.{now.ToUnixTimeMilliseconds()}@{report.Submitter}");
        message.Subject = Subject(report);
        message.Headers.Add("TLS-Report-Domain", report.ReportDomain);
        message.Headers.Add("TLS-Report-Submitter", submitter);
        message.Headers.Add("TLS-Required", "No");

        var body = new MultipartReport(ReportType);
        body.Add(TextPart(report, submitter));
        body.Add(new MimePart("application", "tlsrpt+gzip")
        {
            Content = new MimeContent(new MemoryStream(report.ToGzip(), writable: false)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = report.FileName,
        });
        message.Body = body;
        return message;
    }

    /// <summary>The Subject of RPT-5.3-c: <c>Report Domain: &lt;domain&gt; Submitter: &lt;submitter&gt; Report-ID: &lt;id&gt;</c>.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The subject line.</returns>
    public static string Subject(TlsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return $"Report Domain: {report.ReportDomain} Submitter: {SubmitterDomain(report)} Report-ID: <{MessageReportId(report)}>";
    }

    /// <summary>The Report-ID of the Subject, without angle brackets (decision R-14): <c>id@submitter</c>, or the id as is when it holds an <c>@</c>.</summary>
    /// <param name="report">The report.</param>
    /// <returns>For example <c>3f1c…@mail.example.com</c>.</returns>
    public static string MessageReportId(TlsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.ReportId.Contains('@', StringComparison.Ordinal) ? report.ReportId : report.ReportId + "@" + report.Submitter;
    }

    /// <summary>The <c>TLS-Report-Submitter</c>: the domain of the report's <c>contact-info</c> (RPT-5.3-b), lower-case.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The domain.</returns>
    public static string SubmitterDomain(TlsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var contact = report.Document.ContactInfo;
        var at = contact.LastIndexOf('@');
        return at >= 0 && at < contact.Length - 1 ? contact[(at + 1)..].ToLowerInvariant() : report.Submitter;
    }

    private static TextPart TextPart(TlsReport report, string submitter)
    {
        var document = report.Document;
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"This is an SMTP TLS report (RFC 8460) for {report.ReportDomain}, from {document.OrganizationName} ({submitter}).\r\n")
            .Append(CultureInfo.InvariantCulture, $"It covers {document.StartDateTime.UtcDateTime:yyyy-MM-dd HH:mm:ss} to {document.EndDateTime.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC: ")
            .Append(CultureInfo.InvariantCulture, $"{document.TotalSuccessfulSessionCount} successful and {document.TotalFailureSessionCount} failed TLS sessions.\r\n")
            .Append(CultureInfo.InvariantCulture, $"Report-ID: {report.ReportId}")
            .Append(report.PartCount > 1 ? string.Create(CultureInfo.InvariantCulture, $" (part {report.Part} of {report.PartCount})") : string.Empty)
            .Append("\r\n")
            .Append(CultureInfo.InvariantCulture, $"The report itself is attached as {report.FileName} ({TlsReport.GzipMediaType}).\r\n")
            .Append(CultureInfo.InvariantCulture, $"Questions: {document.ContactInfo}\r\n")
            .ToString();
        var ascii = text.All(c => c < 0x80);
        var part = new TextPart("plain") { ContentTransferEncoding = ascii ? ContentEncoding.SevenBit : ContentEncoding.QuotedPrintable };
        part.SetText(ascii ? "us-ascii" : "utf-8", text);
        return part;
    }
}
