using static MtaSts.IntegrationTests.Dnssec.DnssecTestZones;

namespace MtaSts.IntegrationTests.Dnssec;

/// <summary>
/// The full <see cref="DeliveryPlanner"/> (built by <see cref="DeliveryPlanner.Create"/>) against a real validating
/// resolver: MX, TLSA, the <c>_mta-sts</c> TXT record and the policy host's address all come through unbound, and the
/// MTA-STS policies are fetched over HTTPS from a loopback policy host. DANE first where the zone is signed, the host
/// unusable where its signatures are broken, MTA-STS where the zone is unsigned (issue 3, point 5).
/// </summary>
public sealed class DnssecDeliveryPlanTests(DnssecPlannerFixture fixture) : IClassFixture<DnssecPlannerFixture>
{
    private async Task<DeliveryPlan> PlanAsync(string domain, Action<MtaStsOptions>? configure = null)
    {
        using var planner = DeliveryPlanner.Create(fixture.CreateOptions(configure));
        return await planner.PlanDeliveryAsync(domain);
    }

    private static void AssertEnforcePolicyFetched(DeliveryPlan plan, string domain)
    {
        var sts = Assert.IsType<MtaStsResolution>(plan.MtaStsResolution);
        Assert.Equal(MtaStsOutcome.Policy, sts.Outcome);
        Assert.Equal(PolicySource.Fetched, sts.Source);
        Assert.Equal(MtaStsMode.Enforce, sts.Policy!.Mode);
        Assert.Equal(StsId(domain), sts.Record!.Id);
    }

    // ---- secure.test: DANE decides --------------------------------------------------------------------------------

    [Fact]
    public async Task A_13_SecureTlsa_DaneDecides_ThoughTheEnforcePolicyDoesNotListTheMx()
    {
        // Also: DANE-2.2-b, DANE-2.2.1-b, DANE-2.2.1-i, DANE-8.1-a. The policy lists only mx2; mx has usable TLSA records.
        var plan = await PlanAsync(Secure);

        Assert.Equal(DeliveryPlanStatus.Deliver, plan.Status);
        Assert.True(plan.MxSecure);
        AssertEnforcePolicyFetched(plan, Secure);
        Assert.Equal(["mx.secure.test", "mx2.secure.test"], plan.Hosts.Select(h => h.Host));

        var dane = plan.Hosts[0];
        Assert.True(dane.IsUsable, fixture.Unbound.UnboundOutput);
        Assert.True(dane.TlsRequired);
        Assert.Equal(DaneStatus.Usable, dane.Dane);
        Assert.Equal(MxAuthentication.DaneEe, dane.CertificateRequirement.Authentication);
        Assert.Equal("mx.secure.test", dane.Sni);
        Assert.False(dane.MtaStsMxMatch);
        Assert.Null(dane.ReportResultType);
        Assert.Contains(new TlsaAssociation(3, 1, 1, SecureMxEe), dane.CertificateRequirement.TlsaRecords);
        Assert.Contains(dane.Reasons, r => r.Contains("decision A-13", StringComparison.Ordinal));

        // mx2: an authenticated denial of TLSA, so the enforce policy decides, and it lists mx2.
        var sts = plan.Hosts[1];
        Assert.True(sts.IsUsable);
        Assert.Equal(DaneStatus.NotApplicable, sts.Dane);
        Assert.True(sts.MtaStsMxMatch);
        Assert.True(sts.TlsRequired);
        Assert.Equal(MxAuthentication.Pkix, sts.CertificateRequirement.Authentication);
        Assert.Equal("mx2.secure.test", sts.Sni);
    }

