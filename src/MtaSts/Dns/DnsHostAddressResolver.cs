using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace MtaSts.Dns;

/// <summary>A and AAAA lookups through DnsClient.</summary>
/// <remarks>
/// Both queries run in parallel and follow CNAMEs like TXT discovery does. The addresses come back IPv6 and IPv4
/// interleaved, IPv6 first (<see cref="AddressOrder"/>), so a connection attempt alternates families. One family failing while the
/// other answers is not an error; only no address at all is.
/// </remarks>
internal sealed class DnsHostAddressResolver : IHostAddressResolver
{
    private readonly IDnsQuery _dns;

    public DnsHostAddressResolver(IDnsQuery dns)
    {
        _dns = dns;
    }

    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);

        Task<DnsLookupResult> v6 = DnsChainLookup.QueryAsync(_dns, host, QueryType.AAAA, cancellationToken);
        Task<DnsLookupResult> v4 = DnsChainLookup.QueryAsync(_dns, host, QueryType.A, cancellationToken);
        try
        {
            await Task.WhenAll(v6, v4).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }

        DnsLookupResult aaaa = await v6.ConfigureAwait(false);
        DnsLookupResult a = await v4.ConfigureAwait(false);
        IReadOnlyList<IPAddress> addresses = AddressOrder.Interleave(Addresses(aaaa), Addresses(a));
        if (addresses.Count > 0)
        {
            return addresses;
        }

        string message = a.Status == DnsLookupStatus.Failed || aaaa.Status == DnsLookupStatus.Failed
            ? $"DNS lookup of {host} failed: {Describe(a)}; {Describe(aaaa)}"
            : $"{host} has no IP address: {Describe(a)}; {Describe(aaaa)}";
        throw new HttpRequestException(HttpRequestError.NameResolutionError, message);
    }

    private static IEnumerable<IPAddress?> Addresses(DnsLookupResult result) =>
        result.Status == DnsLookupStatus.Found ? result.Records.OfType<AddressRecord>().Select(r => r.Address) : [];

    private static string Describe(DnsLookupResult result) => result.Status switch
    {
        DnsLookupStatus.Found => $"{result.FinalName} has no usable address record",
        _ => result.Message ?? result.ResponseCode ?? "no answer",
    };
}
