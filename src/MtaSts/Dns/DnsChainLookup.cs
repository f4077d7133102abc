using DnsClient;
using DnsClient.Protocol;

namespace MtaSts.Dns;

/// <summary>How a <see cref="DnsChainLookup"/> ended.</summary>
internal enum DnsLookupStatus
{
    /// <summary>At least one record of the asked type is owned by the final name of the chain.</summary>
    Found,

    /// <summary>The final name does not exist (NXDOMAIN) or has no record of the asked type (NODATA).</summary>
    NotFound,

    /// <summary>SERVFAIL, REFUSED or another error code, a timeout, a truncated or malformed answer, or a broken CNAME chain.</summary>
    Failed,
}

/// <summary>The result of one lookup with its CNAME chain followed.</summary>
internal sealed class DnsLookupResult
{
    /// <summary>How the lookup ended.</summary>
    public required DnsLookupStatus Status { get; init; }

    /// <summary>The name first asked for, without a trailing dot.</summary>
    public required string QueryName { get; init; }

    /// <summary>The owner name the answer was taken from: <see cref="QueryName"/>, or the last target of the CNAME chain.</summary>
    public required string FinalName { get; init; }

    /// <summary>The records of the asked type owned by <see cref="FinalName"/>, in answer order.</summary>
    public IReadOnlyList<DnsResourceRecord> Records { get; init; } = [];

    /// <summary>The CNAME targets followed, in order; empty when the name was not an alias.</summary>
    public IReadOnlyList<string> CnameChain { get; init; } = [];

    /// <summary>
    /// How long the answer may be trusted: the smallest TTL along the CNAME chain and the RRset; for NXDOMAIN and NODATA
    /// the negative-caching TTL <c>min(SOA TTL, SOA MINIMUM)</c> (RFC 2308 §5) when an SOA came with it, else zero.
    /// </summary>
    public TimeSpan TimeToLive { get; init; }

    /// <summary><see langword="true"/> for NXDOMAIN, <see langword="false"/> for NODATA.</summary>
    public bool IsNameError { get; init; }

    /// <summary>On failure, a short code: a DNS response code such as <c>ServerFailure</c>, or <c>ConnectionTimeout</c>, <c>Truncated</c>, <c>MalformedResponse</c>, <c>CnameLoop</c>, <c>CnameChainTooLong</c>.</summary>
    public string? ResponseCode { get; init; }

    /// <summary>On failure or absence, what happened, in words.</summary>
    public string? Message { get; init; }
}

/// <summary>
/// One DNS lookup that follows CNAMEs: first through the answer section, then by asking for the last target when the
/// server returned only the alias. Shared by TXT discovery (RFC 8461 §3.1, STS-3.1-j) and the policy host's address lookup.
/// </summary>
internal static class DnsChainLookup
{
    /// <summary>The longest CNAME chain followed; longer chains are a failure.</summary>
    public const int MaxCnameHops = 8;

