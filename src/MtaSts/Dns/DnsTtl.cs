using DnsClient;
using DnsClient.Protocol;

namespace MtaSts.Dns;

/// <summary>How long a DNS answer may be reused: one rule for positive and negative answers, for every lookup.</summary>
internal static class DnsTtl
{
    /// <summary>
    /// The negative-caching TTL of a denial (RFC 2308 §5): the smaller of the SOA record's TTL and its MINIMUM field,
    /// the smallest over the SOA records of <paramref name="authorities"/>; <see langword="null"/> when none came with it.
    /// </summary>
    public static long? NegativeSeconds(IReadOnlyCollection<DnsResourceRecord>? authorities)
    {
        long? seconds = null;
        foreach (DnsResourceRecord record in authorities ?? [])
        {
            if (record is SoaRecord soa)
            {
                seconds = Math.Min(seconds ?? long.MaxValue, Math.Max(0, Math.Min(soa.TimeToLive, (long)soa.Minimum)));
            }
        }

        return seconds;
    }

    /// <summary>
    /// The TTL of an answer read through <paramref name="chain"/>: with records, the smallest TTL of the chain and the
    /// RRset; without (NXDOMAIN, NODATA, or a chain ending at a name without the type), the smaller of the chain's TTL
    /// and the negative-caching TTL, which is zero when no SOA came with the denial (RFC 2308 §5: not cached).
    /// </summary>
    public static TimeSpan Of(CnameChainResult chain, IDnsQueryResponse? response)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Records.Count > 0)
        {
            return chain.TimeToLive;
        }

        long negative = NegativeSeconds(response?.Authorities) ?? 0;
        return TimeSpan.FromSeconds(Math.Min(chain.ChainTtlSeconds ?? long.MaxValue, negative));
    }

    /// <summary>The smaller of two TTLs.</summary>
    public static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
