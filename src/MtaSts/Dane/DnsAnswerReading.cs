using DnsClient.Protocol;

namespace MtaSts.Dane;

/// <summary>Reading the records of a recursive resolver's answer: CNAME chains, records of the final name, TTLs.</summary>
/// <remarks>
/// Deliberately separate from <see cref="Dns.DnsChainLookup"/>, which also follows CNAMEs: DANE reads the chain from
/// the one answer whose AD bit says whether all of it is secure, and never asks again for a target (a second answer
/// would carry a verdict of its own); <see cref="Dns.DnsChainLookup"/> does ask again, carries loop detection and the
/// hop count across those queries, and classifies each way a chain can break. Only the name comparison is shared
/// (<see cref="Dns.DnsNames.FromWire"/>).
/// </remarks>
internal static class DnsAnswerReading
{
    /// <summary>The most CNAME steps followed (RFC 7672 §2.1.3 asks for "a configured limit"; DANE-2.1.3-a).</summary>
    public const int MaxCnameSteps = 8;

    /// <summary>
    /// Follows the CNAME chain that starts at <paramref name="name"/> through <paramref name="answers"/>.
    /// </summary>
    /// <returns>
    /// <see langword="false"/> when the chain loops or is longer than <see cref="MaxCnameSteps"/> (a malformed answer);
    /// otherwise <see langword="true"/>, with <paramref name="target"/> the final name (or <paramref name="name"/> itself
    /// when it is not an alias) and <paramref name="steps"/> the number of CNAMEs followed.
    /// </returns>
    public static bool TryFollowCnames(IReadOnlyCollection<DnsResourceRecord> answers, string name, out string target, out int steps)
    {
        target = DaneNames.FromWire(name);
        steps = 0;
        while (true)
        {
            CNameRecord? next = null;
            foreach (var record in answers)
            {
                if (record is CNameRecord cname && DaneNames.Equal(cname.DomainName.Value, target))
                {
                    next = cname;
                    break;
                }
            }

            if (next is null)
            {
                return true;
            }

            if (++steps > MaxCnameSteps)
            {
                return false;
            }

            target = DaneNames.FromWire(next.CanonicalName.Value);
        }
    }

    /// <summary>The records of type <typeparamref name="T"/> owned by <paramref name="owner"/> (class IN).</summary>
    public static List<T> RecordsOf<T>(IReadOnlyCollection<DnsResourceRecord> answers, string owner)
        where T : DnsResourceRecord
    {
        var list = new List<T>();
        foreach (var record in answers)
        {
            if (record is T typed && record.RecordClass == DnsClient.QueryClass.IN && DaneNames.Equal(record.DomainName.Value, owner))
            {
                list.Add(typed);
            }
        }

        return list;
    }

    /// <summary>
    /// How long an answer may be reused: the smallest TTL of its answer records, or for a denial the negative-caching
    /// TTL of its SOA (RFC 2308 §5: the smaller of the SOA's TTL and MINIMUM). Zero when the answer says nothing.
    /// </summary>
    public static TimeSpan TimeToLive(DnssecAnswer answer)
    {
        if (answer.Response is not { } response || answer.Kind == DnssecAnswerKind.Failed)
        {
            return TimeSpan.Zero;
        }

        long? seconds = null;
        foreach (var record in response.Answers)
        {
            seconds = Math.Min(seconds ?? long.MaxValue, record.TimeToLive);
        }

        if (answer.IsDenial)
        {
            foreach (var record in response.Authorities)
            {
                if (record is SoaRecord soa)
                {
                    seconds = Math.Min(seconds ?? long.MaxValue, Math.Min(soa.TimeToLive, (long)soa.Minimum));
                }
            }
        }

        return TimeSpan.FromSeconds(Math.Max(0, seconds ?? 0));
    }

    /// <summary>The smaller of two TTLs.</summary>
    public static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