    /// <summary>Looks up <paramref name="name"/>. Never throws, except <see cref="OperationCanceledException"/> for <paramref name="cancellationToken"/>.</summary>
    public static async Task<DnsLookupResult> QueryAsync(IDnsQuery dns, string name, QueryType type, CancellationToken cancellationToken)
    {
        string queryName = Normalize(name);
        string current = queryName;
        var chain = new List<string>();
        var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { current };
        long chainTtl = long.MaxValue;

        // Each further query needs at least one new CNAME hop, so this ends after at most MaxCnameHops + 1 queries.
        while (true)
        {
            IDnsQueryResponse response;
            try
            {
                response = await DnsExchange.QueryAsync(dns, new DnsQuestion(current, type, QueryClass.IN), options: null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // DnsClient reports a cancelled query as a ConnectionTimeout error: the caller's token decides.
                cancellationToken.ThrowIfCancellationRequested();
                return FromException(ex, queryName, current, type, chain);
            }

            if (response is null)
            {
                return Failure(queryName, current, chain, "MalformedResponse", $"{type} lookup of {current} returned no response");
            }

            DnsResponseHeader? header = response.Header;
            if (header is null)
            {
                return Failure(queryName, current, chain, "MalformedResponse", $"{type} lookup of {current} returned a response without a header");
            }

            if (header.ResultTruncated)
            {
                return Failure(queryName, current, chain, "Truncated", $"{type} answer for {current} was truncated");
            }

            bool nameError = header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain;
            if (!nameError && header.ResponseCode != DnsHeaderResponseCode.NoError)
            {
                string code = header.ResponseCode.ToString();
                return Failure(queryName, current, chain, code, $"{type} lookup of {current} failed: {code} ({RcodeMnemonic(header.ResponseCode)})");
            }

            IReadOnlyList<DnsResourceRecord> answers = response.Answers ?? [];
            string owner = current;
            List<DnsResourceRecord>? found = null;
            bool usedAnyRecord = false;
            while (true)
            {
                found = null;
                CNameRecord? alias = null;
                foreach (DnsResourceRecord record in answers)
                {
                    if (record is null || record.RecordClass != QueryClass.IN || !SameName(record.DomainName, owner))
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

                if (found is not null)
                {
                    usedAnyRecord = true;
                    break;
                }

                if (alias is null)
                {
                    break;
                }

                usedAnyRecord = true;
                string target = Normalize(alias.CanonicalName?.Value ?? string.Empty);
                if (target.Length == 0)
                {
                    return Failure(queryName, owner, chain, "MalformedResponse", $"CNAME at {owner} has an empty target");
                }

                if (chain.Count >= MaxCnameHops)
                {
                    return Failure(queryName, owner, chain, "CnameChainTooLong", $"CNAME chain from {queryName} is longer than {MaxCnameHops} hops");
                }

                if (!visited.Add(target))
                {
                    chain.Add(target);
                    return Failure(queryName, owner, chain, "CnameLoop", $"CNAME loop: {queryName} -> {string.Join(" -> ", chain)}");
                }

                chain.Add(target);
                chainTtl = Math.Min(chainTtl, Math.Max(0, alias.TimeToLive));
                owner = target;
            }

            if (nameError)
            {
                // RFC 6604: with a CNAME chain in the answer, NXDOMAIN is about the last name of the chain.
                return Absent(queryName, owner, chain, Math.Min(chainTtl, NegativeTtl(response)), nameError: true, type);
            }

            if (found is not null)
            {
                long ttl = chainTtl;
                foreach (DnsResourceRecord record in found)
                {
                    ttl = Math.Min(ttl, Math.Max(0, record.TimeToLive));
                }

                return new DnsLookupResult
                {
                    Status = DnsLookupStatus.Found,
                    QueryName = queryName,
                    FinalName = owner,
                    Records = found,
                    CnameChain = chain,
                    TimeToLive = TimeSpan.FromSeconds(ttl == long.MaxValue ? 0 : ttl),
                };
            }

            if (!string.Equals(owner, current, StringComparison.OrdinalIgnoreCase))
            {
                // The server gave the alias but not the target's records: ask for the target ourselves.
                current = owner;
                continue;
            }

            if (!usedAnyRecord && HasStrayRecords(answers, type))
            {
                return Failure(queryName, current, chain, "MalformedResponse", $"{type} answer for {current} holds only records owned by other names");
            }

            return Absent(queryName, current, chain, Math.Min(chainTtl, NegativeTtl(response)), nameError: false, type);
        }
    }

    /// <summary>Lower-case, no trailing dot.</summary>
    internal static string Normalize(string name) => DnsNames.FromWire(name);

    private static bool SameName(DnsString? owner, string name)
    {
        if (owner is null)
        {
            return false;
        }

        return string.Equals(DnsNames.FromWire(owner.Value), DnsNames.FromWire(name), StringComparison.Ordinal);
    }

    private static bool HasStrayRecords(IReadOnlyList<DnsResourceRecord> answers, QueryType type)
    {
        foreach (DnsResourceRecord record in answers)
        {
            if (record is not null && ((int)record.RecordType == (int)type || record is CNameRecord))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 2308 §5: the negative answer lives for min(SOA TTL, SOA MINIMUM); zero when no SOA came with it.</summary>
    private static long NegativeTtl(IDnsQueryResponse response)
    {
        foreach (DnsResourceRecord record in response.Authorities ?? [])
        {
            if (record is SoaRecord soa)
            {
                return Math.Max(0, Math.Min(soa.TimeToLive, (long)soa.Minimum));
            }
        }

        return 0;
    }

    private static DnsLookupResult Absent(string queryName, string finalName, List<string> chain, long ttl, bool nameError, QueryType type) => new()
    {
        Status = DnsLookupStatus.NotFound,
        QueryName = queryName,
        FinalName = finalName,
        CnameChain = chain,
        IsNameError = nameError,
        TimeToLive = TimeSpan.FromSeconds(ttl == long.MaxValue ? 0 : ttl),
        ResponseCode = nameError ? nameof(DnsHeaderResponseCode.NotExistentDomain) : nameof(DnsHeaderResponseCode.NoError),
        Message = nameError ? $"{finalName} does not exist (NXDOMAIN)" : $"{finalName} has no {type} record (NODATA)",
    };

    private static DnsLookupResult Failure(string queryName, string finalName, List<string> chain, string code, string message) => new()
    {
        Status = DnsLookupStatus.Failed,
        QueryName = queryName,
        FinalName = finalName,
        CnameChain = chain,
        ResponseCode = code,
        Message = message,
    };

    private static DnsLookupResult FromException(Exception ex, string queryName, string current, QueryType type, List<string> chain)
    {
        switch (ex)
        {
            case DnsResponseException { Code: DnsResponseCode.ConnectionTimeout }:
                return Failure(queryName, current, chain, nameof(DnsResponseCode.ConnectionTimeout), $"{type} lookup of {current} timed out or no server could be reached");
            case DnsResponseException dns:
                string code = dns.Code.ToString();
                return Failure(queryName, current, chain, code, $"{type} lookup of {current} failed: {code} ({OneLine(dns.Message)})");
            case OperationCanceledException or TimeoutException:
                return Failure(queryName, current, chain, nameof(DnsResponseCode.ConnectionTimeout), $"{type} lookup of {current} timed out");
            default:
                // DnsClient's parse errors (DnsResponseParseException) and anything unexpected: treat the answer as unusable.
                return Failure(queryName, current, chain, "MalformedResponse", $"{type} lookup of {current} failed: {ex.GetType().Name}: {OneLine(ex.Message)}");
        }
    }

    private static string RcodeMnemonic(DnsHeaderResponseCode code) => code switch
    {
        DnsHeaderResponseCode.FormatError => "FORMERR",
        DnsHeaderResponseCode.ServerFailure => "SERVFAIL",
        DnsHeaderResponseCode.NotExistentDomain => "NXDOMAIN",
        DnsHeaderResponseCode.NotImplemented => "NOTIMP",
        DnsHeaderResponseCode.Refused => "REFUSED",
        _ => "rcode " + ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    internal static string OneLine(string text) => Diagnostics.EvidenceText.Cap(text, 500);
}
