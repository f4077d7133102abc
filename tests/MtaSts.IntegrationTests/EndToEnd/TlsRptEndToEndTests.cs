using System.Net;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using MtaSts.IntegrationTests.Testing;
using MtaSts.Reporting;
using MtaSts.Testing;
using MtaSts.Tests.Reporting;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>
/// TLS-RPT from the first SMTP session to the delivered report (RFC 8460): domains with DANE, MTA-STS enforce and
/// testing, and no policy are probed over real sockets and recorded; one day later (a fake clock) the scheduler builds
/// the reports, which match the strict schema, read back, and arrive at a loopback HTTPS endpoint and a loopback relay.
/// </summary>
public sealed class TlsRptEndToEndTests(WorldFixture fixture) : IClassFixture<WorldFixture>, IDisposable
{
    private const string ReportPath = "/v1/tlsrpt";

    private static readonly DateTimeOffset Noon = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _store = Path.Combine(Path.GetTempPath(), "mtasts-e2e-tlsrpt-" + Guid.NewGuid().ToString("N"));

    private MtaStsTestWorld World => fixture.World;

    public void Dispose()
    {
        if (Directory.Exists(_store))
        {
            Directory.Delete(_store, recursive: true);
        }
    }

    /// <summary>Publishes <c>_smtp._tls</c> with an HTTPS endpoint on the kit's policy host and returns that endpoint's host.</summary>
    private string PublishHttpsRua(string domain)
    {
        var host = "reports." + domain;
        World.Dns.AddA(host, IPAddress.Loopback);
        World.PolicyHost.SetResponse(host, ReportPath, new PolicyResponse { StatusCode = 202, ContentType = null });
        World.Dns.AddTxt("_smtp._tls." + domain, $"v=TLSRPTv1; rua=https://{host}:{World.PolicyHost.Port}{ReportPath}");
        return host;
    }

