using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using MtaSts.IntegrationTests.EndToEnd;
using MtaSts.IntegrationTests.Testing;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Probing;

/// <summary>
/// <see cref="MxProbe"/> against the kit's SMTP server: real sockets, STARTTLS and certificates per MX host, every
/// failure classified as RFC 8460 says (checklist §4.3) with its reason code (decision R-12).
/// </summary>
public sealed class MxProbeTests(WorldFixture fixture) : IClassFixture<WorldFixture>
{
    private MtaStsTestWorld World => fixture.World;

    private async Task<DomainProbeResult> ProbeAsync(string domain, Action<MxProbeOptions>? configure = null, Action<MtaStsOptions>? options = null)
    {
        var settings = World.CreateOptions();
        options?.Invoke(settings);
        using var planner = DeliveryPlanner.Create(settings);
        var plan = await planner.PlanDeliveryAsync(domain);
        var probeOptions = new MxProbeOptions { Port = World.Smtp.Port, ConnectTimeout = TimeSpan.FromSeconds(3), CommandTimeout = TimeSpan.FromSeconds(5) };
        configure?.Invoke(probeOptions);
        return await new MxProbe(probeOptions).ProbeAsync(plan);
    }

    [Fact]
    public async Task STS_4_2_Enforce_ValidCertificate_IsUsable_AndAWrongNameIsRefused_CertificateHostMismatch()
    {
        var domain = WorldFixture.UniqueDomain("probe-enforce");
        var good = "mx1." + domain;
        var bad = "mx2." + domain;
        World.PublishMxHost(domain, 10, bad, new SmtpHostBehavior { Certificate = TestCertificateKind.WrongName });
        World.PublishMxHost(domain, 20, good);
        World.PublishPolicy(domain, "p1", MtaStsMode.Enforce, 86400, good, bad);

        var result = await ProbeAsync(domain);

        var wrong = result.Hosts[0];
        Assert.Equal(bad, wrong.Decision.Host);
        Assert.True(wrong.Connected);
        Assert.False(wrong.IsUsable);
        Assert.False(wrong.Validated);
        Assert.False(wrong.TlsEstablished);
        Assert.Equal(TlsRptResultType.CertificateHostMismatch, wrong.Failure);
        Assert.Equal(TlsRptReasonCodes.CertificateNameMismatch, wrong.ReasonCode);
        Assert.Equal([TestCertificateAuthority.WrongHostName], wrong.Certificate!.DnsNames);

        var right = result.Hosts[1];
        Assert.True(right.IsUsable, right.Reason);
        Assert.True(right.Validated);
        Assert.True(right.TlsEstablished);
        Assert.True(right.TlsProtocol is SslProtocols.Tls12 or SslProtocols.Tls13);
        Assert.Null(right.Failure);
        Assert.Null(right.ReasonCode);
        Assert.Equal([good], right.Certificate!.DnsNames);
        Assert.InRange(right.Certificate.ChainLength, 1, 4);
        Assert.Equal(World.Smtp.GetAddress(good), right.RemoteAddress);
        Assert.Equal("deliver-to " + good, result.Verdict);

        // The SNI the server saw is the decision's (the MX host under MTA-STS).
        var session = World.Smtp.Sessions.Last(s => s.Host == good);
        Assert.Equal(good, session.Sni);
    }

    [Fact]
    public async Task STS_5_Testing_ExpiredCertificate_StaysUsable_WithValidatedFalse_CertificateExpired()
    {
        var domain = WorldFixture.UniqueDomain("probe-testing");
        var mx = "mx." + domain;
        World.PublishMxHost(domain, 10, mx, new SmtpHostBehavior { Certificate = TestCertificateKind.Expired });
        World.PublishPolicy(domain, "t1", MtaStsMode.Testing, 86400, mx);

        var host = Assert.Single((await ProbeAsync(domain)).Hosts);

        Assert.True(host.IsUsable);
        Assert.False(host.Validated);
        Assert.True(host.TlsEstablished);
        Assert.Equal(TlsRptResultType.CertificateExpired, host.Failure);
        Assert.Equal(TlsRptReasonCodes.CertificateExpired, host.ReasonCode);
    }

    [Theory]
    [InlineData("self-signed")]
    [InlineData("untrusted")]
    public async Task STS_4_2_Enforce_UntrustedChains_AreCertificateNotTrusted(string kind)
    {
        var domain = WorldFixture.UniqueDomain("probe-untrusted");
        var mx = "mx." + domain;
        World.PublishMxHost(domain, 10, mx, new SmtpHostBehavior { Certificate = kind == "self-signed" ? TestCertificateKind.SelfSigned : TestCertificateKind.Untrusted });
        World.PublishPolicy(domain, "u1", MtaStsMode.Enforce, 86400, mx);

        var result = await ProbeAsync(domain);

        var host = Assert.Single(result.Hosts);
        Assert.False(host.IsUsable);
        Assert.Equal(TlsRptResultType.CertificateNotTrusted, host.Failure);
        Assert.Equal(TlsRptReasonCodes.CertificateUntrusted, host.ReasonCode);
        Assert.Equal("defer", result.Verdict);
    }

