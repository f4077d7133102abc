using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MtaSts.Tests.Fakes;
using static MtaSts.Tests.Fakes.DaneFakeDns;
using static MtaSts.Tests.Fakes.PlannerHarness;

namespace MtaSts.Tests.Delivery;

/// <summary>The planner as users meet it: the facade, DI, the certificate callback of a decision, the readable plan.</summary>
public sealed class DeliveryPlannerFacadeTests
{
    [Fact]
    public void AddMtaSts_RegistersOnePlanner_SharingTheResolverSingleton()
    {
        var services = new ServiceCollection();
        services.AddMtaSts(o => o.Dns.NameServers.Add(new IPEndPoint(IPAddress.Loopback, 53)));
        using var provider = services.BuildServiceProvider();

        var planner = provider.GetRequiredService<IDeliveryPlanner>();

        var concrete = Assert.IsType<DeliveryPlanner>(planner);
        Assert.Same(planner, provider.GetRequiredService<IDeliveryPlanner>());
        Assert.Same(provider.GetRequiredService<IMtaStsPolicyResolver>(), concrete.Resolver);
        Assert.Single(services, d => d.ServiceType == typeof(IDeliveryPlanner));
    }

    [Fact]
    public void AddMtaSts_KeepsTheApplicationsOwnPlanner()
    {
        var services = new ServiceCollection();
        var own = new OwnPlanner();
        services.AddSingleton<IDeliveryPlanner>(own);
        services.AddMtaSts(o => o.Dns.NameServers.Add(new IPEndPoint(IPAddress.Loopback, 53)));
        using var provider = services.BuildServiceProvider();

        Assert.Same(own, provider.GetRequiredService<IDeliveryPlanner>());
    }

    [Fact]
    public async Task Create_ValidatesTheOptions_AndBuildsAPlannerWithItsOwnResolver()
    {
        var bad = new MtaStsOptions { Delivery = { SmtpPort = 0 } };
        var error = Assert.Throws<OptionsValidationException>(() => DeliveryPlanner.Create(bad));
        Assert.Contains(error.Failures, f => f.Contains(nameof(MtaStsOptions.Delivery.SmtpPort), StringComparison.Ordinal));

        var options = new MtaStsOptions();
        options.Dns.NameServers.Add(new IPEndPoint(IPAddress.Loopback, 53));
        using var planner = DeliveryPlanner.Create(options);

        Assert.IsType<MtaStsPolicyResolver>(planner.Resolver);
        await Assert.ThrowsAsync<ArgumentException>(() => planner.PlanDeliveryAsync("[192.0.2.1]"));
    }

    [Fact]
    public async Task DaneEeDecision_Callback_AcceptsTheMatchingCertificate_AndRejectsAnother()
    {
        using var h = new PlannerHarness();
        using var server = SelfSigned("CN=anything-at-all");
        using var stranger = SelfSigned("CN=" + Mx1);
        var digest = SHA256.HashData(server.PublicKey.ExportSubjectPublicKeyInfo());
        h.Mx(secure: true, (10, Mx1)).DaneHost(Mx1, Tlsa(TlsaName(Mx1), 3, 1, 1, digest));
        var host = Assert.Single((await h.PlanAsync()).Hosts);
        var results = new List<CertificateValidationResult>();

        var callback = host.CreateCertificateValidationCallback(results.Add);
        var accepted = callback(this, server, null, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch);
        var rejected = callback(this, stranger, null, SslPolicyErrors.None);

        Assert.True(accepted);
        Assert.False(rejected);
        Assert.Equal(2, results.Count);
        Assert.Equal(CertificateVerdict.Passed, results[0].Verdict);
        Assert.Equal(MxAuthentication.DaneEe, results[0].Authentication);
        Assert.Equal("tlsa-invalid", results[1].ResultType);
    }

    [Fact]
    public async Task PREC_a_DaneHost_ACertificateThatPassesPkixButMatchesNoTlsaRecord_IsRejected_EvenUnderMatchingEnforce()
    {
        // Also: STS-2-a, DANE-3.2-a (authenticate with the TLSA records; no PKIX fallback).
        using var h = new PlannerHarness();
        using var published = SelfSigned("CN=" + Mx1);
        using var presented = SelfSigned("CN=" + Mx1);
        h.Mx(secure: true, (10, Mx1)).DaneHost(Mx1, Tlsa(TlsaName(Mx1), 3, 1, 1, SHA256.HashData(published.PublicKey.ExportSubjectPublicKeyInfo())));
        h.Publish("enforce", mx: Mx1);
        var host = Assert.Single((await h.PlanAsync()).Hosts);
        CertificateValidationResult? result = null;

        // SslPolicyErrors.None: the platform would have trusted this chain (a PKIX pass).
        var accepted = host.CreateCertificateValidationCallback(r => result = r)(this, presented, null, SslPolicyErrors.None);

        Assert.Equal(MxAuthentication.DaneEe, host.CertificateRequirement.Authentication);
        Assert.False(accepted);
        Assert.NotEqual(CertificateVerdict.Passed, result!.Verdict);
        Assert.Equal("tlsa-invalid", result.ResultType);
    }

    [Fact]
    public async Task OpportunisticDecision_Callback_AcceptsAnyCertificate()
    {
        using var h = new PlannerHarness();
        using var any = SelfSigned("CN=unrelated.example.net");
        h.Mx(secure: false, (10, Mx1)).PlainHost(Mx1);
        var host = Assert.Single((await h.PlanAsync()).Hosts);

        Assert.Equal(MxAuthentication.None, host.CertificateRequirement.Authentication);
        Assert.True(host.CreateCertificateValidationCallback()(this, any, null, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public async Task ToString_IsATable_WithOneRowPerHost_AndTheReasonsBelow()
    {
        using var h = new PlannerHarness();
        h.Mx(secure: true, (10, Mx1), (20, "rogue.example.net")).DaneHost(Mx1, DaneEe(Mx1)).PlainHost("rogue.example.net");
        h.Publish("enforce", mx: Mx1);

        var text = (await h.PlanAsync()).ToString();

        var lines = text.Split(Environment.NewLine);
        Assert.Equal("example.test: deliver (MX secure, MTA-STS enforce id id1)", lines[0]);
        Assert.Matches(@"^  pref\s+host\s+use\s+tls\s+auth\s+sni\s+dane$", lines[1]);
        Assert.Matches(@"^  10\s+mx1\.example\.test\s+yes\s+required\s+dane-ee\s+mx1\.example\.test\s+usable$", lines[2]);
        Assert.Contains(lines, l => l.StartsWith("        - DANE: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^  20\s+rogue\.example\.net\s+later\s+required\s+pkix\s+rogue\.example\.net\s+none$"));
        Assert.Contains(lines, l => l.StartsWith("  * MX: ", StringComparison.Ordinal));
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private sealed class OwnPlanner : IDeliveryPlanner
    {
        public Task<DeliveryPlan> PlanDeliveryAsync(string domain, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
