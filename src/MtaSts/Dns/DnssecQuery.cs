using System.Net;
using DnsClient;
using MtaSts.Dns;

namespace MtaSts.Dns;

/// <summary>
/// Asks DNS questions with the DO bit set and says whether each answer may be treated as DNSSEC-secure (RFC 7672 §2.1).
/// </summary>
/// <remarks>
/// <para>
/// DnsClient does not validate DNSSEC. The library relies on the AD bit of a validating resolver instead, which RFC 4035
/// §4.9.3 allows only when the resolver is trusted and the path to it is secure (DANE-2.1.1-e). Hence the AD bit is
/// believed only from the resolvers in <see cref="MtaStsDaneOptions.TrustedResolvers"/>, by default the loopback
/// addresses (a validating resolver on the same host). From any other resolver every answer is insecure.
/// </para>
/// <para>
/// Per-query settings: DO bit on; DnsClient's cache off (the AD bit must come from the wire, and a cached answer to a
/// question asked without DO carries none); no DNS error thrown (the rcode is classified here); after a SERVFAIL no
/// other resolver is asked, so that a bogus answer from a validating resolver cannot be "rescued" by a second one;
/// an empty answer is an answer (NODATA), not a reason to ask another resolver.
/// </para>
/// </remarks>
internal sealed class DnssecQuery
{
    private readonly IDnsQuery _dns;
    private readonly DnsQueryAndServerOptions _queryOptions;
    private readonly IPAddress[] _trusted;

    public DnssecQuery(IDnsQuery dns, MtaStsOptions options)
    {
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(options);
        _dns = dns;
        _trusted = options.Dane.TrustedResolvers.Select(Canonical).ToArray();
        _queryOptions = new DnsQueryAndServerOptions
        {
            RequestDnsSecRecords = true,
            UseCache = false,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
            Recursion = true,
            UseTcpFallback = true,
            Timeout = options.Dns.Timeout,
            Retries = options.Dns.Retries,
        };
    }

    /// <summary>Whether the AD bit from <paramref name="resolver"/> may be believed.</summary>
    public bool IsTrusted(IPAddress resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        var address = Canonical(resolver);
        return _trusted.Length == 0 ? IPAddress.IsLoopback(address) : Array.Exists(_trusted, address.Equals);
    }

    /// <summary>Asks one question (class IN) and classifies the reply.</summary>
    public async Task<DnssecAnswer> QueryAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        DnsQuestion question;
        try
        {
            question = new DnsQuestion(name, type, QueryClass.IN);
        }
        catch (ArgumentException ex)
        {
            // DnsClient refuses names it cannot encode (a label over 63 octets, a name over 255): nothing was sent.
            return DnssecAnswer.Failure($"{type} query for {name} cannot be sent: {ex.Message}");
        }

        IDnsQueryResponse response;
        try
        {
            response = await DnsExchange.QueryAsync(_dns, question, _queryOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // DnsClient wraps a cancellation by the caller in its own exception: that is not a DNS failure.
            cancellationToken.ThrowIfCancellationRequested();

            // A reply that cannot be parsed or does not belong to the query is a lookup error like SERVFAIL
            // (DANE-2.1.1-g), not a crash. An exception no DNS failure explains is a bug, and is let through.
            if (DnsFailure.FromException(ex, type, name) is not { } failure)
            {
                throw;
            }

            return DnssecAnswer.Failure(failure.Message);
        }

        var resolver = response.NameServer?.Address;
        var trusted = resolver is not null && IPAddress.TryParse(resolver, out var address) && IsTrusted(address);
        var header = response.Header;
        if (header.ResultTruncated)
        {
            return DnssecAnswer.FromResponse(DnssecAnswerKind.Failed, response, trusted, resolver, $"{type} answer for {name} from {resolver} was truncated");
        }

        if (response.Questions.Count == 0)
        {
            return DnssecAnswer.FromResponse(DnssecAnswerKind.Failed, response, trusted, resolver, $"{type} answer for {name} from {resolver} has no question section");
        }

        var answered = response.Questions[0];
        if (answered.QuestionType != type || !DnsNames.Equal(answered.QueryName.Value, name))
        {
            return DnssecAnswer.FromResponse(DnssecAnswerKind.Failed, response, trusted, resolver, $"answer from {resolver} is for {answered.QueryName.Value} {answered.QuestionType}, not {name} {type}");
        }

        return header.ResponseCode switch
        {
            DnsHeaderResponseCode.NoError when response.Answers.Count > 0 => DnssecAnswer.FromResponse(DnssecAnswerKind.Answer, response, trusted, resolver, null),
            DnsHeaderResponseCode.NoError => DnssecAnswer.FromResponse(DnssecAnswerKind.NoData, response, trusted, resolver, null),
            DnsHeaderResponseCode.NotExistentDomain => DnssecAnswer.FromResponse(DnssecAnswerKind.NxDomain, response, trusted, resolver, null),
            var code => DnssecAnswer.FromResponse(DnssecAnswerKind.Failed, response, trusted, resolver, $"{type} query for {name} answered {Describe(code)} by {resolver}"),
        };
    }

    private static string Describe(DnsHeaderResponseCode code) => code == DnsHeaderResponseCode.ServerFailure
        ? "SERVFAIL (a validating resolver's answer to bogus or indeterminate data)"
        : DnsFailure.RcodeName(code);

    private static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
