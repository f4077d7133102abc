using System.Net;

namespace MtaSts.Dns;

/// <summary>Looks up the addresses of a host (A and AAAA), so the policy fetch can share the TXT lookup's DNS view.</summary>
internal interface IHostAddressResolver
{
    /// <summary>The addresses of a host, IPv6 and IPv4; empty when the name has none. Throws <see cref="System.Net.Http.HttpRequestException"/> with <c>NameResolutionError</c> on DNS failure.</summary>
    Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken);
}
