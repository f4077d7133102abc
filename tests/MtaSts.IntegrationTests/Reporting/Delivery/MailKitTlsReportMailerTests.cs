using Microsoft.Extensions.Time.Testing;
using MimeKit;
using MtaSts.Reporting;
using MtaSts.IntegrationTests.Testing;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Reporting.Delivery;

/// <summary>RFC 8460 §5.3 end to end: the MailKit mailer submits the report message to a loopback relay over STARTTLS with AUTH.</summary>
public class MailKitTlsReportMailerTests(SmtpServerFixture fixture) : IClassFixture<SmtpServerFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 4, 0, 0, TimeSpan.Zero);

    private static TlsReport Report()
    {
        var aggregator = new TlsReportAggregator();
        var day = new DateOnly(2026, 3, 1);
        aggregator.AddSuccess(day, "recipient.example", TlsRptPolicy.NoPolicyFound("recipient.example"), 7);
        var options = new TlsReportOptions { OrganizationName = "Sender Example", ContactInfo = "tlsrpt@sender.example", Submitter = "mail.sender.example" };
        return Assert.Single(new TlsReportBuilder(options).Build(aggregator.Snapshot(day, "recipient.example")!));
    }

    private static string UniqueRelay() => $"relay-{Guid.NewGuid():N}.sender.example";

    private MailKitTlsReportMailer Mailer(string relay, SmtpHostBehavior? behavior = null, bool trustKit = true, bool auth = true)
    {
        var address = fixture.Server.AddHost(relay, behavior);
        var options = new MailKitTlsReportMailerOptions
        {
            Host = relay,
            Port = fixture.Server.Port,
            UserName = auth ? "reporter" : null,
            Password = auth ? "secret" : null,
            From = "TLS reports <tlsrpt@sender.example>",
            LocalDomain = "mail.sender.example",
            Timeout = TimeSpan.FromSeconds(10),
            ConnectAddress = address,
        };
        if (trustKit)
        {
            options.AdditionalTrustedRoots.Add(fixture.Authority.RootCertificate);
        }

        return new MailKitTlsReportMailer(options, new FakeTimeProvider(Now));
    }

    [Fact]
    public async Task RPT_5_3_a_MessageArrives_OverStartTls_WithAuth_ByteExact_WithEveryHeader()
    {
        var relay = UniqueRelay();
        var mailer = Mailer(relay);
        var report = Report();

        await mailer.SendAsync(report, ["tlsrpt@recipient.example"], CancellationToken.None);

        var received = await fixture.Server.WaitForMessageAsync(TimeSpan.FromSeconds(10), m => m.Host == relay);
        Assert.True(received.Tls);
        Assert.Equal("reporter", received.AuthUser);
        Assert.Equal("tlsrpt@sender.example", received.MailFrom);
        Assert.Equal(["tlsrpt@recipient.example"], received.Recipients);
        var session = fixture.Server.Sessions.Single(s => s.Id == received.SessionId);
        Assert.True(session.StartTls);
        Assert.Equal(relay, session.Sni);
        Assert.Equal("mail.sender.example", session.EhloName);

        // Byte-exact: what the relay stored is the message the mailer built, as MIME with CRLF line ends.
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        using var expected = new MemoryStream();
        mailer.LastMessage!.WriteTo(format, expected);
        var sent = expected.ToArray();
        Assert.Equal(sent, received.Data.AsSpan(0, sent.Length).ToArray());
        Assert.True(received.Data.Length - sent.Length <= 2, "at most the final CRLF is added");

        var parsed = MimeMessage.Load(new MemoryStream(received.Data));
        Assert.Equal("recipient.example", parsed.Headers["TLS-Report-Domain"]);
        Assert.Equal("sender.example", parsed.Headers["TLS-Report-Submitter"]);
        Assert.Equal("No", parsed.Headers["TLS-Required"]);
        Assert.Equal($"Report Domain: recipient.example Submitter: sender.example Report-ID: <{report.ReportId}@mail.sender.example>", parsed.Subject);
        Assert.Equal(Now, parsed.Date);
        Assert.Equal("tlsrpt@sender.example", Assert.IsType<MailboxAddress>(Assert.Single(parsed.From)).Address);
        Assert.Equal("tlsrpt@recipient.example", Assert.IsType<MailboxAddress>(Assert.Single(parsed.To)).Address);
        var multipart = Assert.IsType<MultipartReport>(parsed.Body);
        Assert.Equal("tlsrpt", multipart.ReportType);
        var attachment = Assert.IsType<MimePart>(multipart[1]);
        Assert.Equal(TlsReport.GzipMediaType, attachment.ContentType.MimeType);
        Assert.Equal(report.FileName, attachment.FileName);
        using var gzip = new MemoryStream();
        attachment.Content!.DecodeTo(gzip);
        var read = TlsReportReader.Read(gzip.ToArray());
        Assert.True(read.IsValid);
        Assert.Equal(report.Json.ToArray(), TlsReportWriter.Serialize(read.Report!));
    }

    [Fact]
    public async Task RPT_3_i_TlsReportSender_DeliversMailto_ThroughTheMailKitMailer()
    {
        var relay = UniqueRelay();
        using var sender = new TlsReportSender(new TlsReportDeliveryOptions { MaxAttempts = 1 }, Mailer(relay));
        var report = Report();

        var result = await sender.SendAsync(report, new TlsRptRecord([new Uri("mailto:tls%2Brpt@recipient.example")], "v=TLSRPTv1; rua=mailto:tls%2Brpt@recipient.example"));

        var attempt = Assert.Single(result.Attempts);
        Assert.Equal(TlsReportDeliveryStatus.Delivered, attempt.Status);
        Assert.Equal(TlsReportDeliveryMethod.Mailto, attempt.Method);
        var received = await fixture.Server.WaitForMessageAsync(TimeSpan.FromSeconds(10), m => m.Host == relay);
        Assert.Equal(["tls+rpt@recipient.example"], received.Recipients);
    }

    [Fact]
    public async Task RelayWithoutStartTls_IsRefused_NothingSentInClear()
    {
        var relay = UniqueRelay();
        var mailer = Mailer(relay, new SmtpHostBehavior { OfferStartTls = false }, auth: false);

        var failure = await Assert.ThrowsAsync<TlsReportDeliveryException>(() => mailer.SendAsync(Report(), ["tlsrpt@recipient.example"], CancellationToken.None));

        Assert.Equal("mail-starttls-unavailable", failure.ReasonCode);
        Assert.False(failure.IsTransient);
        Assert.DoesNotContain(fixture.Server.Messages, m => m.Host == relay);
    }

    [Theory]
    [InlineData(TestCertificateKind.Untrusted, true)]
    [InlineData(TestCertificateKind.Valid, false)]
    [InlineData(TestCertificateKind.WrongName, true)]
    public async Task RelayCertificateNotTrusted_IsRefused(TestCertificateKind kind, bool trustKit)
    {
        var relay = UniqueRelay();
        var mailer = Mailer(relay, new SmtpHostBehavior { Certificate = kind }, trustKit);

        var failure = await Assert.ThrowsAsync<TlsReportDeliveryException>(() => mailer.SendAsync(Report(), ["tlsrpt@recipient.example"], CancellationToken.None));

        Assert.Equal("mail-tls-failed", failure.ReasonCode);
        Assert.DoesNotContain(fixture.Server.Messages, m => m.Host == relay);
    }

    [Fact]
    public async Task UnreachableRelay_IsTransient_ConnectFailed()
    {
        var options = new MailKitTlsReportMailerOptions
        {
            Host = "relay.sender.example",
            Port = fixture.Server.Port,
            ConnectAddress = System.Net.IPAddress.Parse("127.0.0.254"), // no listener there
            Timeout = TimeSpan.FromSeconds(5),
        };
        var mailer = new MailKitTlsReportMailer(options);

        var failure = await Assert.ThrowsAsync<TlsReportDeliveryException>(() => mailer.SendAsync(Report(), ["tlsrpt@recipient.example"], CancellationToken.None));

        Assert.Equal("mail-connect-failed", failure.ReasonCode);
        Assert.True(failure.IsTransient);
    }

    [Fact(DisplayName = "RFC 8460 §5.3: report mail is not held back by the reported domain's MTA-STS or DANE failures")]
    public async Task RPT_5_3_d_AReportAboutBrokenTls_IsSubmitted_WithTlsRequiredNo_WhatTheDomainsPolicySays()
    {
        // The report says the domain's enforce policy failed (its MX certificate did not match, its TLSA did not match);
        // the relay is no MX of that policy. The mailer submits to the relay all the same: it looks up no MTA-STS
        // policy or TLSA record of the recipient, and asks the relay not to apply them either.
        var aggregator = new TlsReportAggregator();
        var day = new DateOnly(2026, 3, 1);
        var enforce = TlsRptPolicy.Sts("recipient.example", ["version: STSv1", "mode: enforce", "mx: mx.recipient.example", "max_age: 604800"], ["mx.recipient.example"]);
        aggregator.AddFailure(day, "recipient.example", enforce, new TlsRptFailure(TlsRptResultType.CertificateHostMismatch, TlsRptReasonCodes.CertificateNameMismatch) { ReceivingMxHostname = "mx.recipient.example" }, 3);
        aggregator.AddFailure(day, "recipient.example", TlsRptPolicy.Tlsa("mx.recipient.example", [new TlsaAssociation(3, 1, 1, new byte[32])]), new TlsRptFailure(TlsRptResultType.TlsaInvalid, TlsRptReasonCodes.TlsaNoMatch), 2);
        var options = new TlsReportOptions { OrganizationName = "Sender Example", ContactInfo = "tlsrpt@sender.example", Submitter = "mail.sender.example" };
        var report = Assert.Single(new TlsReportBuilder(options).Build(aggregator.Snapshot(day, "recipient.example")!));
        var relay = UniqueRelay();

        await Mailer(relay).SendAsync(report, ["tlsrpt@recipient.example"], CancellationToken.None);

        var received = await fixture.Server.WaitForMessageAsync(TimeSpan.FromSeconds(10), m => m.Host == relay);
        Assert.Equal(["tlsrpt@recipient.example"], received.Recipients);
        Assert.Equal("No", MimeMessage.Load(new MemoryStream(received.Data)).Headers["TLS-Required"]);
    }
}
