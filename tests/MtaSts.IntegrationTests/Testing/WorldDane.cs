using System.Security.Cryptography;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Testing;

/// <summary>DANE records for the kit's SMTP hosts.</summary>
internal static class WorldDane
{
    /// <summary>Publishes a 3 1 1 TLSA record for each host (its own key unless <paramref name="wrongKey"/>) and marks the chain DNSSEC-secure.</summary>
    public static void PublishDaneEe(this MtaStsTestWorld world, string domain, string[] hosts, bool wrongKey = false)
    {
        world.Dns.SetAuthenticatedData(domain, true);
        foreach (var host in hosts)
        {
            var data = wrongKey ? Enumerable.Repeat((byte)0xAB, 32).ToArray() : SHA256.HashData(world.Smtp.GetCertificate(host).PublicKey.ExportSubjectPublicKeyInfo());
            world.Dns.AddTlsa("_25._tcp." + host, 3, 1, 1, data);
            world.Dns.SetAuthenticatedData(host, true);
            world.Dns.SetAuthenticatedData("_25._tcp." + host, true);
        }
    }
}
