using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Testing;

/// <summary>DANE set-ups in the loopback world, whose DNS server is a trusted (loopback) resolver that sets the AD bit on request.</summary>
internal static class DaneWorld
{
    /// <summary>
    /// Publishes a recipient domain with a DANE host and an MTA-STS <c>enforce</c> policy that lists only that host:
    /// MX <paramref name="daneHost"/> (10, with a DNSSEC-secure TLSA 3 1 1 record) and <paramref name="rogueHost"/>
    /// (20, no TLSA, matching no pattern); the MX RRset is secure.
    /// </summary>
    public static void PublishDaneAndMtaSts(this MtaStsTestWorld world, string domain, string policyId, string daneHost, string rogueHost)
    {
        world.PublishMx(domain, (10, daneHost), (20, rogueHost));
        world.PublishPolicy(domain, policyId, MtaStsMode.Enforce, 604800, daneHost);
        world.Dns.AddTlsa("_25._tcp." + daneHost, 3, 1, 1, Enumerable.Repeat((byte)0xAB, 32).ToArray());
        foreach (var name in new[] { domain, daneHost, "_25._tcp." + daneHost })
        {
            world.Dns.SetAuthenticatedData(name, true);
        }
    }
}