    [Fact]
    public async Task RPT_4_3_1_NoStartTls_UnderEnforce_IsStartTlsNotSupported_AndWithoutPolicyStaysUsable()
    {
        var enforced = WorldFixture.UniqueDomain("probe-nostarttls");
        var mx = "mx." + enforced;
        World.PublishMxHost(enforced, 10, mx, new SmtpHostBehavior { OfferStartTls = false });
        World.PublishPolicy(enforced, "n1", MtaStsMode.Enforce, 86400, mx);
        var plain = WorldFixture.UniqueDomain("probe-nopolicy");
        var plainMx = "mx." + plain;
        World.PublishMxHost(plain, 10, plainMx, new SmtpHostBehavior { OfferStartTls = false });

        var refused = Assert.Single((await ProbeAsync(enforced)).Hosts);
        var opportunistic = Assert.Single((await ProbeAsync(plain)).Hosts);

        Assert.False(refused.IsUsable);
        Assert.False(refused.StartTlsOffered);
        Assert.Null(refused.Validated);
        Assert.Equal(TlsRptResultType.StartTlsNotSupported, refused.Failure);
        Assert.Equal(TlsRptReasonCodes.StartTlsNotOffered, refused.ReasonCode);
        Assert.True(opportunistic.IsUsable);
        Assert.False(opportunistic.Decision.TlsRequired);
        Assert.Equal(TlsRptResultType.StartTlsNotSupported, opportunistic.Failure);
    }

    [Fact]
    public async Task RPT_4_3_1_StartTlsRefusedWith454_IsStartTlsNotSupported_StartTlsRefused()
    {
        var domain = WorldFixture.UniqueDomain("probe-454");
        var mx = "mx." + domain;
        World.PublishMxHost(domain, 10, mx, new SmtpHostBehavior { StartTlsReply = "454 4.7.0 TLS not available" });
        World.PublishPolicy(domain, "s1", MtaStsMode.Enforce, 86400, mx);

        var host = Assert.Single((await ProbeAsync(domain)).Hosts);

        Assert.True(host.StartTlsOffered);
        Assert.False(host.IsUsable);
        Assert.Equal(TlsRptResultType.StartTlsNotSupported, host.Failure);
        Assert.Equal(TlsRptReasonCodes.StartTlsRefused, host.ReasonCode);
    }

    [Fact]
    public async Task DANE_3_1_1_DaneEe_MatchingKey_IsUsable_AndAMismatch_IsTlsaInvalid_TlsaNoMatch()
    {
        var domain = WorldFixture.UniqueDomain("probe-dane");
        var good = "mx1." + domain;
        var bad = "mx2." + domain;
        World.PublishMxHost(domain, 10, good);
        World.PublishMxHost(domain, 20, bad);
        World.PublishDaneEe(domain, [good]);
        World.PublishDaneEe(domain, [bad], wrongKey: true);

        var result = await ProbeAsync(domain);

        var matched = result.Hosts[0];
        Assert.Equal(MxAuthentication.DaneEe, matched.Decision.CertificateRequirement.Authentication);
        Assert.True(matched.IsUsable, matched.Reason);
        Assert.True(matched.Validated);
        var mismatched = result.Hosts[1];
        Assert.False(mismatched.IsUsable);
        Assert.Equal(TlsRptResultType.TlsaInvalid, mismatched.Failure);
        Assert.Equal(TlsRptReasonCodes.TlsaNoMatch, mismatched.ReasonCode);
    }

    [Fact]
    public async Task R_15_SkippedHost_IsNotConnectedTo_AndCarriesThePlannersCode()
    {
        var domain = WorldFixture.UniqueDomain("probe-skip");
        var allowed = "mx1." + domain;
        var rogue = "rogue." + domain;
        World.PublishMxHost(domain, 10, rogue);
        World.PublishMxHost(domain, 20, allowed);
        World.PublishPolicy(domain, "k1", MtaStsMode.Enforce, 86400, allowed);

        var result = await ProbeAsync(domain);

        var skipped = result.Hosts[0];
        Assert.False(skipped.Connected);
        Assert.False(skipped.IsUsable);
        Assert.Null(skipped.Validated);
        Assert.Equal(TlsRptResultType.ValidationFailure, skipped.Failure);
        Assert.Equal(TlsRptReasonCodes.MtaStsPolicyMxMismatch, skipped.ReasonCode);
        Assert.DoesNotContain(World.Smtp.Sessions, s => s.Host == rogue);
        Assert.True(result.Hosts[1].IsUsable);
    }

