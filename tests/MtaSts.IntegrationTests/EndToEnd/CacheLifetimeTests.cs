using Microsoft.Extensions.Time.Testing;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>Cache lifetimes through real sockets, with the resolver's clock driven by a <see cref="FakeTimeProvider"/>.</summary>
public sealed class CacheLifetimeTests(WorldFixture fixture) : IClassFixture<WorldFixture>
{
    private MtaStsTestWorld World => fixture.World;

    [Fact]
    public async Task STS_3_2_e_PolicyIsCachedForMaxAgeFromTheFetch_ThenFetchedAgain()
    {
        // Also: STS-5.1-a, A-11
        var domain = WorldFixture.UniqueDomain("lifetime");
        World.PublishPolicy(domain, "l1", MtaStsMode.Enforce, 3600, "mx." + domain);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        using var resolver = fixture.CreateResolver(
            o => { o.Cache.MinRecordRecheckInterval = TimeSpan.FromSeconds(10); o.Cache.MaxRecordRecheckInterval = TimeSpan.FromSeconds(10); },
            clock);
        var host = "mta-sts." + domain;
        var txt = "_mta-sts." + domain;

        var first = await resolver.ResolveAsync(domain);
        Assert.Equal(PolicySource.Fetched, first.Source);
        Assert.Equal(clock.GetUtcNow().AddSeconds(3600), first.ExpiresAt);

        // Inside the TXT recheck window: a pure in-memory hit.
        clock.Advance(TimeSpan.FromSeconds(5));
        var queries = World.Dns.QueryCount(txt, DnsRecordType.TXT);
        Assert.Equal(PolicySource.Cache, (await resolver.ResolveAsync(domain)).Source);
        Assert.Equal(queries, World.Dns.QueryCount(txt, DnsRecordType.TXT));

        // Window over, same id: the TXT record is asked again, the policy is not fetched again.
        clock.Advance(TimeSpan.FromMinutes(20));
        var confirmed = await resolver.ResolveAsync(domain);
        Assert.Equal(PolicySource.Cache, confirmed.Source);
        Assert.Equal(queries + 1, World.Dns.QueryCount(txt, DnsRecordType.TXT));
        Assert.Equal(1, World.PolicyHost.RequestCount(host));
        Assert.Equal(first.ExpiresAt, confirmed.ExpiresAt);

        // max_age after the fetch: the cached policy has expired and is fetched again.
        clock.Advance(TimeSpan.FromMinutes(41));
        var refetched = await resolver.ResolveAsync(domain);
        Assert.Equal(PolicySource.Fetched, refetched.Source);
        Assert.Equal(2, World.PolicyHost.RequestCount(host));
        Assert.Equal(clock.GetUtcNow().AddSeconds(3600), refetched.ExpiresAt);
    }

    [Fact]
    public async Task STS_3_3_j_FailedFetch_IsNotRepeatedForTheSameIdWithinFiveMinutes()
    {
        var domain = WorldFixture.UniqueDomain("backoff");
        World.PublishPolicy(domain, "b1", MtaStsMode.Enforce, 86400, "mx." + domain);
        World.PolicyHost.SetResponse("mta-sts." + domain, new PolicyResponse { StatusCode = 404 });
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        using var resolver = fixture.CreateResolver(o => { o.Cache.MinRecordRecheckInterval = TimeSpan.Zero; o.Cache.MaxRecordRecheckInterval = TimeSpan.Zero; }, clock);

        Assert.Equal(MtaStsOutcome.FetchFailure, (await resolver.ResolveAsync(domain)).Outcome);
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(MtaStsOutcome.FetchFailure, (await resolver.ResolveAsync(domain)).Outcome);
        Assert.Equal(1, World.PolicyHost.RequestCount("mta-sts." + domain));

        World.PolicyHost.SetPolicy(domain, "version: STSv1\r\nmode: enforce\r\nmx: mx." + domain + "\r\nmax_age: 86400\r\n");
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var after = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.Policy, after.Outcome);
        Assert.Equal(2, World.PolicyHost.RequestCount("mta-sts." + domain));
    }
}