    [Fact(DisplayName = "RFC 8460 end to end: probe, record, and one day later build, validate, read back and deliver by HTTPS and mail")]
    public async Task RPT_EndToEnd_ProbedSessions_BecomeTheNextDaysReports_DeliveredByHttpsAndMail()
    {
        var clock = new FakeTimeProvider(Noon);

        // DANE: one MX with a matching 3 1 1 record, no MTA-STS.
        var dane = WorldFixture.UniqueDomain("e2e-dane");
        var daneMx = "mx." + dane;
        World.PublishMxHost(dane, 10, daneMx);
        World.PublishDaneEe(dane, [daneMx]);
        var daneReports = PublishHttpsRua(dane);

        // MTA-STS enforce: the preferred MX has a wrong-name certificate (refused), the second is good.
        var enforce = WorldFixture.UniqueDomain("e2e-enforce");
        var (badMx, goodMx) = ("mx1." + enforce, "mx2." + enforce);
        World.PublishMxHost(enforce, 10, badMx, new SmtpHostBehavior { Certificate = TestCertificateKind.WrongName });
        World.PublishMxHost(enforce, 20, goodMx);
        World.PublishPolicy(enforce, "e1", MtaStsMode.Enforce, 86400, badMx, goodMx);
        var enforceReports = PublishHttpsRua(enforce);

        // MTA-STS testing: an expired certificate is counted as a failure, and the host stays usable (decision R-6).
        var testing = WorldFixture.UniqueDomain("e2e-testing");
        var testingMx = "mx." + testing;
        World.PublishMxHost(testing, 10, testingMx, new SmtpHostBehavior { Certificate = TestCertificateKind.Expired });
        World.PublishPolicy(testing, "t1", MtaStsMode.Testing, 86400, testingMx);
        World.Dns.AddTxt("_smtp._tls." + testing, $"v=TLSRPTv1; rua=mailto:tlsrpt@{testing}");

        // No policy: a good MX, opportunistic TLS.
        var plain = WorldFixture.UniqueDomain("e2e-nopolicy");
        var plainMx = "mx." + plain;
        World.PublishMxHost(plain, 10, plainMx);
        var plainReports = PublishHttpsRua(plain);

        // Day 1, noon: plan and probe every domain through real sockets, and record every session.
        var options = World.CreateOptions();
        var store = new FileTlsReportStore(_store, timeProvider: clock);
        using (var planner = DeliveryPlanner.Create(options, timeProvider: clock))
        {
            await using var recorder = new TlsReportRecorder(store, TlsRptRecordDiscoverer.Create(options, timeProvider: clock), new TlsReportRecorderOptions(), clock);
            var probe = new MxProbe(new MxProbeOptions { Port = World.Smtp.Port, ConnectTimeout = TimeSpan.FromSeconds(3), CommandTimeout = TimeSpan.FromSeconds(5) });
            foreach (var domain in new[] { dane, enforce, testing, plain })
            {
                var plan = await planner.PlanDeliveryAsync(domain);
                var result = await probe.ProbeAsync(plan);
                foreach (var host in result.Hosts)
                {
                    if (TlsSessionFactory.FromProbe(plan, host, options.Dane.RequireMtaSts) is { } session)
                    {
                        recorder.Record(session);
                    }
                }
            }
        } // disposing the recorder flushes it

        // The relay for mailto: reports, and the scheduler on the same store, started before the day ends.
        var relay = $"relay-{Guid.NewGuid():N}.sender.example";
        var mailOptions = new MailKitTlsReportMailerOptions
        {
            Host = relay,
            Port = World.Smtp.Port,
            ConnectAddress = World.Smtp.AddHost(relay),
            From = "tlsrpt@sender.example",
            Timeout = TimeSpan.FromSeconds(10),
        };
        mailOptions.AdditionalTrustedRoots.Add(World.CertificateAuthority.RootCertificate);
        using var sender = TlsReportSender.Create(options, new TlsReportDeliveryOptions { AllowPrivateAddresses = true }, new MailKitTlsReportMailer(mailOptions, clock));
        var reportOptions = new TlsReportOptions { OrganizationName = "Sender Example", ContactInfo = "tlsrpt@sender.example", Submitter = "mail.sender.example" };
        await using var scheduler = new TlsReportScheduler(
            store,
            TlsRptRecordDiscoverer.Create(options, timeProvider: clock),
            sender,
            reportOptions,
            new TlsReportSchedulerOptions { MinSendDelay = TimeSpan.FromMinutes(30), MaxSendDelay = TimeSpan.FromMinutes(30) },
            clock);
        await scheduler.StartAsync(CancellationToken.None);

        // Nothing goes out before the day has ended and the delay has passed.
        clock.Advance(TimeSpan.FromHours(12) + TimeSpan.FromMinutes(29));
        await Task.Delay(300);
        Assert.Empty(Posts(daneReports).Concat(Posts(enforceReports)).Concat(Posts(plainReports)));

        clock.Advance(TimeSpan.FromMinutes(2));
        var mail = await World.Smtp.WaitForMessageAsync(TimeSpan.FromSeconds(30), m => m.Host == relay);
        await WaitUntilAsync(() => Posts(daneReports).Count == 1 && Posts(enforceReports).Count == 1 && Posts(plainReports).Count == 1);
        await scheduler.StopAsync(CancellationToken.None);

        // DANE: one success under the tlsa policy of the MX host.
        var daneReport = ReadValid(Posts(daneReports).Single().Body);
        var tlsa = Assert.Single(daneReport.Policies);
        Assert.Equal((TlsRptPolicyType.Tlsa, daneMx, 1L, 0L), (tlsa.Policy.PolicyType, tlsa.Policy.PolicyDomain, tlsa.TotalSuccessfulSessionCount, tlsa.TotalFailureSessionCount));
        Assert.StartsWith("3 1 1 ", Assert.Single(tlsa.Policy.PolicyStrings));

        // Enforce: the refused MX is a certificate-host-mismatch failure, the good one a success, both under the sts policy.
        var enforceReport = ReadValid(Posts(enforceReports).Single().Body);
        var sts = Assert.Single(enforceReport.Policies);
        Assert.Equal((TlsRptPolicyType.Sts, enforce, 1L, 1L), (sts.Policy.PolicyType, sts.Policy.PolicyDomain, sts.TotalSuccessfulSessionCount, sts.TotalFailureSessionCount));
        Assert.Contains("mode: enforce", sts.Policy.PolicyStrings);
        var mismatch = Assert.Single(sts.FailureDetails);
        Assert.Equal(("certificate-host-mismatch", TlsRptReasonCodes.CertificateNameMismatch, badMx), (mismatch.ResultType, mismatch.FailureReasonCode, mismatch.ReceivingMxHostname));
        Assert.Equal(World.Smtp.GetAddress(badMx).ToString(), mismatch.ReceivingIp);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), enforceReport.StartDateTime);

        // No policy: one success under no-policy-found, which still names its domain.
        var plainPolicy = Assert.Single(ReadValid(Posts(plainReports).Single().Body).Policies);
        Assert.Equal((TlsRptPolicyType.NoPolicyFound, plain, 1L, 0L), (plainPolicy.Policy.PolicyType, plainPolicy.Policy.PolicyDomain, plainPolicy.TotalSuccessfulSessionCount, plainPolicy.TotalFailureSessionCount));

        // Testing, by mail: the expired certificate is a counted failure, in a message per RFC 8460 §5.3.
        Assert.Equal([$"tlsrpt@{testing}"], mail.Recipients);
        var message = MimeMessage.Load(new MemoryStream(mail.Data));
        Assert.Equal(testing, message.Headers["TLS-Report-Domain"]);
        Assert.Equal("No", message.Headers["TLS-Required"]);
        var attachment = Assert.Single(message.Attachments.OfType<MimePart>());
        Assert.Equal("application/tlsrpt+gzip", attachment.ContentType.MimeType);
        using var gzip = new MemoryStream();
        await attachment.Content!.DecodeToAsync(gzip);
        var testingPolicy = Assert.Single(ReadValid(gzip.ToArray()).Policies);
        Assert.Equal((TlsRptPolicyType.Sts, 0L, 1L), (testingPolicy.Policy.PolicyType, testingPolicy.TotalSuccessfulSessionCount, testingPolicy.TotalFailureSessionCount));
        Assert.Contains("mode: testing", testingPolicy.Policy.PolicyStrings);
        Assert.Equal("certificate-expired", Assert.Single(testingPolicy.FailureDetails).ResultType);

        // Each report was marked before it went out: a second scheduler finds nothing left to send.
        var again = await scheduler.SendDayAsync(new DateOnly(2026, 3, 1));
        Assert.All(again, r => Assert.Equal(TlsReportSendStatus.AlreadySent, r.Status));
        Assert.Equal(4, again.Count);
    }

    private List<PolicyRequestLog> Posts(string host) => World.PolicyHost.Requests.Where(r => r.Host == host && r.Method == "POST").ToList();

    /// <summary>Reads a delivered body (gzip), checks it against the strict schema, and returns the report read back.</summary>
    private static TlsReportDocument ReadValid(ReadOnlyMemory<byte> gzip)
    {
        var read = TlsReportReader.Read(gzip.Span);
        Assert.True(read.IsValid, string.Join("; ", read.Errors.Select(e => e.Code)));
        Assert.True(read.WasCompressed);
        Assert.Empty(read.Warnings);
        TlsReportSchema.AssertValid(TlsReportWriter.Serialize(read.Report!));
        return read.Report!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "the condition did not hold within 15 s");
    }
}
