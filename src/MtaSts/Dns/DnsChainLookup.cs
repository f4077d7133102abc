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
/// One DNS lookup that follows CNAMEs: first through the answer section (<see cref="CnameChain"/>), then by asking for
/// the last target when the server returned only the alias. Shared by TXT discovery (RFC 8461 §3.1, STS-3.1-j) and the
/// policy host's address lookup.
/// </summary>
internal static class DnsChainLookup
{
    /// <summary>The longest CNAME chain followed; longer chains are a failure.</summary>
    public const int MaxCnameHops = CnameChain.MaxHops;

    /// <summary>Looks up <paramref name="name"/>. Never throws, except <see cref="OperationCanceledException"/> for <paramref name="cancellationToken"/>.</summary>
    public static async Task<DnsLookupResult> QueryAsync(IDnsQuery dns, string name, QueryType type, CancellationToken cancellationToken)
    {
        CnameChainResult chain = CnameChain.Start(name);
        string queryName = chain.StartName;

        // Each further query needs at least one new CNAME hop, so this ends after at most MaxCnameHops + 1 queries.
        while (true)
        {
            string current = chain.FinalName;
            IDnsQueryResponse response;
            try
            {
                response = await DnsExchange.QueryAsync(dns, new DnsQuestion(current, type, QueryClass.IN), options: null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // DnsClient reports a cancelled query as a ConnectionTimeout error: the caller's token decides.
                cancellationToken.ThrowIfCancellationRequested();
                DnsFailure failure = DnsFailure.FromException(ex, type, current)
                    ?? new(DnsFailure.MalformedResponse, $"{type} lookup of {current} failed: {ex.GetType().Name}: {DnsFailure.OneLine(ex.Message)}");
                return Failure(queryName, current, chain.Hops, failure.Code, failure.Message);
            }

            if (response is null)
            {
                return Failure(queryName, current, chain.Hops, DnsFailure.MalformedResponse, $"{type} lookup of {current} returned no response");
            }

            DnsResponseHeader? header = response.Header;
            if (header is null)
            {
                return Failure(queryName, current, chain.Hops, DnsFailure.MalformedResponse, $"{type} lookup of {current} returned a response without a header");
            }

            if (header.ResultTruncated)
            {
                return Failure(queryName, current, chain.Hops, "Truncated", $"{type} answer for {current} was truncated");
            }

            bool nameError = header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain;
            if (!nameError && header.ResponseCode != DnsHeaderResponseCode.NoError)
            {
                DnsFailure failure = DnsFailure.FromRcode(header.ResponseCode, type, current);
                return Failure(queryName, current, chain.Hops, failure.Code, failure.Message);
            }

            IReadOnlyList<DnsResourceRecord> answers = response.Answers ?? [];
            int hopsBefore = chain.Hops.Count;
            chain = CnameChain.Continue(answers, chain, type);
            switch (chain.Status)
            {
                case CnameChainStatus.EmptyTarget:
                    return Failure(queryName, chain.FinalName, chain.Hops, DnsFailure.MalformedResponse, $"CNAME at {chain.FinalName} has an empty target");
                case CnameChainStatus.TooLong:
                    return Failure(queryName, chain.FinalName, chain.Hops, "CnameChainTooLong", $"CNAME chain from {queryName} is longer than {MaxCnameHops} hops");
                case CnameChainStatus.Loop:
                    return Failure(queryName, chain.FinalName, chain.Hops, "CnameLoop", $"CNAME loop: {queryName} -> {string.Join(" -> ", chain.Hops)}");
            }

            if (nameError)
            {
                // RFC 6604: with a CNAME chain in the answer, NXDOMAIN is about the last name of the chain.
                return Absent(queryName, chain, DnsTtl.Of(chain, response), nameError: true, type);
            }

            if (chain.Records.Count > 0)
            {
                return new DnsLookupResult
                {
                    Status = DnsLookupStatus.Found,
                    QueryName = queryName,
                    FinalName = chain.FinalName,
                    Records = chain.Records,
                    CnameChain = chain.Hops,
                    TimeToLive = chain.TimeToLive,
                };
            }

            if (!string.Equals(chain.FinalName, current, StringComparison.Ordinal))
            {
                // The server gave the alias but not the target's records: ask for the target ourselves.
                continue;
            }

            if (chain.Hops.Count == hopsBefore && HasStrayRecords(answers, type))
            {
                return Failure(queryName, current, chain.Hops, DnsFailure.MalformedResponse, $"{type} answer for {current} holds only records owned by other names");
            }

            return Absent(queryName, chain, DnsTtl.Of(chain, response), nameError: false, type);
        }
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

    private static DnsLookupResult Absent(string queryName, CnameChainResult chain, TimeSpan ttl, bool nameError, QueryType type) => new()
    {
        Status = DnsLookupStatus.NotFound,
        QueryName = queryName,
        FinalName = chain.FinalName,
        CnameChain = chain.Hops,
        IsNameError = nameError,
        TimeToLive = ttl,
        ResponseCode = nameError ? nameof(DnsHeaderResponseCode.NotExistentDomain) : nameof(DnsHeaderResponseCode.NoError),
        Message = nameError ? $"{chain.FinalName} does not exist (NXDOMAIN)" : $"{chain.FinalName} has no {type} record (NODATA)",
    };

    private static DnsLookupResult Failure(string queryName, string finalName, IReadOnlyList<string> chain, string code, string message) => new()
    {
        Status = DnsLookupStatus.Failed,
        QueryName = queryName,
        FinalName = finalName,
        CnameChain = chain,
        ResponseCode = code,
        Message = message,
    };
}