    [Fact]
    public async Task DANE_3_1_1_a_SecureZone_RealTls_TheTlsaKeyIsAccepted_AnotherKeyIsRefused()
    {
        // Also: DANE-3.1.1-b (the accepted certificate is expired and names another host), DANE-9.1-b, A-13 (the
        // refused certificate is PKIX-valid for mx.secure.test: DANE alone decides).
        var plan = await PlanAsync(Secure);
        var dane = plan.Hosts[0];
        using var matching = SecureMxDaneEeCertificate();
        using var other = fixture.Authority.IssueCertificate("mx.secure.test");

        var accepted = await DecisionHandshake.RunAsync(dane, matching);
        var refused = await DecisionHandshake.RunAsync(dane, other);

        Assert.True(accepted.Succeeded, accepted.Describe);
        Assert.Equal(CertificateVerdict.Passed, accepted.Result.Verdict);
        Assert.Equal(MxAuthentication.DaneEe, accepted.Result.Authentication);
        Assert.Equal("mx.secure.test", accepted.ServerNameSeen);
        Assert.False(refused.Succeeded);
        Assert.Equal(CertificateVerdict.Rejected, refused.Result.Verdict);
        Assert.Equal("tlsa-invalid", refused.Result.ResultType);
    }

    [Fact]
    public async Task DANE_8_1_a_MxIsASecureAlias_SniIsTheTlsaBaseDomain_NotTheMxName()
    {
        // Also: A-14, DANE-2.2.3-a. aliased.secure.test's MX is alias.secure.test, a CNAME of mx.secure.test.
        var plan = await PlanAsync(Aliased);

        AssertEnforcePolicyFetched(plan, Aliased);
        var host = Assert.Single(plan.Hosts);
        Assert.Equal("alias.secure.test", host.Host);
        Assert.True(host.IsUsable);
        Assert.Equal(MxAuthentication.DaneEe, host.CertificateRequirement.Authentication);
        Assert.Equal("mx.secure.test", host.Sni);
        Assert.True(host.MtaStsMxMatch);
    }

    [Fact]
    public async Task PREC_a_DaneMismatch_IsNotRescued_ByAPkixValidCertificate_ForAHostTheEnforcePolicyLists()
    {
        // Also: DANE-9.1-b. alias.secure.test matches the enforce policy, and the certificate is valid for both names
        // under the trusted test root, so MTA-STS alone would accept it; its key matches no TLSA record.
        var plan = await PlanAsync(Aliased);
        var host = Assert.Single(plan.Hosts);
        using var pkixValid = fixture.Authority.IssueCertificate("alias.secure.test", "mx.secure.test");

        var outcome = await DecisionHandshake.RunAsync(host, pkixValid);

        Assert.True(host.MtaStsMxMatch);
        Assert.False(outcome.Succeeded);
        Assert.Equal(CertificateVerdict.Rejected, outcome.Result.Verdict);
        Assert.Equal("tlsa-invalid", outcome.Result.ResultType);
    }

    // ---- bogus.test: the host is unusable -------------------------------------------------------------------------

    [Fact]
    public async Task PREC_b_BogusTlsa_HostUnusable_ThoughMtaStsEnforceMatches_AndItsPkixCertificateWouldPass()
    {
        // Also: PREC-a, DANE-2.2-e, DANE-2.1.2-d. The MX RRset, the host's address, the _mta-sts TXT record and the
        // policy host's address all validate; only the TLSA RRset's signature is broken.
        var plan = await PlanAsync(Bogus);

        Assert.True(plan.MxSecure);
        AssertEnforcePolicyFetched(plan, Bogus);
        var host = Assert.Single(plan.Hosts);
        Assert.Equal("mx.bogus.test", host.Host);
        Assert.False(host.IsUsable);
        Assert.True(host.TlsRequired);
        Assert.Equal(DaneStatus.LookupFailed, host.Dane);
        Assert.True(host.MtaStsMxMatch);
        Assert.Equal("dnssec-invalid", host.ReportResultType);
        Assert.Equal(DeliveryPlanStatus.Defer, plan.Status);

        // The control: without DANE the same host passes MTA-STS, and a real handshake with its PKIX certificate works.
        var withoutDane = await PlanAsync(Bogus, o => o.Dane.Enabled = false);
        var control = Assert.Single(withoutDane.Hosts);
        Assert.True(control.IsUsable);
        Assert.Equal(MxAuthentication.Pkix, control.CertificateRequirement.Authentication);
        var handshake = await DecisionHandshake.RunAsync(control, fixture.Authority.GetServerCertificate("mx.bogus.test"));
        Assert.True(handshake.Succeeded, handshake.Describe);
        Assert.Equal(CertificateVerdict.Passed, handshake.Result.Verdict);
    }

