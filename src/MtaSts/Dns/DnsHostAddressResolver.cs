using System.Net;
using DnsClient;

namespace MtaSts.Dns;

/// <summary>A and AAAA lookups through DnsClient.</summary>
internal sealed class DnsHostAddressResolver : IHostAddressResolver
{
    private readonly IDnsQuery _dns;

    public DnsHostAddressResolver(IDnsQuery dns)
    {
        _dns = dns;
    }

    public Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken) => throw new NotImplementedException();
}
