using DnsClient;
using DnsClient.Protocol;

namespace MtaSts.Dns;

/// <summary>How following a CNAME chain through an answer ended.</summary>
internal enum CnameChainStatus
{
    /// <summary>The chain ended: at a name owning records of the asked type, or at a name that is not an alias.</summary>
    Ok,

    /// <summary>A CNAME led back to a name already on the chain.</summary>
    Loop,

    /// <summary>The chain has more CNAMEs than the limit allows.</summary>
    TooLong,

    /// <summary>A CNAME's target is the root name (or empty): the chain leads nowhere.</summary>
    EmptyTarget,
}

/// <summary>Where a CNAME chain led: the names followed, the final name, its records of the asked type and their TTL.</summary>
internal sealed class CnameChainResult
{
    internal CnameChainResult(CnameChainStatus status, string startName, string finalName, IReadOnlyList<string> hops, IReadOnlyList<DnsResourceRecord> records, long? chainTtl, long? minTtl)
    {
        Status = status;
        StartName = startName;
        FinalName = finalName;
        Hops = hops;
        Records = records;
        ChainTtlSeconds = chainTtl;
        MinTtlSeconds = minTtl;
    }

    /// <summary>How the chain ended.</summary>
    public CnameChainStatus Status { get; }

    /// <summary>The name the chain starts at, in <see cref="DnsNames.FromWire"/> form.</summary>
    public string StartName { get; }

    /// <summary>The last name reached: the owner of <see cref="Records"/>, or, when the chain broke, the owner of the CNAME that broke it.</summary>
    public string FinalName { get; }

    /// <summary>The CNAME targets followed, in order (for <see cref="CnameChainStatus.Loop"/>, ending with the repeated name).</summary>
    public IReadOnlyList<string> Hops { get; }

    /// <summary>The records of the asked type and class IN owned by <see cref="FinalName"/>, in answer order; empty when there are none.</summary>
    public IReadOnlyList<DnsResourceRecord> Records { get; }

    /// <summary>The smallest TTL of the CNAMEs followed, in seconds; <see langword="null"/> when none was.</summary>
    public long? ChainTtlSeconds { get; }

    /// <summary>The smallest TTL of the CNAMEs followed and of <see cref="Records"/>, in seconds; <see langword="null"/> when there are neither.</summary>
    public long? MinTtlSeconds { get; }

    /// <summary><see cref="MinTtlSeconds"/> as a time span, zero when there is nothing to bound it.</summary>
    public TimeSpan TimeToLive => TimeSpan.FromSeconds(MinTtlSeconds ?? 0);

    /// <summary>How the chain broke, in words ("a CNAME loop", …); empty for <see cref="CnameChainStatus.Ok"/>.</summary>
    public string Problem => Status switch
    {
        CnameChainStatus.Loop => $"a CNAME loop ({StartName} -> {string.Join(" -> ", Hops)})",
        CnameChainStatus.TooLong => $"a CNAME chain longer than {CnameChain.MaxHops}",
        CnameChainStatus.EmptyTarget => $"a CNAME at {FinalName} with an empty target",
        _ => string.Empty,
    };

    /// <summary>Whether the name first asked for is an alias.</summary>
    public bool IsAliased => Hops.Count > 0;
}

/// <summary>
/// Follows a CNAME chain through the records of one DNS answer (RFC 1034 §3.6.2, §4.3.2). Pure: no I/O. Both query
/// strategies use it: TXT discovery and the policy host's addresses ask again for the last target when an answer stops
/// at an alias (<see cref="DnsChainLookup"/>), DANE reads the whole chain from one answer whose AD bit covers it
/// (<see cref="MxLookup"/>, <see cref="Dane.MxHostLookup"/>).
/// </summary>
/// <remarks>
/// Only class IN records count. At each name, records of the asked type end the chain (so a CNAME question ends at its
/// first name); otherwise the first CNAME owned by the name is followed. Names compare in <see cref="DnsNames.FromWire"/> form.
/// </remarks>
internal static class CnameChain
{
    /// <summary>The most CNAMEs followed for one question, across every answer (STS-3.1-j; RFC 7672 §2.1.3's "configured limit", DANE-2.1.3-a).</summary>
    public const int MaxHops = 8;

    /// <summary>Follows the chain that starts at <paramref name="start"/> through <paramref name="answers"/>.</summary>
    public static CnameChainResult Follow(IReadOnlyCollection<DnsResourceRecord>? answers, string start, QueryType type, int maxHops = MaxHops) =>
        Continue(answers, Start(start), type, maxHops);

    /// <summary>A chain that has not followed anything yet: the starting point for <see cref="Continue"/>.</summary>
    public static CnameChainResult Start(string start)
    {
        ArgumentNullException.ThrowIfNull(start);
        string name = DnsNames.FromWire(start);
        return new CnameChainResult(CnameChainStatus.Ok, name, name, [], [], null, null);
    }

    /// <summary>
    /// Follows the chain further through another answer, from <paramref name="from"/>'s final name: loop detection and the
    /// hop limit cover the hops already taken, and the TTL bound carries over.
    /// </summary>
    public static CnameChainResult Continue(IReadOnlyCollection<DnsResourceRecord>? answers, CnameChainResult from, QueryType type, int maxHops = MaxHops)
    {
        ArgumentNullException.ThrowIfNull(from);
        answers ??= [];
        var hops = new List<string>(from.Hops);
        var visited = new HashSet<string>(hops, StringComparer.Ordinal) { from.StartName };
        string owner = from.FinalName;
        long? chainTtl = from.ChainTtlSeconds;
        while (true)
        {
            List<DnsResourceRecord>? found = null;
            CNameRecord? alias = null;
            foreach (DnsResourceRecord record in answers)
            {
                if (record is null || record.RecordClass != QueryClass.IN || record.DomainName is null
                    || !string.Equals(DnsNames.FromWire(record.DomainName.Value), owner, StringComparison.Ordinal))
                {
                    continue;
                }

                if ((int)record.RecordType == (int)type)
                {
                    (found ??= []).Add(record);
                }
                else if (record is CNameRecord cname && alias is null)
                {
                    alias = cname;
                }
            }

            if (found is not null || alias is null)
            {
                long? min = chainTtl;
                foreach (DnsResourceRecord record in found ?? [])
                {
                    min = Math.Min(min ?? long.MaxValue, Math.Max(0, (long)record.TimeToLive));
                }

                return new CnameChainResult(CnameChainStatus.Ok, from.StartName, owner, hops, (IReadOnlyList<DnsResourceRecord>?)found ?? [], chainTtl, min);
            }

            string target = DnsNames.FromWire(alias.CanonicalName?.Value ?? string.Empty);
            if (target.Length == 0)
            {
                return Broken(CnameChainStatus.EmptyTarget);
            }

            if (hops.Count >= maxHops)
            {
                return Broken(CnameChainStatus.TooLong);
            }

            hops.Add(target);
            if (!visited.Add(target))
            {
                return Broken(CnameChainStatus.Loop);
            }

            chainTtl = Math.Min(chainTtl ?? long.MaxValue, Math.Max(0, (long)alias.TimeToLive));
            owner = target;
        }

        CnameChainResult Broken(CnameChainStatus status) => new(status, from.StartName, owner, hops, [], chainTtl, chainTtl);
    }
}
