using DnsClient;

namespace MtaSts.Dns;

/// <summary>Builds the one <see cref="LookupClient"/> a resolver shares between TXT discovery and policy-host lookups.</summary>
internal static class DnsClientFactory
{
    /// <summary>
    /// A client asking <see cref="MtaStsOptions.NameServers"/>, or the system's servers. DnsClient's own cache is off
    /// (the resolver caches by TTL itself). When automatic discovery finds no server (a network namespace whose only
    /// interface is loopback), the servers of <c>/etc/resolv.conf</c> are read directly.
    /// </summary>
    public static ILookupClient Create(MtaStsOptions options) => throw new NotImplementedException();
}
