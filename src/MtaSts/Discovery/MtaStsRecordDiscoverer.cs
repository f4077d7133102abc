using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;
using MtaSts.Diagnostics;
using MtaSts.Dns;

namespace MtaSts.Discovery;

/// <summary>TXT discovery at <c>_mta-sts.&lt;domain&gt;</c> through DnsClient (RFC 8461 §3.1).</summary>
/// <remarks>
/// <list type="bullet">
/// <item>NXDOMAIN and NODATA mean no record; every other DNS problem (SERVFAIL, REFUSED, timeout, truncated or malformed
/// answer, broken CNAME chain) is a temporary <see cref="DiscoveryStatus.DnsFailure"/> (decision A-1).</item>
/// <item>A CNAME chain at <c>_mta-sts</c> is followed, up to <see cref="DnsChainLookup.MaxCnameHops"/> hops (STS-3.1-j).</item>
/// <item>Each record's character-strings are joined with nothing between them (STS-3.1-i).</item>
/// <item>Records not starting with <c>v=STSv1</c> + <c>*WSP ";"</c> are dropped, then exactly one must remain
/// (STS-3.1-f, STS-3.1-g, decisions ).</item>
/// </list>
/// </remarks>
internal sealed class MtaStsRecordDiscoverer : IMtaStsRecordDiscoverer
{
    /// <summary>The label put in front of the policy domain (RFC 8461 §3.1).</summary>
    internal const string TxtPrefix = "_mta-sts.";

    private readonly IDnsQuery _dns;
    private readonly ILogger _logger;

    public MtaStsRecordDiscoverer(IDnsQuery dns, ILogger logger)
    {
        _dns = dns;
        _logger = logger;
    }

    public async Task<DiscoveryResult> DiscoverAsync(string domain, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        string queryName = TxtPrefix + domain;
        Log.DiscoveryLookup(_logger, queryName);

        DnsLookupResult lookup = await DnsChainLookup.QueryAsync(_dns, queryName, QueryType.TXT, cancellationToken).ConfigureAwait(false);
        if (lookup.CnameChain.Count > 0)
        {
            Log.DiscoveryCnameFollowed(_logger, queryName, lookup.FinalName, lookup.CnameChain.Count);
        }

        switch (lookup.Status)
        {
            case DnsLookupStatus.Failed:
            {
                string message = string.IsNullOrEmpty(lookup.Message) ? $"TXT lookup of {queryName} failed" : lookup.Message;
                Log.DiscoveryDnsFailure(_logger, domain, lookup.ResponseCode, message);
                return new DiscoveryResult
                {
                    Status = DiscoveryStatus.DnsFailure,
                    Message = message,
                    DnsResponseCode = lookup.ResponseCode,
                    TimeToLive = TimeSpan.Zero,
                };
            }

            case DnsLookupStatus.NotFound:
            {
                string message = lookup.IsNameError
                    ? $"{lookup.FinalName} does not exist (NXDOMAIN)"
                    : $"{lookup.FinalName} has no TXT record (NODATA)";
                Log.DiscoveryNotFound(_logger, domain, message);
                return new DiscoveryResult { Status = DiscoveryStatus.NotFound, Message = message, TimeToLive = lookup.TimeToLive };
            }

            default:
                return Select(domain, lookup);
        }
    }

    private DiscoveryResult Select(string domain, DnsLookupResult lookup)
    {
        var texts = new List<string>(lookup.Records.Count);
        foreach (DnsResourceRecord record in lookup.Records)
        {
            if (record is TxtRecord txt)
            {
                // STS-3.1-i: the character-strings of one record are concatenated without separators.
                texts.Add(string.Concat(txt.Text ?? []));
            }
        }

        string? candidate = null;
        int candidates = 0;
        foreach (string text in texts)
        {
            if (MtaStsRecordParser.IsStsRecord(text))
            {
                candidate ??= text;
                candidates++;
            }
        }

        if (candidates == 0)
        {
            string message = texts.Count == 1
                ? $"the TXT record at {lookup.FinalName} does not start with \"v=STSv1;\""
                : $"none of the {texts.Count} TXT records at {lookup.FinalName} starts with \"v=STSv1;\"";
            Log.DiscoveryNotFound(_logger, domain, message);
            return new DiscoveryResult { Status = DiscoveryStatus.NotFound, Message = message, TxtRecords = texts, TimeToLive = lookup.TimeToLive };
        }

        if (candidates > 1)
        {
            Log.DiscoveryMultipleRecords(_logger, domain, candidates);
            return new DiscoveryResult
            {
                Status = DiscoveryStatus.Multiple,
                Message = $"{candidates} TXT records at {lookup.FinalName} start with \"v=STSv1;\"; exactly one is allowed (RFC 8461 §3.1)",
                TxtRecords = texts,
                TimeToLive = lookup.TimeToLive,
            };
        }

        MtaStsRecordParseResult parsed = MtaStsRecordParser.Parse(candidate!);
        if (parsed.Record is null)
        {
            string errors = EvidenceText.Cap(parsed.Errors.Count == 0 ? "invalid" : string.Join("; ", parsed.Errors.Select(e => e.Message)));
            Log.DiscoveryInvalidRecord(_logger, domain, errors);
            return new DiscoveryResult
            {
                Status = DiscoveryStatus.Invalid,
                Message = EvidenceText.Cap($"the MTA-STS TXT record at {lookup.FinalName} is invalid: {errors}"),
                TxtRecords = texts,
                Errors = parsed.Errors,
                Warnings = parsed.Warnings,
                TimeToLive = lookup.TimeToLive,
            };
        }

        Log.DiscoveryRecordFound(_logger, domain, parsed.Record.Id, lookup.TimeToLive, parsed.Warnings.Count);
        return new DiscoveryResult
        {
            Status = DiscoveryStatus.Found,
            Record = parsed.Record,
            TxtRecords = texts,
            Warnings = parsed.Warnings,
            TimeToLive = lookup.TimeToLive,
        };
    }
}
