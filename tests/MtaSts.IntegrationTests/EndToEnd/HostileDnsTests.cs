using MtaSts.IntegrationTests.Testing;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>
/// RFC 5452 §3, §9.2: a UDP datagram that is not the answer to the query (wrong transaction id, junk with the right id,
/// a message with QR = 0, a bare header that echoes no question) is not an answer. It must not end the lookup: the library asks again over TCP, which an
/// off-path attacker cannot forge, within the DNS budget. Each fault sends the forged datagram first and the real
/// answer after it, on every UDP query.
/// </summary>
public sealed class HostileDnsTests(WorldFixture fixture) : IClassFixture<WorldFixture>
{
    /// <summary>Every forged datagram the test kit sends before the real answer.</summary>
    public static TheoryData<DnsFault> SpoofFaults =>
        [DnsFault.SpoofedTransactionId, DnsFault.SpoofedJunk, DnsFault.SpoofedQueryEcho, DnsFault.SpoofedNoQuestion];

    private MtaStsTestWorld World => fixture.World;

    [Theory]
    [InlineData(DnsFault.SpoofedTransactionId, 1)]
    [InlineData(DnsFault.SpoofedTransactionId, 0)]
    [InlineData(DnsFault.SpoofedJunk, 1)]
    [InlineData(DnsFault.SpoofedJunk, 0)]
    [InlineData(DnsFault.SpoofedQueryEcho, 1)]
    [InlineData(DnsFault.SpoofedQueryEcho, 0)]
    [InlineData(DnsFault.SpoofedNoQuestion, 1)]
    [InlineData(DnsFault.SpoofedNoQuestion, 0)]
    public async Task RFC5452_SpoofedDatagramAtTxtLookup_DoesNotEndDiscovery(DnsFault fault, int retries)
    {
        var domain = WorldFixture.UniqueDomain("spooftxt");
        World.PublishPolicy(domain, "s1", MtaStsMode.Enforce, 86400, "mx." + domain);
        World.Dns.SetFault("_mta-sts." + domain, fault);
        using var resolver = fixture.CreateResolver(o => o.Dns.Retries = retries);

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal(MtaStsFailure.None, result.Failure);
        Assert.Equal("s1", result.Record?.Id);
        Assert.Contains(World.Dns.Queries, q => q.Name == "_mta-sts." + domain && q.Transport == DnsTransport.Tcp);
    }

    [Theory]
    [MemberData(nameof(SpoofFaults))]
    public async Task RFC5452_SpoofedDatagramAtPolicyHostLookup_DoesNotEndTheFetch(DnsFault fault)
    {
        var domain = WorldFixture.UniqueDomain("spoofhost");
        World.PublishPolicy(domain, "h1", MtaStsMode.Testing, 86400, "mx." + domain);
        World.Dns.SetFault("mta-sts." + domain, fault);
        using var resolver = fixture.CreateResolver();

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal(PolicySource.Fetched, result.Source);
    }

    [Theory]
    [MemberData(nameof(SpoofFaults))]
    public async Task RFC5452_SpoofedDatagramAtMxLookup_DoesNotDeferDelivery(DnsFault fault)
    {
        var domain = WorldFixture.UniqueDomain("spoofmx");
        World.Dns.AddMx(domain, 10, "mx1." + domain);
        World.Dns.AddA("mx1." + domain, System.Net.IPAddress.Parse("192.0.2.30"));
        World.Dns.SetFault(domain, DnsRecordType.MX, fault);
        using var planner = DeliveryPlanner.Create(World.CreateOptions());

        var plan = await planner.PlanDeliveryAsync(domain);

        Assert.Equal(DeliveryPlanStatus.Deliver, plan.Status);
        Assert.Equal("mx1." + domain, Assert.Single(plan.Hosts).Host);
    }

    [Theory]
    [MemberData(nameof(SpoofFaults))]
    public async Task RFC5452_DANE_2_1_1_SpoofedDatagramAtTlsaLookup_DoesNotTurnDaneOff(DnsFault fault)
    {
        // A forged "no such record" for the TLSA name would downgrade a DANE host to MTA-STS or opportunistic TLS.
        var domain = WorldFixture.UniqueDomain("spooftlsa");
        var mx = "mx1." + domain;
        World.PublishDaneAndMtaSts(domain, "t1", mx, "rogue." + domain);
        World.Dns.SetFault("_25._tcp." + mx, DnsRecordType.TLSA, fault);
        using var planner = DeliveryPlanner.Create(World.CreateOptions());

        var plan = await planner.PlanDeliveryAsync(domain);

        var host = plan.Hosts.First(h => h.Host == mx);
        Assert.True(host.IsUsable);
        Assert.Equal(MxAuthentication.DaneEe, host.CertificateRequirement.Authentication);
        Assert.Contains(World.Dns.Queries, q => q.Name == "_25._tcp." + mx && q.Type == DnsRecordType.TLSA && q.Transport == DnsTransport.Tcp);
    }

    [Fact]
    public async Task RFC5452_ServerThatNeverAnswersProperly_IsStillADnsFailure()
    {
        // The control: junk over TCP as well (DnsFault.Malformed) stays a temporary DNS failure, it is not retried forever.
        var domain = WorldFixture.UniqueDomain("junkboth");
        World.Dns.SetFault("_mta-sts." + domain, DnsFault.Malformed);
        using var resolver = fixture.CreateResolver(o => o.Dns.Retries = 0);

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.DnsFailure, result.Outcome);
    }
}
