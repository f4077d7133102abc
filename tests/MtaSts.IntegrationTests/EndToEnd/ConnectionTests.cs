using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>Resources a sender keeps after fetching policies (issue 10 §1): no idle connection to policy hosts.</summary>
public sealed class ConnectionTests(WorldFixture fixture) : IClassFixture<WorldFixture>
{
    private MtaStsTestWorld World => fixture.World;

    [Fact]
    public async Task PolicyFetches_OfManyDistinctHosts_LeaveNoConnectionOpen()
    {
        const int Domains = 40;
        var domains = Enumerable.Range(0, Domains).Select(i => WorldFixture.UniqueDomain("conn" + i)).ToArray();
        foreach (var domain in domains)
        {
            World.PublishPolicy(domain, "c1", MtaStsMode.Enforce, 86400, "mx." + domain);
        }

        using var resolver = fixture.CreateResolver();

        var results = await Task.WhenAll(domains.Select(d => resolver.ResolveAsync(d)));

        Assert.All(results, r => Assert.Equal(MtaStsOutcome.Policy, r.Outcome));
        Assert.Equal(Domains, domains.Sum(d => World.PolicyHost.RequestCount("mta-sts." + d)));

        // Each request said "Connection: close", so every connection ends with its response; the resolver (and its
        // HTTP pool) is still alive here. Before, the pool kept one TLS connection per policy host for a minute.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (World.PolicyHost.OpenConnections > 0 && waited.Elapsed < TimeSpan.FromSeconds(3))
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, World.PolicyHost.OpenConnections);
    }
}
