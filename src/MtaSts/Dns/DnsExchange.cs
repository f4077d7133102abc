using DnsClient;

namespace MtaSts.Dns;

/// <summary>
/// One DNS question sent through DnsClient, resistant to spoofed UDP datagrams (RFC 5452). Both DNS call sites of the
/// library (<see cref="DnsChainLookup"/> and <see cref="DnssecQuery"/>) go through here.
/// </summary>
/// <remarks>
/// <para>
/// DnsClient reads one datagram per UDP try. A datagram that is not the answer to our query — a wrong transaction id
/// (<see cref="DnsXidMismatchException"/>), bytes that do not parse (<see cref="DnsResponseParseException"/> and the
/// other exceptions its parser throws), a message with QR = 0 (a query, not a response), or an answer to another
/// question — would otherwise end the lookup: one forged packet would switch discovery off, or worse, a query echoed
/// back would read as NODATA. RFC 5452 §3 says such datagrams are not answers, and §9.2 that a resolver that sees them
/// may abandon UDP and ask again over TCP, which an off-path attacker cannot forge. That is what happens here: the
/// question is asked once more over TCP (one try, <see cref="MtaStsDnsOptions.Timeout"/>); only if that fails too is the
/// lookup a failure.
/// </para>
/// <para>
/// The time a lookup can take is therefore at most DnsTimeout × (DnsRetries + 1) per server over UDP, plus one
/// DnsTimeout over TCP when a spoofed datagram was seen.
/// </para>
/// </remarks>
internal static class DnsExchange
{
    private static readonly string? DnsClientAssembly = typeof(LookupClient).Assembly.GetName().Name;

    /// <summary>
    /// Asks <paramref name="question"/> with <paramref name="options"/>, or with the client's own settings when
    /// <see langword="null"/>; re-asks over TCP when the UDP reply is not an answer to the question. The question is
    /// built by the caller, so a name DnsClient cannot encode fails there, before any traffic; every
    /// <see cref="ArgumentException"/> from here is about the reply.
    /// </summary>
    /// <exception cref="DnsNotAnAnswerException">Over TCP, too, the reply was not an answer to the question.</exception>
    public static async Task<IDnsQueryResponse> QueryAsync(IDnsQuery dns, DnsQuestion question, DnsQueryAndServerOptions? options, CancellationToken cancellationToken)
    {
        string name = question.QueryName.Value;
        QueryType type = question.QuestionType;
        try
        {
            IDnsQueryResponse response = options is null
                ? await dns.QueryAsync(question, cancellationToken).ConfigureAwait(false)
                : await dns.QueryAsync(question, options, cancellationToken).ConfigureAwait(false);
            if (response is null || NotAnAnswer(response, name, type) is null)
            {
                return response!;
            }
        }
        catch (Exception ex) when (IsForgerySign(ex) && !cancellationToken.IsCancellationRequested)
        {
            // Fall through to TCP.
        }

        IDnsQueryResponse again = await dns.QueryAsync(question, OverTcp(dns, options), cancellationToken).ConfigureAwait(false);
        if (again is not null && NotAnAnswer(again, name, type) is { } problem)
        {
            throw new DnsNotAnAnswerException($"{type} reply for {DnsNames.FromWire(name)} is not an answer: {problem}");
        }

        return again!;
    }

    /// <summary>Why <paramref name="response"/> is not the answer to the question, or <see langword="null"/> when it is (RFC 5452 §3, RFC 1035 §4.1.1).</summary>
    internal static string? NotAnAnswer(IDnsQueryResponse response, string name, QueryType type)
    {
        if (response.Header is { } header && !header.HasQuery)
        {
            return "the QR bit is 0 (a query, not a response)";
        }

        if (response.Questions is { Count: > 0 } questions)
        {
            DnsQuestion question = questions[0];
            if (question.QuestionType != type || question.QuestionClass != QueryClass.IN
                || !string.Equals(DnsNames.FromWire(question.QueryName?.Value ?? string.Empty), DnsNames.FromWire(name), StringComparison.Ordinal))
            {
                return "it answers another question";
            }
        }
        else
        {
            // A real server echoes the question (RFC 1035 §4.1.2); a bare header with the right id is a forgery that would
            // otherwise read as "no such record".
            return "it has no question section";
        }

        return null;
    }

    /// <summary>What DnsClient throws for a datagram that is not our answer: a wrong id or bytes it cannot parse.</summary>
    internal static bool IsForgerySign(Exception exception) => exception switch
    {
        DnsXidMismatchException or DnsResponseParseException => true,

        // The record readers throw these for RDATA that does not hold together (the question itself is valid by now).
        IndexOutOfRangeException or ArgumentException or InvalidOperationException or FormatException or OverflowException => true,

        // DnsClient 1.8's handler of a reply it cannot parse dereferences null when the query allows a TCP fallback (found
        // by the dns-answer fuzz target); thrown inside DnsClient, it is about the reply, never about our code.
        NullReferenceException when exception.Source == DnsClientAssembly => true,
        DnsResponseException { InnerException: { } inner } => IsForgerySign(inner),
        _ => false,
    };

    private static DnsQueryAndServerOptions OverTcp(IDnsQuery dns, DnsQueryAndServerOptions? options)
    {
        // The servers stay the client's (an empty list means "the client's own"); one try, within one DNS timeout.
        DnsQuerySettings? settings = dns is ILookupClient client ? client.Settings : null;
        return new DnsQueryAndServerOptions
        {
            UseTcpOnly = true,
            Retries = 0,
            Timeout = options?.Timeout ?? settings?.Timeout ?? TimeSpan.FromSeconds(5),
            UseCache = false,
            ThrowDnsErrors = false,
            Recursion = options?.Recursion ?? settings?.Recursion ?? true,
            RequestDnsSecRecords = options?.RequestDnsSecRecords ?? settings?.RequestDnsSecRecords ?? false,
            ContinueOnDnsError = options?.ContinueOnDnsError ?? settings?.ContinueOnDnsError ?? true,
            ContinueOnEmptyResponse = options?.ContinueOnEmptyResponse ?? settings?.ContinueOnEmptyResponse ?? true,
            EnableAuditTrail = false,
        };
    }
}

/// <summary>A DNS reply that is not the answer to the question asked, even over TCP (see <see cref="DnsExchange"/>).</summary>
internal sealed class DnsNotAnAnswerException : Exception
{
    public DnsNotAnAnswerException()
        : this("the DNS reply is not an answer to the question")
    {
    }

    public DnsNotAnAnswerException(string message)
        : base(message)
    {
    }

    public DnsNotAnAnswerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
