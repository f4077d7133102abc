using System.Net;

namespace MtaSts.Dns;

/// <summary>The one order in which the library tries a host's addresses, for the policy fetch and for SMTP delivery.</summary>
internal static class AddressOrder
{
    /// <summary>
    /// IPv6 and IPv4 addresses interleaved, IPv6 first (RFC 8305 §4), so consecutive attempts alternate families; each
    /// family keeps its answer order, and an address listed twice is kept once, where it first appears.
    /// </summary>
    public static IReadOnlyList<IPAddress> Interleave(IEnumerable<IPAddress?> ipv6, IEnumerable<IPAddress?> ipv4)
    {
        ArgumentNullException.ThrowIfNull(ipv6);
        ArgumentNullException.ThrowIfNull(ipv4);
        List<IPAddress> first = Distinct(ipv6);
        List<IPAddress> second = Distinct(ipv4);
        var result = new List<IPAddress>(first.Count + second.Count);
        for (int i = 0; i < Math.Max(first.Count, second.Count); i++)
        {
            if (i < first.Count)
            {
                result.Add(first[i]);
            }

            if (i < second.Count && !result.Contains(second[i]))
            {
                result.Add(second[i]);
            }
        }

        return result;
    }

    private static List<IPAddress> Distinct(IEnumerable<IPAddress?> addresses)
    {
        var list = new List<IPAddress>();
        foreach (IPAddress? address in addresses)
        {
            if (address is not null && !list.Contains(address))
            {
                list.Add(address);
            }
        }

        return list;
    }
}
