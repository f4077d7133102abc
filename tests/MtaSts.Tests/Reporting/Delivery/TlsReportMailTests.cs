using System.IO.Compression;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using MtaSts.Reporting;
using static MtaSts.Tests.Reporting.ReportingFixtures;

namespace MtaSts.Tests.Reporting.Delivery;

public class TlsReportMailTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 3, 4, 5, TimeSpan.Zero);

    private static TlsReport Report() => Assert.Single(new TlsReportBuilder(Options()).Build(MixedDay()));

    /// <summary>Builds the message, writes it as it goes on the wire and parses it back.</summary>
    private static (MimeMessage Parsed, TlsReport Report) RoundTrip()
    {
        var report = Report();
        var message = TlsReportMail.Create(
            report,
            new MailboxAddress("TLS reports", "tlsrpt@sender.example"),
            [MailboxAddress.Parse("tlsrpt@recipient.example")],
            new FakeTimeProvider(Now));
        using var wire = new MemoryStream();
        message.WriteTo(FormatOptions.Default, wire);
        wire.Position = 0;
        return (MimeMessage.Load(wire), report);
    }

    [Fact]
    public void RPT_5_3_a_Message_IsMultipartReport_TlsrptWithTextAndGzipAttachment()
    {
        var (parsed, report) = RoundTrip();

        var multipart = Assert.IsType<MultipartReport>(parsed.Body);
        Assert.Equal("multipart/report", multipart.ContentType.MimeType);
        Assert.Equal("tlsrpt", multipart.ContentType.Parameters["report-type"]);
        Assert.Equal(2, multipart.Count);

        var text = Assert.IsType<TextPart>(multipart[0]);
        Assert.True(text.IsPlain);
        Assert.Contains(report.ReportDomain, text.Text, StringComparison.Ordinal);
        Assert.Contains(report.ReportId, text.Text, StringComparison.Ordinal);

        var attachment = Assert.IsType<MimePart>(multipart[1]);
        Assert.Equal("application/tlsrpt+gzip", attachment.ContentType.MimeType);
        Assert.Equal(report.FileName, attachment.FileName);
        Assert.True(attachment.IsAttachment);
    }

    [Fact]
    public void RPT_5_2_a_Attachment_GunzipsToTheReport()
    {
        var (parsed, report) = RoundTrip();
        var attachment = Assert.IsType<MimePart>(Assert.IsType<MultipartReport>(parsed.Body)[1]);

        using var decoded = new MemoryStream();
        Assert.NotNull(attachment.Content);
        attachment.Content.DecodeTo(decoded);
        var gzip = decoded.ToArray();
        Assert.Equal(report.ToGzip(), gzip);

        using var json = new MemoryStream();
        using (var gunzip = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress))
        {
            gunzip.CopyTo(json);
        }

        Assert.Equal(report.Json.ToArray(), json.ToArray());
        var read = TlsReportReader.Read(gzip);
        Assert.True(read.IsValid);
        Assert.Equal(report.Json.ToArray(), TlsReportWriter.Serialize(read.Report!));
    }

    [Fact]
    public void RPT_5_3_b_Headers_TlsReportDomain_AndSubmitter_IsTheContactInfoDomain()
    {
        var (parsed, report) = RoundTrip();

        Assert.Equal("recipient.example", parsed.Headers["TLS-Report-Domain"]);
        Assert.Equal(report.ReportDomain, parsed.Headers["TLS-Report-Domain"]);
        Assert.Equal("sender.example", parsed.Headers["TLS-Report-Submitter"]);
        Assert.EndsWith("@" + parsed.Headers["TLS-Report-Submitter"], report.Document.ContactInfo, StringComparison.Ordinal);
    }

    [Fact]
    public void RPT_5_3_c_Subject_FollowsTheAbnf_WithReportIdAtSubmitter()
    {
        var (parsed, report) = RoundTrip();

        Assert.Equal($"Report Domain: recipient.example Submitter: sender.example Report-ID: <{report.ReportId}@mail.sender.example>", parsed.Subject);
        Assert.Matches(@"^Report\s+Domain:\s+\S+\s+Submitter:\s+\S+\s+Report-ID:\s+<[^@<>\s]+@[^@<>\s]+>$", parsed.Subject);
    }

    [Fact]
    public void R_13_TlsRequiredNo_IsSet()
    {
        var (parsed, _) = RoundTrip();
        Assert.Equal("No", parsed.Headers["TLS-Required"]);
    }

    [Fact]
    public void FromToDateAndMessageId_ComeFromTheArguments_AndTheClock()
    {
        var (parsed, report) = RoundTrip();

        var from = Assert.IsType<MailboxAddress>(Assert.Single(parsed.From));
        Assert.Equal("tlsrpt@sender.example", from.Address);
        Assert.Equal("tlsrpt@recipient.example", Assert.IsType<MailboxAddress>(Assert.Single(parsed.To)).Address);
        Assert.Equal(Now, parsed.Date);
        Assert.Equal($"{report.ReportId}.{Now.ToUnixTimeMilliseconds()}@mail.sender.example", parsed.MessageId);
    }

    [Fact]
    public void Create_WithoutRecipients_Throws()
    {
        Assert.Throws<ArgumentException>(() => TlsReportMail.Create(Report(), MailboxAddress.Parse("a@sender.example"), []));
    }

    [Fact]
    public void MailKitOptions_AreValidated()
    {
        Assert.Throws<ArgumentException>(() => new MailKitTlsReportMailer(new MailKitTlsReportMailerOptions()));
        Assert.Throws<ArgumentException>(() => new MailKitTlsReportMailer(new MailKitTlsReportMailerOptions { Host = "relay.example", UserName = "u" }));
        Assert.Throws<ArgumentException>(() => new MailKitTlsReportMailer(new MailKitTlsReportMailerOptions { Host = "relay.example", From = "not an address" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MailKitTlsReportMailer(new MailKitTlsReportMailerOptions { Host = "relay.example", Port = 0 }));
    }

    [Fact]
    public void MailKitMailer_ClassifiesSmtpFailures_WithStableCodes()
    {
        var rejected = MailKitTlsReportMailer.Classify(new MailKit.Net.Smtp.SmtpCommandException(MailKit.Net.Smtp.SmtpErrorCode.RecipientNotAccepted, MailKit.Net.Smtp.SmtpStatusCode.MailboxUnavailable, "no"), "Send");
        Assert.Equal("mail-recipient-rejected", rejected!.ReasonCode);
        Assert.False(rejected.IsTransient);

        var busy = MailKitTlsReportMailer.Classify(new MailKit.Net.Smtp.SmtpCommandException(MailKit.Net.Smtp.SmtpErrorCode.MessageNotAccepted, MailKit.Net.Smtp.SmtpStatusCode.MailboxBusy, "later"), "Send");
        Assert.Equal("mail-message-rejected", busy!.ReasonCode);
        Assert.True(busy.IsTransient);

        var refused = MailKitTlsReportMailer.Classify(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused), "Connect");
        Assert.Equal("mail-connect-failed", refused!.ReasonCode);
        Assert.True(refused.IsTransient);
    }
}
