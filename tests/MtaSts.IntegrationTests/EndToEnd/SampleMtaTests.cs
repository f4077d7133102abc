using Microsoft.Extensions.Time.Testing;
using MimeKit;
using MtaSts.Samples.Mta;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>
/// The Mta sample (samples/Mta) against the loopback world: MailKit delivers to the kit's SMTP server as the plan says,
/// and each session lands in that day's TLS-RPT report through a <see cref="FileTlsReportStore"/>.
/// </summary>
public sealed class SampleMtaTests(WorldFixture fixture) : IClassFixture<WorldFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly TlsReportOptions ReportOptions = new()
    {
        OrganizationName = "Sender Example",
        ContactInfo = "tlsrpt@sender.example",
        Submitter = "mta.sender.example",
    };

    private MtaStsTestWorld World => fixture.World;

    /// <summary>One MX host with the given certificate, a policy in the given mode, and a TLS-RPT record (R-10).</summary>
    private (string Domain, string Mx) PublishDomain(string label, MtaStsMode mode, TestCertificateKind certificate)
    {
        var domain = WorldFixture.UniqueDomain(label);
        var mx = "mx." + domain;
        World.PublishMxHost(domain, 10, mx, new SmtpHostBehavior { Certificate = certificate });
        World.PublishPolicy(domain, "m1", mode, 86400, mx);
        World.Dns.AddTxt("_smtp._tls." + domain, "v=TLSRPTv1; rua=mailto:tlsrpt@" + domain);
        return (domain, mx);
    }

    private static MimeMessage Message(string domain, string subject) =>
        new([MailboxAddress.Parse("alice@sender.example")], [MailboxAddress.Parse("bob@" + domain)], subject, new TextPart("plain") { Text = "Hello from the Mta sample." });

    /// <summary>Delivers one message with the sample, flushes the recorder to a file store and builds the day's report.</summary>
    private async Task<Delivery> DeliverAndReportAsync(string domain, string subject)
    {
        var time = new FakeTimeProvider(Now);
        var directory = Directory.CreateTempSubdirectory("mtasts-sample-mta-");
        try
        {
            var store = new FileTlsReportStore(directory.FullName, timeProvider: time);
            var options = World.CreateOptions();
            var sessions = new List<TlsSession>();
            MtaDeliveryResult result;
            await using (var recorder = new TlsReportRecorder(store, TlsRptRecordDiscoverer.Create(options), timeProvider: time))
            {
                using var planner = DeliveryPlanner.Create(options);
                var mta = new SampleMta(planner, new ForwardingRecorder(recorder, sessions), new SampleMtaOptions
                {
                    Port = World.Smtp.Port,
                    LocalDomain = "mta.sender.example",
                    ConnectTimeout = TimeSpan.FromSeconds(5),
                    CommandTimeout = TimeSpan.FromSeconds(10),
                });
                result = await mta.DeliverAsync(Message(domain, subject), domain);
                await recorder.FlushAsync();
            }

            var counts = await store.GetAsync(DateOnly.FromDateTime(Now.UtcDateTime), domain);
            Assert.NotNull(counts);
            var report = Assert.Single(new TlsReportBuilder(ReportOptions).Build(counts));
            return new Delivery(result, sessions, Assert.Single(report.Document.Policies));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The one session was a failure, and the day's report holds it as <c>certificate-host-mismatch</c> at the MX.</summary>
    private void AssertOneCertificateHostMismatch(Delivery delivery, string mx)
    {
        Assert.False(Assert.Single(delivery.Sessions).IsSuccess);
        Assert.Equal(0, delivery.Policy.TotalSuccessfulSessionCount);
        Assert.Equal(1, delivery.Policy.TotalFailureSessionCount);
        var detail = Assert.Single(delivery.Policy.FailureDetails);
        Assert.Equal("certificate-host-mismatch", detail.ResultType);
        Assert.Equal(TlsRptReasonCodes.CertificateNameMismatch, detail.FailureReasonCode);
        Assert.Equal(mx, detail.ReceivingMxHostname);
        Assert.Equal(World.Smtp.GetAddress(mx).ToString(), detail.ReceivingIp);
        Assert.Equal(1, detail.FailedSessionCount);
    }

    [Fact]
    public async Task STS_4_2_Enforce_ValidCertificate_MessageArrivesOverTls_WithTheDecisionsSni_AndCountsAsSuccess()
    {
        var (domain, mx) = PublishDomain("mta-enforce-good", MtaStsMode.Enforce, TestCertificateKind.Valid);
        var subject = "good " + domain;

        var delivery = await DeliverAndReportAsync(domain, subject);

        Assert.Equal(MtaDeliveryStatus.Delivered, delivery.Result.Status);
        Assert.Equal(mx, delivery.Result.Host);
        Assert.Null(delivery.Result.ReasonCode);
        var received = Assert.Single(World.Smtp.Messages, m => m.Host == mx);
        Assert.True(received.Tls);
        Assert.Equal("alice@sender.example", received.MailFrom);
        Assert.Equal(["bob@" + domain], received.Recipients);
        Assert.Contains(subject, received.GetText(), StringComparison.Ordinal);
        var session = World.Smtp.Sessions.Single(s => s.Id == received.SessionId);
        Assert.Equal(mx, session.Sni);
        Assert.Equal("mta.sender.example", session.EhloName);

        Assert.True(Assert.Single(delivery.Sessions).IsSuccess);
        Assert.Equal(TlsRptPolicyType.Sts, delivery.Policy.Policy.PolicyType);
        Assert.Equal(1, delivery.Policy.TotalSuccessfulSessionCount);
        Assert.Equal(0, delivery.Policy.TotalFailureSessionCount);
        Assert.Empty(delivery.Policy.FailureDetails);
    }

    [Fact]
    public async Task STS_4_2_Enforce_WrongNameCertificate_NothingDelivered_Deferred_AndReportedAsCertificateHostMismatch()
    {
        var (domain, mx) = PublishDomain("mta-enforce-wrong", MtaStsMode.Enforce, TestCertificateKind.WrongName);

        var delivery = await DeliverAndReportAsync(domain, "wrong " + domain);

        Assert.Equal(MtaDeliveryStatus.Deferred, delivery.Result.Status);
        Assert.Equal(mx, delivery.Result.Host);
        Assert.Equal(TlsRptReasonCodes.CertificateNameMismatch, delivery.Result.ReasonCode);
        Assert.DoesNotContain("Exception", delivery.Result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(World.Smtp.Messages, m => m.Host == mx);
        Assert.Contains(World.Smtp.Sessions, s => s.Host == mx && s.StartTls); // it got as far as the handshake

        AssertOneCertificateHostMismatch(delivery, mx);
    }

    [Fact]
    public async Task R_6_Testing_WrongNameCertificate_IsDeliveredAnyway_AndTheFailureIsStillCounted()
    {
        var (domain, mx) = PublishDomain("mta-testing-wrong", MtaStsMode.Testing, TestCertificateKind.WrongName);

        var delivery = await DeliverAndReportAsync(domain, "testing " + domain);

        Assert.Equal(MtaDeliveryStatus.Delivered, delivery.Result.Status);
        Assert.Equal(mx, delivery.Result.Host);
        Assert.True(Assert.Single(World.Smtp.Messages, m => m.Host == mx).Tls);

        AssertOneCertificateHostMismatch(delivery, mx);
    }

    private sealed record Delivery(MtaDeliveryResult Result, IReadOnlyList<TlsSession> Sessions, TlsReportPolicyResult Policy);

    /// <summary>Keeps every session the sample records (to check it is one per session) and passes it on.</summary>
    private sealed class ForwardingRecorder(ITlsReportRecorder inner, List<TlsSession> sessions) : ITlsReportRecorder
    {
        public void Record(TlsSession session)
        {
            sessions.Add(session);
            inner.Record(session);
        }
    }
}