    // ---- insecure.test: MTA-STS decides ---------------------------------------------------------------------------

    [Fact]
    public async Task DANE_2_2_d_UnsignedZone_TlsaIgnored_FallsBackToMtaStsEnforce()
    {
        // Also: DANE-2.2.1-f, STS-4-a. insecure.test publishes a TLSA record for its MX, unsigned, so it must not count.
        var plan = await PlanAsync(Insecure);

        Assert.Equal(DeliveryPlanStatus.Deliver, plan.Status);
        Assert.False(plan.MxSecure);
        AssertEnforcePolicyFetched(plan, Insecure);
        var host = Assert.Single(plan.Hosts);
        Assert.Equal("mx.insecure.test", host.Host);
        Assert.True(host.IsUsable);
        Assert.True(host.TlsRequired);
        Assert.Equal(MxAuthentication.Pkix, host.CertificateRequirement.Authentication);
        Assert.Equal("mx.insecure.test", host.Sni);
        Assert.Equal(DaneStatus.NotApplicable, host.Dane);
        Assert.Empty(host.TlsaRecords);
        Assert.True(host.MtaStsMxMatch);
        Assert.True(host.CertificateRequirement.Enforce);
    }

    [Fact]
    public async Task STS_4_a_UnsignedZone_RealTls_PkixCertificateForTheMx_Accepted_OtherName_Refused()
    {
        // Also: STS-4.2-a.
        var host = Assert.Single((await PlanAsync(Insecure)).Hosts);

        var accepted = await DecisionHandshake.RunAsync(host, fixture.Authority.GetServerCertificate("mx.insecure.test"));
        var refused = await DecisionHandshake.RunAsync(host, fixture.Authority.GetServerCertificate("mx.other.test"));

        Assert.True(accepted.Succeeded, accepted.Describe);
        Assert.Equal(MxAuthentication.Pkix, accepted.Result.Authentication);
        Assert.Equal("mx.insecure.test", accepted.ServerNameSeen);
        Assert.False(refused.Succeeded);
        Assert.Equal("certificate-host-mismatch", refused.Result.ResultType);
    }

    // ---- mandatory DANE against the real resolver -----------------------------------------------------------------

    [Fact]
    public async Task DANE_2_2_1_e_DaneRequired_UnsignedZone_Defers_WhereMtaStsAloneWouldDeliver()
    {
        // Also: DANE-6-a, DANE-2.2-f.
        var plan = await PlanAsync(Insecure, o => o.Dane.RequiredDomains.Add(Insecure));

        Assert.Equal(DeliveryPlanStatus.Defer, plan.Status);
        var host = Assert.Single(plan.Hosts);
        Assert.False(host.IsUsable);
        Assert.True(host.MtaStsMxMatch);
        Assert.Equal("dane-required", host.ReportResultType);
    }

    [Fact]
    public async Task DANE_6_a_DaneRequired_SignedZone_DaneHostUsed_HostWithoutTlsaSkipped()
    {
        // Also: DANE-2.2-f. mx2.secure.test has secure addresses and a proven absence of TLSA, and the policy lists it.
        var plan = await PlanAsync(Secure, o => o.Dane.RequiredDomains.Add(Secure));

        Assert.Equal(DeliveryPlanStatus.Deliver, plan.Status);
        Assert.True(plan.Hosts[0].IsUsable);
        Assert.Equal(MxAuthentication.DaneEe, plan.Hosts[0].CertificateRequirement.Authentication);
        Assert.False(plan.Hosts[1].IsUsable);
        Assert.True(plan.Hosts[1].MtaStsMxMatch);
        Assert.Equal("dane-required", plan.Hosts[1].ReportResultType);
    }
}
