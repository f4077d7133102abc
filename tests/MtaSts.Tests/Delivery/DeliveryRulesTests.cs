using System.Net;
using DnsClient;
using MtaSts.Diagnostics;
using MtaSts.Tests.Fakes;
using static MtaSts.Tests.Fakes.DaneFakeDns;
using static MtaSts.Tests.Fakes.PlannerHarness;

namespace MtaSts.Tests.Delivery;

/// <summary>The per-host decisions and the plan status, one rule per test (RFC 7672, RFC 8461, decisions A-13..A-20).</summary>
public sealed class DeliveryRulesTests : IDisposable
{
    private readonly PlannerHarness _h = new();

    public void Dispose() => _h.Dispose();

    // ---- MX addresses ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task SSRF_ExcludeNonPublicMxAddresses_LeavesOutInternalAddresses_AndSkipsAHostWithNoneLeft()
    {
        using var h = new PlannerHarness(o => o.Delivery.ExcludeNonPublicAddresses = true);
        h.Mx(secure: false, (10, "mx1.example.test"), (20, "mx2.example.test"));
        h.Dns.Answer("mx1.example.test", QueryType.A, ad: false, A("mx1.example.test", "10.0.0.5"), A("mx1.example.test", "192.0.2.10"));
        h.Dns.NoData("mx1.example.test", QueryType.AAAA, ad: false);
        h.Dns.Answer("mx2.example.test", QueryType.A, ad: false, A("mx2.example.test", "127.0.0.1"), A("mx2.example.test", "0.0.0.0"));
        h.Dns.NoData("mx2.example.test", QueryType.AAAA, ad: false);

        var plan = await h.PlanAsync();

        var mx1 = plan.Hosts.Single(d => d.Host == "mx1.example.test");
        Assert.True(mx1.IsUsable);
        Assert.Equal([IPAddress.Parse("192.0.2.10")], mx1.Addresses);
        Assert.Contains(mx1.Reasons, r => r.Contains("10.0.0.5 (RFC 1918 private)", StringComparison.Ordinal));
        var mx2 = plan.Hosts.Single(d => d.Host == "mx2.example.test");
        Assert.False(mx2.IsUsable);
        Assert.Empty(mx2.Addresses);
        Assert.Contains(mx2.Reasons, r => r.Contains("no public address", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SSRF_ByDefault_MxAddressesAreKeptAsLookedUp()
    {
        _h.Mx(secure: false, (10, "mx1.example.test"));
        _h.Dns.Answer("mx1.example.test", QueryType.A, ad: false, A("mx1.example.test", "10.0.0.5"));
        _h.Dns.NoData("mx1.example.test", QueryType.AAAA, ad: false);

        var plan = await _h.PlanAsync();

        Assert.False(_h.Options.Delivery.ExcludeNonPublicAddresses);
        Assert.Equal([IPAddress.Parse("10.0.0.5")], Assert.Single(plan.Hosts).Addresses);
    }

    // ---- MX lookup ---------------------------------------------------------------------------------------------------

    [Fact]
    public async Task PREC_d_MxLookupFailure_Defers_WithoutHosts_AndMtaStsIsNotConsulted()
    {
        // Also: DANE-2.1.2-a (a failed MX lookup leaves the servers unknown: delay).
        _h.Dns.Fail(Domain, QueryType.MX);
        _h.Publish("enforce", mx: Mx1);

        var plan = await _h.PlanAsync();

        Assert.Equal(DeliveryPlanStatus.Defer, plan.Status);
        Assert.Empty(plan.Hosts);
        Assert.Null(plan.MtaStsResolution);
        Assert.Equal(0, _h.Sts.Discoverer.CallCount);
        Assert.Contains(plan.Reasons, r => r.Contains("MX lookup failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NullMx_And_NxDomain_AreNoMailService_Permanent()
    {
        _h.Dns.Answer(Domain, QueryType.MX, ad: true, Mx(Domain, 0, "."));
        _h.Dns.NxDomain("gone.example.test", QueryType.MX, ad: false);

        var nullMx = await _h.PlanAsync();
        var gone = await _h.PlanAsync("gone.example.test");

        Assert.Equal(DeliveryPlanStatus.NoMailService, nullMx.Status);
        Assert.True(nullMx.MxSecure);
        Assert.Contains(nullMx.Reasons, r => r.Contains("RFC 7505", StringComparison.Ordinal));
        Assert.Equal(DeliveryPlanStatus.NoMailService, gone.Status);
        Assert.Empty(gone.Hosts);
        Assert.Equal(0, _h.Sts.Discoverer.CallCount);
    }

    [Fact]
    public async Task AbsurdlyLongMxList_OnlyTheMostPreferredHostsArePlanned()
    {
        var hosts = Enumerable.Range(0, 40).Select(i => ((ushort)(100 - i), $"h{i}.example.test")).ToArray();
        _h.Mx(secure: false, hosts);
        foreach (var (_, host) in hosts)
        {
            _h.PlainHost(host);
        }

        var plan = await _h.PlanAsync();

        Assert.Equal(DeliveryPlanner.MaxHostsPerDomain, plan.Hosts.Count);
        Assert.Equal("h39.example.test", plan.Hosts[0].Host); // preference 61, the best
        Assert.Equal(DeliveryPlanner.MaxHostsPerDomain, _h.AskedCount(QueryType.A));
        Assert.Contains(plan.Reasons, r => r.Contains("of 40 MX hosts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_20_DeferredLongMxList_TheLastReasonIsStillTheDeferral()
    {
        // The last reason is what logs, the activity status and the CLI's error show for a deferral; the note about the
        // truncated MX list must not take its place.
        var hosts = Enumerable.Range(0, 40).Select(i => ((ushort)i, $"h{i}.example.test")).ToArray();
        _h.Mx(secure: false, hosts);
        foreach (var (_, host) in hosts)
        {
            _h.PlainHost(host);
        }

        _h.Publish("enforce", mx: "other.example.test");

        var plan = await _h.PlanAsync();

        Assert.Equal(DeliveryPlanStatus.Defer, plan.Status);
        Assert.Contains(plan.Reasons, r => r.Contains("of 40 MX hosts", StringComparison.Ordinal));
        Assert.StartsWith("No host is usable now", plan.Reasons[^1], StringComparison.Ordinal);
    }

    // ---- DANE --------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task PREC_b_TlsaLookupFailure_SkipsTheHostForNow_EvenWhenMtaStsEnforceWouldPass()
    {
        // Also: PREC-a, DANE-2.1.2-d (the other hosts may still be used), DANE-2.2-e.
        _h.Mx(secure: true, (10, Mx1), (20, Mx2)).TlsaFails(Mx1).PlainHost(Mx2);
        _h.Publish("enforce", mx: [Mx1, Mx2]);

        var plan = await _h.PlanAsync();

        Assert.Equal(DeliveryPlanStatus.Deliver, plan.Status);
        var failed = plan.Hosts[0];
        Assert.Equal(Mx1, failed.Host);
        Assert.False(failed.IsUsable);
        Assert.True(failed.TlsRequired);
        Assert.Equal(DaneStatus.LookupFailed, failed.Dane);
        Assert.True(failed.MtaStsMxMatch);
        Assert.Equal("dnssec-invalid", failed.ReportResultType);
        Assert.Contains(failed.Reasons, r => r.Contains("MTA-STS cannot make it usable", StringComparison.Ordinal));
        Assert.True(plan.Hosts[1].IsUsable);
        Assert.Equal(MxAuthentication.Pkix, plan.Hosts[1].CertificateRequirement.Authentication);
    }

    [Fact]
    public async Task DANE_2_2_e_EveryHostsDaneLookupFails_Defers_WithoutTxtRecheck()
    {
        // Also: DANE-2.1.2-d ("if no server is reachable, delay"). A-20's re-check is for MTA-STS mismatches only.
        _h.Mx(secure: true, (10, Mx1), (20, Mx2)).TlsaFails(Mx1).TlsaFails(Mx2);
        _h.Publish("enforce", mx: [Mx1, Mx2]);

        var plan = await _h.PlanAsync();

        Assert.Equal(DeliveryPlanStatus.Defer, plan.Status);
        Assert.All(plan.Hosts, h => Assert.False(h.IsUsable));
        Assert.All(plan.Hosts, h => Assert.False(h.IsUsable));
        Assert.Equal(1, _h.Sts.Discoverer.CallCount);
    }

    [Fact]
    public async Task DANE_2_1_2_b_AddressLookupFailsForOneHost_TheOthersAreStillUsed()
    {
        _h.Mx(secure: true, (10, Mx1), (20, Mx2)).PlainHost(Mx2);
        _h.Dns.Fail(Mx1, QueryType.A).NoData(Mx1, QueryType.AAAA, ad: true);

        var plan = await _h.PlanAsync();

        Assert.Equal(DeliveryPlanStatus.Deliver, plan.Status);
        Assert.False(plan.Hosts[0].IsUsable);
        Assert.Equal(DaneStatus.LookupFailed, plan.Hosts[0].Dane);
        Assert.True(plan.Hosts[1].IsUsable);
        Assert.Equal(0, _h.AskedCount(QueryType.TLSA));
    }

    [Fact]
    public async Task DANE_2_2_1_a_TlsaRecordsAndBaseDomainAreDerivedPerHost()
    {
        const string aliased = "mx3.example.test", target = "mx.provider.test";
        _h.Mx(secure: true, (10, Mx1), (20, Mx2), (30, aliased)).DaneHost(Mx1, DaneEe(Mx1)).DaneHost(Mx2, DaneTa(Mx2));
        _h.Dns.Answer(aliased, QueryType.A, ad: true, Cname(aliased, target + "."), A(target, "192.0.2.30"))
            .NoData(aliased, QueryType.AAAA, ad: true, Cname(aliased, target + "."))
            .NxDomain(TlsaName(target), QueryType.TLSA, ad: true)
            .Answer(TlsaName(aliased), QueryType.TLSA, ad: true, DaneEe(aliased, 0x33));

        var plan = await _h.PlanAsync();

        Assert.Equal([MxAuthentication.DaneEe, MxAuthentication.DaneTa, MxAuthentication.DaneEe], plan.Hosts.Select(h => h.CertificateRequirement.Authentication));
        Assert.Equal([0xAB, 0xCD, 0x33], plan.Hosts.Select(h => h.CertificateRequirement.TlsaRecords[0].Data.Span[0]));
        Assert.Equal([Mx1, Mx2, aliased], plan.Hosts.Select(h => h.Sni)); // the third: the original name, after the expanded one had none
    }

    [Fact]
    public async Task DANE_3_2_2_c_ImplicitMxThroughASecureAlias_TheOriginalNextHopIsAlsoAReferenceIdentifier()
    {
        const string target = "mail.provider.test";
        _h.Dns.NoData(Domain, QueryType.MX, ad: true, Cname(Domain, target + "."));
        _h.Dns.Answer(Domain, QueryType.A, ad: true, Cname(Domain, target + "."), A(target, "192.0.2.40"))
            .NoData(Domain, QueryType.AAAA, ad: true, Cname(Domain, target + "."))
            .Answer(TlsaName(target), QueryType.TLSA, ad: true, DaneTa(target));

        var plan = await _h.PlanAsync();

        Assert.True(plan.ImplicitMx);
        var host = Assert.Single(plan.Hosts);
        Assert.Equal(Domain, host.Host);
        Assert.Equal(target, host.Sni);
        Assert.Equal([target, Domain], host.CertificateRequirement.ReferenceIdentifiers);
    }

    [Fact]
    public async Task DANE_2_2_2_b_HostWithoutAddresses_IsSkippedForNow()
    {
        _h.Mx(secure: true, (10, Mx1), (20, Mx2)).PlainHost(Mx2);
        _h.Dns.NoData(Mx1, QueryType.A, ad: true).NoData(Mx1, QueryType.AAAA, ad: true);

        var plan = await _h.PlanAsync();

        Assert.False(plan.Hosts[0].IsUsable);
        Assert.Null(plan.Hosts[0].ReportResultType);
        Assert.Contains(plan.Hosts[0].Reasons, r => r.Contains("no addresses", StringComparison.Ordinal));
        Assert.True(plan.Hosts[1].IsUsable);
        Assert.Equal(DeliveryPlanStatus.Deliver, plan.Status);
    }

    [Fact]
    public async Task DANE_2_2_b_UsableTlsa_TlsRequired_DaneEe_WithTheUsableRecordsOnly()
    {
        // Also: DANE-3.1.3-b (usage 1 is unusable and not handed to the validator), A-13 (no MTA-STS policy needed).
        _h.Mx(secure: true, (10, Mx1)).DaneHost(Mx1, DaneEe(Mx1), PkixEe(Mx1));

        var plan = await _h.PlanAsync();

        var host = Assert.Single(plan.Hosts);
        Assert.True(host.IsUsable);
        Assert.True(host.TlsRequired);
        Assert.Equal(MxAuthentication.DaneEe, host.CertificateRequirement.Authentication);
        Assert.Equal(DaneStatus.Usable, host.Dane);
        Assert.Equal(2, host.TlsaRecords.Count);
        Assert.Null(host.MtaStsMxMatch);
        var requirement = host.CertificateRequirement;
        Assert.Equal(MxAuthentication.DaneEe, requirement.Authentication);
        Assert.Equal(Mx1, requirement.MxHost);
        Assert.True(requirement.Enforce);
        var record = Assert.Single(requirement.TlsaRecords);
        Assert.Equal(TlsaUsage.DaneEe, record.Usage);
        Assert.Equal([IPAddress.Parse("2001:db8::25"), IPAddress.Parse("192.0.2.25")], host.Addresses);
        Assert.Contains(host.Reasons, r => r.StartsWith("DANE: TLSA records 3 1 1 ABABABABABAB…, 1 1 1 000000000000…", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DANE_2_2_b_DaneTaOnly_AuthenticatesWithDaneTa_ReferenceIdentifiersFollowTheMxSecurity(bool mxSecure)
    {
        // Also: DANE-3.2.2-a (the TLSA base domain first), DANE-3.2.2-b (the next-hop domain only when the MX RRset is secure).
        _h.Mx(mxSecure, (10, Mx1)).DaneHost(Mx1, DaneTa(Mx1));

        var plan = await _h.PlanAsync();

        var host = Assert.Single(plan.Hosts);
        Assert.Equal(MxAuthentication.DaneTa, host.CertificateRequirement.Authentication);
        Assert.Equal(mxSecure, plan.MxSecure);
        Assert.Equal(mxSecure ? [Mx1, Domain] : new[] { Mx1 }, host.CertificateRequirement.ReferenceIdentifiers);
    }

    [Fact]
    public async Task DANE_3_2_2_b_SecureMxThroughCname_TheCnameExpandedNextHopIsAlsoAReferenceIdentifier()
    {
        // The recipient domain is an alias; its MX RRset lives at the target. With a secure MX answer the original next hop
        // and its CNAME-expanded form are both reference identifiers, after the TLSA base domain (RFC 7672 §3.2.2).
        const string Expanded = "real.example.test";
        _h.Dns.Answer(Domain, QueryType.MX, ad: true, Cname(Domain, Expanded + "."), Mx(Expanded, 10, Mx1 + "."));
        _h.DaneHost(Mx1, DaneTa(Mx1));

        var plan = await _h.PlanAsync();

        var host = Assert.Single(plan.Hosts);
        Assert.Equal(MxAuthentication.DaneTa, host.CertificateRequirement.Authentication);
        Assert.Equal([Mx1, Domain, Expanded], host.CertificateRequirement.ReferenceIdentifiers);
    }

    [Fact]
    public async Task DANE_3_2_2_b_InsecureMxThroughCname_NeitherNextHopNameIsAReferenceIdentifier()
    {
        const string Expanded = "real.example.test";
        _h.Dns.Answer(Domain, QueryType.MX, ad: false, Cname(Domain, Expanded + "."), Mx(Expanded, 10, Mx1 + "."));
        _h.DaneHost(Mx1, DaneTa(Mx1));

        var plan = await _h.PlanAsync();

        var host = Assert.Single(plan.Hosts);
        Assert.Equal([Mx1], host.CertificateRequirement.ReferenceIdentifiers);
    }

    [Fact]
    public async Task DANE_2_2_b_MixedDaneTaAndDaneEe_IsDaneEe_AndKeepsBothRecordsForTheValidator()
    {
        _h.Mx(secure: true, (10, Mx1)).DaneHost(Mx1, DaneTa(Mx1), DaneEe(Mx1));

        var host = Assert.Single((await _h.PlanAsync()).Hosts);

        Assert.Equal(MxAuthentication.DaneEe, host.CertificateRequirement.Authentication);
        Assert.Equal(2, host.CertificateRequirement.TlsaRecords.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("none")]
    [InlineData("testing")]
    public async Task PREC_c_SecureButUnusableTlsa_RequiresTls_WhateverMtaStsModeSays(string? mode)
    {
        // Also: DANE-2.2-c, DANE-2.2-a, DANE-2.2.3-f (no cleartext fallback once a secure TLSA record exists).
        _h.Mx(secure: true, (10, Mx1)).DaneHost(Mx1, PkixEe(Mx1));
        if (mode is not null)
        {
            _h.Publish(mode, mx: mode == "none" ? [] : [Mx1]);
        }

        var host = Assert.Single((await _h.PlanAsync()).Hosts);

        Assert.True(host.IsUsable);
        Assert.True(host.TlsRequired);
        Assert.Equal(DaneStatus.Unusable, host.Dane);
        Assert.Equal(mode == "testing" ? MxAuthentication.Pkix : MxAuthentication.None, host.CertificateRequirement.Authentication);
        Assert.Equal(mode != "testing", host.CertificateRequirement.Enforce);
        Assert.Empty(host.CertificateRequirement.TlsaRecords);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DANE_2_2_c_UnusableTlsa_UnderEnforce_MtaStsAppliesInFull(bool matches)
    {
        // DANE does not authenticate here, so MTA-STS is not overridden (A-13 concerns usable TLSA only).
        _h.Mx(secure: true, (10, Mx1), (20, Mx2)).DaneHost(Mx1, PkixEe(Mx1)).PlainHost(Mx2);
        _h.Publish("enforce", mx: matches ? [Mx1, Mx2] : [Mx2]);

        var plan = await _h.PlanAsync();

        var host = plan.Hosts[0];
        Assert.Equal(matches, host.IsUsable);
        Assert.True(host.TlsRequired);
        Assert.Equal(MxAuthentication.Pkix, host.CertificateRequirement.Authentication);
        Assert.Equal(matches ? null : "validation-failure", host.ReportResultType);
        Assert.True(host.CertificateRequirement.Enforce);
    }

    [Fact]
    public async Task DANE_2_2_d_NoTlsa_NoPolicy_IsOpportunistic()
    {
        // Also: DANE-2.1.1-g (a secure denial is an answer), DANE-2.2.1-i.
        _h.Mx(secure: true, (10, Mx1)).DaneHost(Mx1);

        var plan = await _h.PlanAsync();

        var host = Assert.Single(plan.Hosts);
        Assert.True(host.IsUsable);
        Assert.False(host.TlsRequired);
        Assert.Equal(MxAuthentication.None, host.CertificateRequirement.Authentication);
        Assert.Equal(DaneStatus.NotApplicable, host.Dane);
        Assert.Equal(MtaStsOutcome.NoPolicy, plan.MtaStsResolution!.Outcome);
    }

    [Fact]
    public async Task DANE_2_2_1_b_HostWithTlsa_DoesNotJumpAheadOfAMorePreferredHostWithout()
    {
        // Also: DANE-2.2.1-c (equal preferences keep the answer order).
        _h.Mx(secure: true, (20, Mx2), (10, Mx1), (20, "mx3.example.test"))
            .DaneHost(Mx2, DaneEe(Mx2)).PlainHost(Mx1).PlainHost("mx3.example.test");

        var plan = await _h.PlanAsync();

        Assert.Equal([Mx1, Mx2, "mx3.example.test"], plan.Hosts.Select(h => h.Host));
        Assert.Equal([10, 20, 20], plan.Hosts.Select(h => h.Preference));
        Assert.Equal(DaneStatus.NotApplicable, plan.Hosts[0].Dane);
        Assert.Equal(DaneStatus.Usable, plan.Hosts[1].Dane);
    }

    [Fact]
    public async Task DANE_8_1_a_SniIsTheTlsaBaseDomain_WhenTheMxHostIsASecureAlias()
    {
        // Also: A-14, DANE-3.2.2-a (base domain first), DANE-2.2.3-a (the expanded name is tried first).
        const string target = "mx.provider.test";
        _h.Mx(secure: true, (10, Mx1));
        _h.Dns.Answer(Mx1, QueryType.A, ad: true, Cname(Mx1, target + "."), A(target, "192.0.2.25"))
            .NoData(Mx1, QueryType.AAAA, ad: true, Cname(Mx1, target + "."))
            .Answer(TlsaName(target), QueryType.TLSA, ad: true, Tlsa(TlsaName(target), 2, 1, 1, new byte[32]));

        var host = Assert.Single((await _h.PlanAsync()).Hosts);

        Assert.Equal(target, host.Sni);
        Assert.Equal(Mx1, host.Host);
        Assert.Equal(Mx1, host.CertificateRequirement.MxHost);
        Assert.Equal([target, Domain], host.CertificateRequirement.ReferenceIdentifiers);
    }

    [Fact]
    public async Task A_14_SniIsTheMxHost_WhenDaneDoesNotApply()
    {
        _h.Mx(secure: false, (10, Mx1)).PlainHost(Mx1);
        _h.Publish("enforce", mx: Mx1);

        var host = Assert.Single((await _h.PlanAsync()).Hosts);

        Assert.Equal(Mx1, host.Sni);
        Assert.Equal(MxAuthentication.Pkix, host.CertificateRequirement.Authentication);
    }

    [Fact]
    public async Task DaneUnavailable_UntrustedResolver_MtaStsDecides()
    {
        // DANE-2.1.1-e: the AD bit of an untrusted resolver is not believed; DANE is reported unavailable, never assumed.
        _h.Dns.DefaultResolver = new IPEndPoint(IPAddress.Parse("198.51.100.53"), 53);
        _h.Mx(secure: true, (10, Mx1)).DaneHost(Mx1, DaneEe(Mx1));
        _h.Publish("enforce", mx: Mx1);

        var plan = await _h.PlanAsync();

        var host = Assert.Single(plan.Hosts);
        Assert.False(plan.MxSecure);
        Assert.Equal(DaneStatus.Unavailable, host.Dane);
        Assert.Equal(MxAuthentication.Pkix, host.CertificateRequirement.Authentication);
        Assert.True(host.TlsRequired);
        Assert.Equal(0, _h.AskedCount(QueryType.TLSA));
    }

    [Fact]
    public async Task DaneDisabled_NoTlsaQuery_MtaStsDecides()
    {
        using var h = new PlannerHarness(o => o.Dane.Enabled = false);
        h.Mx(secure: true, (10, Mx1)).DaneHost(Mx1, DaneEe(Mx1));
        h.Publish("testing", mx: Mx1);

        var host = Assert.Single((await h.PlanAsync()).Hosts);

        Assert.Equal(DaneStatus.Unavailable, host.Dane);
        Assert.Equal(MxAuthentication.Pkix, host.CertificateRequirement.Authentication);
        Assert.False(host.TlsRequired);
        Assert.False(host.CertificateRequirement.Enforce);
        Assert.Equal(0, h.AskedCount(QueryType.TLSA));
    }

    // ---- DANE first (A-13) -------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_13_DaneAuthenticatesTheHost_AnMtaStsEnforceMismatchDoesNotSkipIt()
    {
        _h.Mx(secure: true, (10, Mx1)).DaneHost(Mx1, DaneEe(Mx1));
        _h.Publish("enforce", mx: "other.example.test");

        var plan = await _h.PlanAsync();

        var host = Assert.Single(plan.Hosts);
        Assert.True(host.IsUsable);
        Assert.Equal(MxAuthentication.DaneEe, host.CertificateRequirement.Authentication);
        Assert.False(host.MtaStsMxMatch);
        Assert.Null(host.ReportResultType);
        Assert.Contains(host.Reasons, r => r.Contains("decision A-13", StringComparison.Ordinal));
        Assert.Single(_h.LogsWithId(Log.IdDaneOverridesMtaSts));
        Assert.Equal(DeliveryPlanStatus.Deliver, plan.Status);
    }

    [Fact]
    public async Task A_13_DaneHost_MatchingEnforcePolicy_IsStillAuthenticatedByDaneNotPkix()
    {
        _h.Mx(secure: true, (10, Mx1)).DaneHost(Mx1, DaneEe(Mx1));
        _h.Publish("enforce", mx: Mx1);

        var host = Assert.Single((await _h.PlanAsync()).Hosts);

        Assert.True(host.MtaStsMxMatch);
        Assert.Equal(MxAuthentication.DaneEe, host.CertificateRequirement.Authentication);
        Assert.Equal(Mx1, host.Sni);
    }

    [Fact]
    public async Task A_13_RequireMtaStsWithDane_EnforceMismatch_SkipsTheDaneHost()
    {
        using var h = new PlannerHarness(o => o.Dane.RequireMtaSts = true);
        h.Mx(secure: true, (10, Mx1), (20, Mx2)).DaneHost(Mx1, DaneEe(Mx1)).DaneHost(Mx2, DaneEe(Mx2, 0x01));
        h.Publish("enforce", mx: Mx2);

        var plan = await h.PlanAsync();

        Assert.False(plan.Hosts[0].IsUsable);
        Assert.Equal("validation-failure", plan.Hosts[0].ReportResultType);
        Assert.Contains(plan.Hosts[0].Reasons, r => r.Contains("MtaStsOptions.Dane.RequireMtaSts", StringComparison.Ordinal));
        Assert.True(plan.Hosts[1].IsUsable);
        Assert.Equal(MxAuthentication.DaneEe, plan.Hosts[1].CertificateRequirement.Authentication);
    }

    [Fact]
    public async Task A_13_RequireMtaStsWithDane_TestingMismatch_DoesNotSkip()
    {
        using var h = new PlannerHarness(o => o.Dane.RequireMtaSts = true);
        h.Mx(secure: true, (10, Mx1)).DaneHost(Mx1, DaneEe(Mx1));
        h.Publish("testing", mx: "other.example.test");

        var host = Assert.Single((await h.PlanAsync()).Hosts);

        Assert.True(host.IsUsable);
        Assert.Equal(MxAuthentication.DaneEe, host.CertificateRequirement.Authentication);
    }

    // ---- MTA-STS (no DANE) -------------------------------------------------------------------------------------------

    [Fact]
    public async Task STS_4_a_EnforceAndMatchingHost_TlsRequired_PkixForTheMxHost()
    {
        // Also: STS-4.2-a, STS-4.2-b (what the validator checks: chain and SAN = MX host), STS-7.1-c (SNI = MX host).
        using var h = new PlannerHarness(o => o.AdditionalTrustedRoots.Add(TestRoot()));
        h.Mx(secure: false, (10, Mx1)).PlainHost(Mx1);
        h.Publish("enforce", mx: Mx1);

        var host = Assert.Single((await h.PlanAsync()).Hosts);

        Assert.True(host.IsUsable);
        Assert.True(host.TlsRequired);
        Assert.Equal(MxAuthentication.Pkix, host.CertificateRequirement.Authentication);
        Assert.True(host.MtaStsMxMatch);
        Assert.Equal(Mx1, host.Sni);
        var requirement = host.CertificateRequirement;
        Assert.Equal(MxAuthentication.Pkix, requirement.Authentication);
        Assert.Equal(Mx1, requirement.MxHost);
        Assert.True(requirement.Enforce);
        Assert.Single(requirement.AdditionalTrustedRoots!);
    }

    [Fact]
    public async Task STS_4_1_a_TheMxRecordTargetIsMatched_WildcardCoversExactlyOneLabel()
    {
        // Also: STS-4.1-b (case and trailing dot of DNS names do not matter).
        _h.Dns.Answer(Domain, QueryType.MX, ad: false,
            Mx(Domain, 10, "MX1.Example.Test."), Mx(Domain, 20, "a.mx.example.test."), Mx(Domain, 30, "b.c.mx.example.test."), Mx(Domain, 40, "mx.example.test."));
        _h.PlainHost(Mx1).PlainHost("a.mx.example.test").PlainHost("b.c.mx.example.test").PlainHost("mx.example.test");
        _h.Publish("enforce", mx: [Mx1, "*.mx.example.test"]);

        var plan = await _h.PlanAsync();

        Assert.Equal([true, true, false, false], plan.Hosts.Select(h => h.MtaStsMxMatch ?? false));
        Assert.Equal([true, true, false, false], plan.Hosts.Select(h => h.IsUsable));
    }

    [Fact]
    public async Task STS_5_a_EnforceMismatch_SkipsTheHostForNow_AndReportsIt()
    {
        // Also: STS-4-b, STS-B-a (the MX pattern is checked before any connection, so STARTTLS and the certificate come after).
        _h.Mx(secure: false, (10, Mx1), (20, "rogue.example.net")).PlainHost(Mx1).PlainHost("rogue.example.net");
        _h.Publish("enforce", mx: Mx1);

        var plan = await _h.PlanAsync();

        var rogue = plan.Hosts[1];
        Assert.False(rogue.IsUsable);
        Assert.True(rogue.TlsRequired);
        Assert.False(rogue.MtaStsMxMatch);
        Assert.Equal("validation-failure", rogue.ReportResultType);
        Assert.Contains(rogue.Reasons, r => r.Contains("mtasts-policy-mx-mismatch", StringComparison.Ordinal) && r.Contains(Mx1, StringComparison.Ordinal));
        Assert.Single(_h.LogsWithId(Log.IdHostSkipped));
        Assert.Equal(DeliveryPlanStatus.Deliver, plan.Status);
        Assert.Equal(1, _h.Sts.Discoverer.CallCount);
    }

    [Fact]
    public async Task STS_5_b_TestingMismatch_DeliversAnyway_PkixReportOnly_FailureToReport()
    {
        // Also: STS-B-c (any mode other than enforce delivers after a validation failure).
        _h.Mx(secure: false, (10, "rogue.example.net")).PlainHost("rogue.example.net");
        _h.Publish("testing", mx: Mx1);

        var plan = await _h.PlanAsync();

        var host = Assert.Single(plan.Hosts);
        Assert.True(host.IsUsable);
        Assert.False(host.TlsRequired);
        Assert.Equal(MxAuthentication.Pkix, host.CertificateRequirement.Authentication);
        Assert.False(host.CertificateRequirement.Enforce);
        Assert.False(host.MtaStsMxMatch);
        Assert.Equal("validation-failure", host.ReportResultType);
        Assert.Equal(DeliveryPlanStatus.Deliver, plan.Status);
    }

    [Fact]
    public async Task STS_5_c_ModeNone_IsTreatedAsNoPolicy()
    {
        _h.Mx(secure: false, (10, "anything.example.net")).PlainHost("anything.example.net");
        _h.Publish("none");

        var plan = await _h.PlanAsync();

        var host = Assert.Single(plan.Hosts);
        Assert.True(host.IsUsable);
        Assert.False(host.TlsRequired);
        Assert.Equal(MxAuthentication.None, host.CertificateRequirement.Authentication);
        Assert.Null(host.MtaStsMxMatch);
        Assert.Null(host.ReportResultType);
        Assert.Contains(plan.Reasons, r => r.Contains("mode none", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MtaStsFetchFailure_NothingCached_DeliversAsWithoutMtaSts()
    {
        // RFC 8461 §3.3; the failure is on the plan for TLS-RPT.
        _h.Mx(secure: false, (10, Mx1)).PlainHost(Mx1);
        _h.Sts.Discoverer.Found(Domain, "id1");
        _h.Sts.Fetcher.Fail(Domain);

        var plan = await _h.PlanAsync();

        var host = Assert.Single(plan.Hosts);
        Assert.True(host.IsUsable);
        Assert.Equal(MxAuthentication.None, host.CertificateRequirement.Authentication);
        Assert.Equal(MtaStsOutcome.FetchFailure, plan.MtaStsResolution!.Outcome);
        Assert.Contains(plan.Reasons, r => r.Contains("sts-policy-fetch-error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task STS_5_1_b_HostsStayInPreferenceOrder_AFailingCandidateLeavesTheNextOneUsable()
    {
        _h.Mx(secure: false, (30, "c.mx.example.test"), (10, "rogue.example.net"), (20, "b.mx.example.test"))
            .PlainHost("c.mx.example.test").PlainHost("rogue.example.net").PlainHost("b.mx.example.test");
        _h.Publish("enforce", mx: "*.mx.example.test");

        var plan = await _h.PlanAsync();

        Assert.Equal(["rogue.example.net", "b.mx.example.test", "c.mx.example.test"], plan.Hosts.Select(h => h.Host));
        Assert.Equal([false, true, true], plan.Hosts.Select(h => h.IsUsable));
        Assert.Equal("b.mx.example.test", plan.UsableHosts.First().Host);
    }

    [Fact]
    public async Task STS_8_4_a_EveryHostFailsEnforce_IsDefer_NotDeliveryAsIfNoPolicy()
    {
        // The failing hosts stay in the list (not filtered away, which could turn into "no policy" delivery).
        _h.Mx(secure: false, (10, "a.example.net"), (20, "b.example.net")).PlainHost("a.example.net").PlainHost("b.example.net");
        _h.Publish("enforce", mx: Mx1);

        var plan = await _h.PlanAsync();

        Assert.Equal(DeliveryPlanStatus.Defer, plan.Status);
        Assert.Equal(2, plan.Hosts.Count);
        Assert.All(plan.Hosts, h => Assert.Equal(MxAuthentication.Pkix, h.CertificateRequirement.Authentication));
        Assert.Empty(plan.UsableHosts);
    }

    // ---- Implicit MX (A-15) ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("example.test", true)]
    [InlineData("mx1.example.test", false)]
    public async Task A_15_ImplicitMx_TheDomainItselfIsTheHost_AndIsCheckedAgainstThePatterns(string pattern, bool usable)
    {
        _h.Dns.NoData(Domain, QueryType.MX, ad: true);
        _h.PlainHost(Domain);
        _h.Publish("enforce", mx: pattern);

        var plan = await _h.PlanAsync();

        Assert.True(plan.ImplicitMx);
        var host = Assert.Single(plan.Hosts);
        Assert.Equal(Domain, host.Host);
        Assert.Equal(0, host.Preference);
        Assert.Equal(usable, host.IsUsable);
        Assert.Equal(usable ? DeliveryPlanStatus.Deliver : DeliveryPlanStatus.Defer, plan.Status);
    }

    [Fact]
    public async Task A_15_ImplicitMxWithDaneTa_DomainIsAReferenceIdentifier()
    {
        _h.Dns.NoData(Domain, QueryType.MX, ad: false);
        _h.DaneHost(Domain, DaneTa(Domain));

        var host = Assert.Single((await _h.PlanAsync()).Hosts);

        Assert.Equal(MxAuthentication.DaneTa, host.CertificateRequirement.Authentication);
        Assert.Equal([Domain], host.CertificateRequirement.ReferenceIdentifiers);
        Assert.Equal(Domain, host.Sni);
    }

    // ---- Enforce, no usable host: re-check the TXT id first (A-20) ---------------------------------------------------

    [Fact]
    public async Task STS_5_d_EnforceWithNoUsableHost_RechecksTheTxtRecord_ThenDefers()
    {
        // Also: STS-5-e (transient), A-20.
        _h.Mx(secure: false, (10, "rogue.example.net")).PlainHost("rogue.example.net");
        _h.Publish("enforce", mx: Mx1);
        await _h.Sts.ResolveAsync(); // the TXT answer is now trusted for its recheck window

        var plan = await _h.PlanAsync();

        Assert.Equal(DeliveryPlanStatus.Defer, plan.Status);
        Assert.Equal(2, _h.Sts.Discoverer.CallCount); // the first resolution, then the re-check inside the window
        Assert.Equal(1, _h.Sts.Fetcher.CallCount);     // same id: no new fetch
        Assert.Contains(plan.Reasons, r => r.Contains("checked again", StringComparison.Ordinal) && r.Contains("unchanged", StringComparison.Ordinal));
        Assert.Single(_h.LogsWithId(Log.IdPolicyRecheck));
        Assert.Equal("id1", plan.MtaStsResolution!.Record!.Id);
    }

    [Fact]
    public async Task STS_5_1_c_RecheckFindsANewId_TheNewPolicyIsApplied()
    {
        _h.Mx(secure: false, (10, "mx.new.example.test")).PlainHost("mx.new.example.test");
        _h.Publish("enforce", "id1", Mx1);
        var first = await _h.Sts.ResolveAsync();
        _h.Publish("enforce", "id2", "*.new.example.test");

        var plan = await _h.PlanAsync();

        Assert.Equal("id1", first.Record!.Id);
        Assert.Equal(DeliveryPlanStatus.Deliver, plan.Status);
        Assert.Equal("id2", plan.MtaStsResolution!.Record!.Id);
        var host = Assert.Single(plan.Hosts);
        Assert.True(host.IsUsable);
        Assert.Equal(MxAuthentication.Pkix, host.CertificateRequirement.Authentication);
        Assert.Equal(2, _h.Sts.Fetcher.CallCount);
        Assert.Contains(plan.Reasons, r => r.Contains("newer answer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task STS_5_1_c_RecheckFindsModeNone_DeliversWithoutMtaSts()
    {
        // RFC 8461 §8.3: the publisher withdraws the policy with mode none and a new id.
        _h.Mx(secure: false, (10, "rogue.example.net")).PlainHost("rogue.example.net");
        _h.Publish("enforce", "id1", Mx1);
        await _h.Sts.ResolveAsync();
        _h.Publish("none", "id2");

        var plan = await _h.PlanAsync();

        Assert.Equal(DeliveryPlanStatus.Deliver, plan.Status);
        Assert.Equal(MxAuthentication.None, plan.Hosts[0].CertificateRequirement.Authentication);
        Assert.Equal(MtaStsMode.None, plan.MtaStsResolution!.Policy!.Mode);
    }

    [Fact]
    public async Task A_20_DeferredPlan_IsReusedBriefly_ThenTheTxtRecordIsCheckedAgain()
    {
        _h.Mx(secure: false, (10, "rogue.example.net")).PlainHost("rogue.example.net");
        _h.Publish("enforce", mx: Mx1);

        var first = await _h.PlanAsync();
        var again = await _h.PlanAsync();
        var discoveriesBefore = _h.Sts.Discoverer.CallCount;
        _h.Time.Advance(_h.Options.Cache.MinRecordRecheckInterval + TimeSpan.FromSeconds(1));
        var later = await _h.PlanAsync();

        Assert.Equal(DeliveryPlanStatus.Defer, first.Status);
        Assert.Same(first, again);
        Assert.Equal(2, discoveriesBefore);
        Assert.NotSame(first, later);
        Assert.Equal(DeliveryPlanStatus.Defer, later.Status);
        Assert.True(_h.Sts.Discoverer.CallCount > discoveriesBefore);
    }

    [Fact]
    public async Task A_20_ResolverRecheck_BypassesTheRecordWindow_OnlyWhenAsked()
    {
        _h.Publish("enforce", mx: Mx1);
        var first = await _h.Sts.ResolveAsync();

        var warm = await _h.Sts.Resolver.ResolveAsync(Domain, CancellationToken.None);
        var rechecked = await _h.Sts.Resolver.RecheckAsync(Domain, CancellationToken.None);

        Assert.Equal(PolicySource.Cache, warm.Source);
        Assert.Equal(2, _h.Sts.Discoverer.CallCount);
        Assert.Same(first.Policy, rechecked.Policy);
        Assert.Equal(PolicySource.Cache, rechecked.Source);
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 TestRoot()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Test Root", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));
    }
}
