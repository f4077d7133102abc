using Microsoft.Extensions.DependencyInjection;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary><c>AddMtaSts</c> end to end: the policy is fetched through the IHttpClientFactory client.</summary>
public sealed class DependencyInjectionTests(WorldFixture fixture) : IClassFixture<WorldFixture>
{
    private MtaStsTestWorld World => fixture.World;

    [Fact]
    public async Task AddMtaSts_ResolvesThroughTheFactoryClient()
    {
        var domain = WorldFixture.UniqueDomain("di");
        World.PublishPolicy(domain, "di1", MtaStsMode.Enforce, 604800, "mx." + domain);
        var worldOptions = World.CreateOptions();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMtaSts(o =>
        {
            foreach (var server in worldOptions.Dns.NameServers)
            {
                o.Dns.NameServers.Add(server);
            }

            o.AdditionalTrustedRoots.AddRange(worldOptions.AdditionalTrustedRoots);
            o.PolicyFetch.Port = worldOptions.PolicyFetch.Port;
            o.PolicyFetch.AllowPrivateAddresses = worldOptions.PolicyFetch.AllowPrivateAddresses;
            o.Dns.Timeout = worldOptions.Dns.Timeout;
        });
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var resolver = provider.GetRequiredService<IMtaStsPolicyResolver>();
        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal(PolicySource.Fetched, result.Source);
        Assert.Equal(1, World.PolicyHost.RequestCount("mta-sts." + domain));
    }
}
