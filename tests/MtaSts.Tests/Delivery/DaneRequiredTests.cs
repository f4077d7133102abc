using System.Net;
using DnsClient;
using MtaSts.Tests.Fakes;
using static MtaSts.Tests.Fakes.DaneFakeDns;
using static MtaSts.Tests.Fakes.PlannerHarness;

namespace MtaSts.Tests.Delivery;

/// <summary>Mandatory DANE for listed recipient domains (<see cref="MtaStsDaneOptions.RequiredDomains"/>; RFC 7672 §2.2, §2.2.1, §6).</summary>
public sealed class DaneRequiredTests : IDisposable
{
    private const string Other = "other.example.test";

    // Listed in another spelling than the one planned: entries are matched after normalisation.
    private readonly PlannerHarness _h = new(o => o.Dane.RequiredDomains.Add("EXAMPLE.Test."));

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task DANE_2_2_f_RequiredDomain_OnlyHostsWithUsableSecureTlsaAreUsed()
    {
        // Mx1: usable TLSA. Mx2: secure addresses, authenticated denial of TLSA. Both match the enforce policy.
        _h.Mx(secure: true, (10, Mx1), (20, Mx2)).DaneHost(Mx1, DaneEe(Mx1)).DaneHost(Mx2);
        _h.Publish("enforce", mx: [Mx1, Mx2]);

        var plan = await _h.PlanAsync();

        Assert.Equal(DeliveryPlanStatus.Deliver, plan.Status);
        var dane = plan.Hosts[0];
        Assert.True(dane.IsUsable);
        Assert.Equal(MxAuthentication.DaneEe, dane.CertificateRequirement.Authentication);
        Assert.Null(dane.ReportResultType);
        var plain = plan.Hosts[1];
        Assert.Equal(Mx2, plain.Host);
        Assert.False(plain.IsUsable);
        Assert.True(plain.TlsRequired);
        Assert.True(plain.MtaStsMxMatch); // MTA-STS would pass: not enough
        Assert.Equal("dane-required", plain.ReportResultType);
        Assert.Contains(plain.Reasons, r => r.Contains("MtaStsOptions.Dane.RequiredDomains", StringComparison.Ordinal));
        Assert.Contains(plan.Reasons, r => r.Contains("DANE is required for this domain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DANE_2_2_f_DomainNotListed_SameHosts_MtaStsStillDecides()
    {
        // The rule is per destination: a domain missing from the list keeps DANE-where-published.
        _h.MxFor(Other, secure: true, ttl: 300, (10, Mx1), (20, Mx2));
        _h.DaneHost(Mx1, DaneEe(Mx1)).DaneHost(Mx2);
        _h.Sts.Publish("id1", ResolverHarness.Policy("enforce", 604800, Mx1, Mx2), Other);

        var plan = await _h.PlanAsync(Other);

        Assert.All(plan.Hosts, host => Assert.True(host.IsUsable));
        Assert.Equal(MxAuthentication.Pkix, plan.Hosts[1].CertificateRequirement.Authentication);
        Assert.DoesNotContain(plan.Reasons, r => r.Contains("DANE is required", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DANE_2_2_1_e_RequiredDomain_InsecureMxRRset_Defers_EvenForAHostWithUsableTlsa()
    {
        // Also: DANE-2.2.1-g (without the requirement, DANE would still be used for this host behind an insecure MX).
        _h.Mx(secure: false, (10, Mx1)).DaneHost(Mx1, DaneEe(Mx1));
        _h.Publish("enforce", mx: Mx1);

        var plan = await _h.PlanAsync();

        Assert.Equal(DeliveryPlanStatus.Defer, plan.Status);
        Assert.False(plan.MxSecure);
        var host = Assert.Single(plan.Hosts);
        Assert.Equal(DaneStatus.Usable, host.Dane);
        Assert.False(host.IsUsable);
        Assert.True(host.TlsRequired);
        Assert.Equal("dane-required", host.ReportResultType);
        Assert.Contains(host.Reasons, r => r.Contains("MX RRset is not DNSSEC-secure", StringComparison.Ordinal));
        Assert.Contains(plan.Reasons, r => r.Contains("MX answer is not DNSSEC-secure", StringComparison.Ordinal));
        Assert.Equal(1, _h.Sts.Discoverer.CallCount); // no A-20 TXT re-check: MTA-STS cannot cure this

        using var optional = new PlannerHarness();
        optional.Mx(secure: false, (10, Mx1)).DaneHost(Mx1, DaneEe(Mx1));
        var withoutRequirement = Assert.Single((await optional.PlanAsync()).Hosts);
        Assert.True(withoutRequirement.IsUsable);
        Assert.Equal(MxAuthentication.DaneEe, withoutRequirement.CertificateRequirement.Authentication);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DANE_2_2_1_e_RequiredDomain_ImplicitMx_NeedsASecureDenialOfTheMxRecords(bool denialSecure)
    {
        _h.Dns.NoData(Domain, QueryType.MX, ad: denialSecure);
        _h.DaneHost(Domain, DaneEe(Domain));

        var plan = await _h.PlanAsync();

        Assert.True(plan.ImplicitMx);
        var host = Assert.Single(plan.Hosts);
        Assert.Equal(denialSecure, host.IsUsable);
        Assert.Equal(denialSecure ? DeliveryPlanStatus.Deliver : DeliveryPlanStatus.Defer, plan.Status);
        Assert.Equal(denialSecure ? null : "dane-required", host.ReportResultType);
    }

    [Fact]
    public async Task DANE_2_2_1_e_RequiredDomain_ImplicitMxWithInsecureAddresses_Defers()
    {
        // The denial of MX is secure, but the implicit MX's own address answer is not: no DANE for it (RFC 7672 §2.2.2).
        _h.Dns.NoData(Domain, QueryType.MX, ad: true);
        _h.PlainHost(Domain);

        var plan = await _h.PlanAsync();

        var host = Assert.Single(plan.Hosts);
        Assert.Equal(DeliveryPlanStatus.Defer, plan.Status);
        Assert.False(host.IsUsable);
        Assert.Equal("dane-required", host.ReportResultType);
        Assert.Equal(0, _h.AskedCount(QueryType.TLSA));
    }

    [Fact]
    public async Task DANE_6_a_RequiredDomain_NoUsableTlsaAnywhere_Defers_ThoughMtaStsEnforceMatches()
    {
        // Mx1: authenticated denial of TLSA. Mx2: a secure TLSA RRset with only a PKIX-EE record (unusable for SMTP),
        // which would make TLS mandatory but authenticates nothing. Mx3: insecure addresses. All match enforce.
        const string Mx3 = "mx3.example.test";
        _h.Mx(secure: true, (10, Mx1), (20, Mx2), (30, Mx3)).DaneHost(Mx1).DaneHost(Mx2, PkixEe(Mx2)).PlainHost(Mx3);
        _h.Publish("enforce", mx: "*.example.test");

        var plan = await _h.PlanAsync();

        Assert.Equal(DeliveryPlanStatus.Defer, plan.Status);
        Assert.Equal([DaneStatus.NotApplicable, DaneStatus.Unusable, DaneStatus.NotApplicable], plan.Hosts.Select(h => h.Dane));
        Assert.All(plan.Hosts, host =>
        {
            Assert.False(host.IsUsable);
            Assert.True(host.MtaStsMxMatch);
            Assert.Equal("dane-required", host.ReportResultType);
        });
        Assert.Contains(plan.Hosts[1].Reasons, r => r.Contains("all unusable", StringComparison.Ordinal));
        Assert.Equal(1, _h.Sts.Discoverer.CallCount); // no A-20 TXT re-check: no host failed for an MX-name mismatch
        Assert.Contains("retry later", plan.Reasons[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task DANE_6_a_RequiredDomain_NoMtaStsPolicy_NoOpportunisticTlsEither()
    {
        _h.Mx(secure: true, (10, Mx1)).DaneHost(Mx1);

        var plan = await _h.PlanAsync();

        var host = Assert.Single(plan.Hosts);
        Assert.Equal(DeliveryPlanStatus.Defer, plan.Status);
        Assert.False(host.IsUsable);
        Assert.Equal("dane-required", host.ReportResultType);
    }

    [Fact]
    public async Task DANE_6_a_RequiredDomain_UntrustedResolver_DaneCannotBeEstablished_Defers()
    {
        // Also: DANE-2.1.1-e. The AD bit of an untrusted resolver is not believed, so nothing is secure.
        _h.Dns.DefaultResolver = new IPEndPoint(IPAddress.Parse("198.51.100.53"), 53);
        _h.Mx(secure: true, (10, Mx1)).DaneHost(Mx1, DaneEe(Mx1));

        var plan = await _h.PlanAsync();

        Assert.Equal(DeliveryPlanStatus.Defer, plan.Status);
        Assert.Equal(DaneStatus.Unavailable, Assert.Single(plan.Hosts).Dane);
        Assert.Equal("dane-required", plan.Hosts[0].ReportResultType);
    }

    [Fact]
    public async Task DANE_6_a_RequiredDomain_TlsaLookupFailure_StaysDnssecInvalid()
    {
        // A lookup error is reported as what it is; the host is skipped either way.
        _h.Mx(secure: true, (10, Mx1), (20, Mx2)).TlsaFails(Mx1).DaneHost(Mx2, DaneTa(Mx2));

        var plan = await _h.PlanAsync();

        Assert.Equal("dnssec-invalid", plan.Hosts[0].ReportResultType);
        Assert.False(plan.Hosts[0].IsUsable);
        Assert.True(plan.Hosts[1].IsUsable);
        Assert.Equal(MxAuthentication.DaneTa, plan.Hosts[1].CertificateRequirement.Authentication);
    }
}
