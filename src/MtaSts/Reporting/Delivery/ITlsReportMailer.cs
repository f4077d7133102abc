namespace MtaSts;

/// <summary>
/// Sends a report by e-mail (RFC 8460 §5.3) to the addresses of a <c>mailto:</c> endpoint: builds the message and hands
/// it to a mail server. The core library has no mail client; the <c>MtaSts.MailKit</c> package has one
/// (<c>MailKitTlsReportMailer</c>) and the message builder (<c>TlsReportMail</c>) for writing others.
/// </summary>
/// <remarks>
/// An implementation must send the message with <c>TLS-Required: No</c> (RFC 8689) and must not apply MTA-STS or DANE to
/// it (RFC 8460 §5.3, RPT-5.3-d, decision R-13), and its session must not be recorded for a later report.
/// </remarks>
public interface ITlsReportMailer
{
    /// <summary>Sends <paramref name="report"/> to <paramref name="recipients"/> in one message.</summary>
    /// <param name="report">The report; its gzip form is the attachment.</param>
    /// <param name="recipients">The addresses (addr-spec, already percent-decoded and checked) of one <c>mailto:</c> URI; at least one.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes once the mail server accepted the message.</returns>
    /// <exception cref="TlsReportDeliveryException">The message was not accepted; its reason code and whether to try again.</exception>
    Task SendAsync(TlsReport report, IReadOnlyList<string> recipients, CancellationToken cancellationToken);
}
