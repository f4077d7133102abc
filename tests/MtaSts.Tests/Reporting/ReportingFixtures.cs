using System.Net;

namespace MtaSts.Tests.Reporting;

/// <summary>Policies, failures and options shared by the reporting tests.</summary>
internal static class ReportingFixtures
{
    public const string PolicyText = "version: STSv1\r\nmode: enforce\r\nmx: mx1.recipient.example\r\nmx: *.backup.recipient.example\r\nmax_age: 604800\r\n";

    public static readonly DateOnly Day = new(2026, 3, 1);

    public static TlsReportOptions Options(int? maxBytes = null, bool successOnly = true) => new()
    {
        OrganizationName = "Sender Example Ltd",
        ContactInfo = "tlsrpt+ops@sender.example",
        Submitter = "mail.sender.example",
        SendSuccessOnlyReports = successOnly,
        MaxReportBytes = maxBytes ?? TlsReportOptions.DefaultMaxReportBytes,
    };

    public static TlsRptPolicy StsPolicy() =>
        TlsRptPolicy.FromMtaStsPolicy("recipient.example", MtaStsPolicyParser.Parse(PolicyText).Policy!);

    public static TlsRptPolicy TlsaPolicy() =>
        TlsRptPolicy.Tlsa("mx.dane.recipient.example", [new TlsaAssociation(3, 1, 1, new byte[32]), new TlsaAssociation(2, 0, 1, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray())]);

    public static TlsRptFailure CertificateExpired(int host = 1) => new(TlsRptResultType.CertificateExpired, TlsRptReasonCodes.CertificateExpired)
    {
        SendingMtaIp = IPAddress.Parse("198.51.100.10"),
        ReceivingMxHostname = $"mx{host}.recipient.example",
        ReceivingMxHelo = $"mx{host}.recipient.example",
        ReceivingIp = IPAddress.Parse($"203.0.113.{host % 250}"),
    };

    /// <summary>A day of mixed results: sts with failures, tlsa with a failure, no-policy-found with successes only.</summary>
    public static TlsReportCounts MixedDay()
    {
        var aggregator = new TlsReportAggregator();
        aggregator.AddSuccess(Day, "recipient.example", StsPolicy(), 100);
        aggregator.AddFailure(Day, "recipient.example", StsPolicy(), CertificateExpired(), 3);
        aggregator.AddFailure(Day, "recipient.example", StsPolicy(), new TlsRptFailure(TlsRptResultType.ValidationFailure, TlsRptReasonCodes.MtaStsPolicyMxMismatch) { ReceivingMxHostname = "mx9.elsewhere.example" });
        aggregator.AddFailure(Day, "recipient.example", TlsaPolicy(), new TlsRptFailure(TlsRptResultType.TlsaInvalid, TlsRptReasonCodes.TlsaNoMatch)
        {
            ReceivingMxHostname = "mx.dane.recipient.example",
            ReceivingIp = IPAddress.Parse("2001:db8::25"),
            SendingMtaIp = IPAddress.Parse("2001:db8:1::10"),
        });
        aggregator.AddSuccess(Day, "recipient.example", TlsRptPolicy.NoPolicyFound("recipient.example"), 2);
        return aggregator.Snapshot(Day, "recipient.example")!;
    }
}