    [Fact]
    public async Task R_12_ConnectionRefused_Timeout_HandshakeFailure_AndRejectingGreeting_HaveTheirCodes()
    {
        var refusedDomain = WorldFixture.UniqueDomain("probe-refused");
        World.PublishMx(refusedDomain, (10, "mx." + refusedDomain));
        World.Dns.Remove("mx." + refusedDomain, DnsRecordType.A);
        World.Dns.AddA("mx." + refusedDomain, IPAddress.Parse("127.0.0.250")); // no listener on that address
        var slow = WorldFixture.UniqueDomain("probe-slow");
        World.PublishMxHost(slow, 10, "mx." + slow, new SmtpHostBehavior { GreetingDelay = TimeSpan.FromSeconds(5) });
        var oldTls = WorldFixture.UniqueDomain("probe-tls11");
#pragma warning disable SYSLIB0039, CA5397 // an obsolete protocol on purpose: the client refuses it
        World.PublishMxHost(oldTls, 10, "mx." + oldTls, new SmtpHostBehavior { TlsProtocols = SslProtocols.Tls11 });
#pragma warning restore SYSLIB0039, CA5397
        World.PublishPolicy(oldTls, "o1", MtaStsMode.Enforce, 86400, "mx." + oldTls);
        var rejecting = WorldFixture.UniqueDomain("probe-554");
        World.PublishMxHost(rejecting, 10, "mx." + rejecting, new SmtpHostBehavior { Greeting = "554 5.7.1 go away" });

        var refused = Assert.Single((await ProbeAsync(refusedDomain)).Hosts);
        var timedOut = Assert.Single((await ProbeAsync(slow, o => o.CommandTimeout = TimeSpan.FromSeconds(1))).Hosts);
        var handshake = Assert.Single((await ProbeAsync(oldTls)).Hosts);
        var turnedAway = Assert.Single((await ProbeAsync(rejecting)).Hosts);

        Assert.False(refused.Connected);
        Assert.Equal(TlsRptReasonCodes.ConnectionRefused, refused.ReasonCode);
        Assert.True(timedOut.Connected);
        Assert.Equal(TlsRptReasonCodes.Timeout, timedOut.ReasonCode);
        Assert.Equal(TlsRptReasonCodes.TlsHandshake, handshake.ReasonCode);
        Assert.False(handshake.IsUsable);
        Assert.Equal(TlsRptReasonCodes.SmtpGreetingRefused, turnedAway.ReasonCode);
        Assert.All(new[] { refused, timedOut, handshake, turnedAway }, r => Assert.Equal(TlsRptResultType.ValidationFailure, r.Failure));
        Assert.All(new[] { refused, timedOut, handshake, turnedAway }, r => Assert.DoesNotContain("Exception", r.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task R_12_ACertificateMessageTooLargeForTheTlsStack_IsCertificateTooLarge_NotANoCommonCipherHandshake()
    {
        // 10,000 SAN names: OpenSSL refuses the Certificate message before the validation callback sees it.
        var domain = WorldFixture.UniqueDomain("probe-huge-cert");
        World.PublishMxHost(domain, 10, "mx." + domain, new SmtpHostBehavior { Certificate = TestCertificateKind.Oversized });
        World.PublishPolicy(domain, "h1", MtaStsMode.Enforce, 86400, "mx." + domain);

        var host = Assert.Single((await ProbeAsync(domain)).Hosts);

        Assert.True(host.Connected);
        Assert.False(host.IsUsable);
        Assert.Equal(TlsRptResultType.ValidationFailure, host.Failure);
        Assert.Equal(TlsRptReasonCodes.CertificateTooLarge, host.ReasonCode);
        Assert.Contains("certificate message is larger", host.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("cipher", host.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task R_2_SessionsFromProbes_CountUnderThePolicyThatDecidedTheHost()
    {
        var sts = WorldFixture.UniqueDomain("probe-session-sts");
        var stsMx = "mx." + sts;
        World.PublishMxHost(sts, 10, stsMx, new SmtpHostBehavior { Certificate = TestCertificateKind.WrongName });
        World.PublishPolicy(sts, "ss1", MtaStsMode.Testing, 86400, stsMx);
        var dane = WorldFixture.UniqueDomain("probe-session-dane");
        var daneMx = "mx." + dane;
        World.PublishMxHost(dane, 10, daneMx);
        World.PublishDaneEe(dane, [daneMx]);

        var none = WorldFixture.UniqueDomain("probe-session-none");
        World.PublishMxHost(none, 10, "mx." + none);
        var down = WorldFixture.UniqueDomain("probe-session-down");
        World.PublishMx(down, (10, "mx." + down));
        World.Dns.Remove("mx." + down, DnsRecordType.A);
        World.Dns.AddA("mx." + down, IPAddress.Parse("127.0.0.251"));

        var stsProbe = await ProbeAsync(sts);
        var daneProbe = await ProbeAsync(dane);
        var noneProbe = await ProbeAsync(none);
        var downProbe = await ProbeAsync(down);

        var stsSession = TlsSessionFactory.FromProbe(stsProbe.Plan, stsProbe.Hosts[0])!.Value;
        Assert.Equal(TlsRptPolicyType.Sts, stsSession.Policy.PolicyType);
        Assert.Equal([stsMx], stsSession.Policy.MxHosts);
        Assert.Equal(TlsRptResultType.CertificateHostMismatch, stsSession.Failure!.ResultType);
        Assert.Equal(TlsRptReasonCodes.CertificateNameMismatch, stsSession.Failure.FailureReasonCode);
        Assert.Equal(stsMx, stsSession.Failure.ReceivingMxHostname);
        Assert.Equal(World.Smtp.GetAddress(stsMx), stsSession.Failure.ReceivingIp);
        Assert.NotNull(stsSession.Failure.SendingMtaIp);

        var daneSession = TlsSessionFactory.FromProbe(daneProbe.Plan, daneProbe.Hosts[0])!.Value;
        Assert.Equal(TlsRptPolicyType.Tlsa, daneSession.Policy.PolicyType);
        Assert.Equal(daneMx, daneSession.Policy.PolicyDomain);
        Assert.True(daneSession.IsSuccess);

        var noneSession = TlsSessionFactory.FromProbe(noneProbe.Plan, noneProbe.Hosts[0])!.Value;
        Assert.Equal(TlsRptPolicyType.NoPolicyFound, noneSession.Policy.PolicyType);
        Assert.Equal(none, noneSession.Policy.PolicyDomain);

        // Also: RPT-4.3.4. A host that never answered is no TLS session at all (a transient failure need not be reported).
        Assert.Null(TlsSessionFactory.FromProbe(downProbe.Plan, downProbe.Hosts[0]));
    }

    [Fact(DisplayName = "RFC 8461 §6: an MX without STARTTLS or with a failing certificate is reported under the sts policy, but not as an MTA-STS failure under mode none")]
    public async Task STS_6_c_NoStartTls_AndACertificateFailure_AreReportedUnderTheStsPolicy_ExceptUnderModeNone()
    {
        var domain = WorldFixture.UniqueDomain("probe-sts6c");
        var plain = "mx1." + domain;
        var expired = "mx2." + domain;
        World.PublishMxHost(domain, 10, plain, new SmtpHostBehavior { OfferStartTls = false });
        World.PublishMxHost(domain, 20, expired, new SmtpHostBehavior { Certificate = TestCertificateKind.Expired });
        World.PublishPolicy(domain, "c1", MtaStsMode.Enforce, 86400, plain, expired);
        var none = WorldFixture.UniqueDomain("probe-sts6c-none");
        var noneMx = "mx." + none;
        World.PublishMxHost(none, 10, noneMx, new SmtpHostBehavior { OfferStartTls = false });
        World.PublishPolicy(none, "c2", MtaStsMode.None, 86400, noneMx);

        var probe = await ProbeAsync(domain);
        var noneProbe = await ProbeAsync(none);

        var noStartTls = TlsSessionFactory.FromProbe(probe.Plan, probe.Hosts[0])!.Value;
        Assert.Equal(TlsRptPolicyType.Sts, noStartTls.Policy.PolicyType);
        Assert.Equal([plain, expired], noStartTls.Policy.MxHosts);
        Assert.Equal(TlsRptResultType.StartTlsNotSupported, noStartTls.Failure!.ResultType);
        Assert.Equal(TlsRptReasonCodes.StartTlsNotOffered, noStartTls.Failure.FailureReasonCode);
        Assert.Equal(plain, noStartTls.Failure.ReceivingMxHostname);

        var badCertificate = TlsSessionFactory.FromProbe(probe.Plan, probe.Hosts[1])!.Value;
        Assert.Equal(TlsRptPolicyType.Sts, badCertificate.Policy.PolicyType);
        Assert.Equal(TlsRptResultType.CertificateExpired, badCertificate.Failure!.ResultType);
        Assert.Equal(expired, badCertificate.Failure.ReceivingMxHostname);

        // Mode none: no MTA-STS policy applies, so the session is not counted under an sts policy.
        var underNone = TlsSessionFactory.FromProbe(noneProbe.Plan, Assert.Single(noneProbe.Hosts))!.Value;
        Assert.Equal(TlsRptPolicyType.NoPolicyFound, underNone.Policy.PolicyType);
        Assert.Null(underNone.AlsoUnder);
    }
}
