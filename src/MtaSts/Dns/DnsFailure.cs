using System.Globalization;
using System.Net.Sockets;
using DnsClient;

namespace MtaSts.Dns;

/// <summary>Why a DNS question got no usable answer: a short code for evidence and logs, and the same in words.</summary>
/// <param name="Code">
/// A DnsClient response code name (<c>ServerFailure</c>, <c>Refused</c>, <c>ConnectionTimeout</c>, …) or one of the
/// library's: <c>MalformedResponse</c>, <c>Truncated</c>, <c>CnameLoop</c>, <c>CnameChainTooLong</c>.
/// </param>
/// <param name="Message">What happened, in words, one line.</param>
internal readonly record struct DnsFailure(string Code, string Message)
{
    /// <summary>The code of an answer that cannot be read or does not belong to the question.</summary>
    public const string MalformedResponse = nameof(MalformedResponse);

    /// <summary>The code of a timeout or of no server reachable.</summary>
    public const string ConnectionTimeout = nameof(DnsResponseCode.ConnectionTimeout);

    /// <summary>The mnemonic of a response code as RFC 1035 and RFC 6895 write it (<c>SERVFAIL</c>, <c>REFUSED</c>, …).</summary>
    public static string RcodeName(DnsHeaderResponseCode code) => code switch
    {
        DnsHeaderResponseCode.NoError => "NOERROR",
        DnsHeaderResponseCode.FormatError => "FORMERR",
        DnsHeaderResponseCode.ServerFailure => "SERVFAIL",
        DnsHeaderResponseCode.NotExistentDomain => "NXDOMAIN",
        DnsHeaderResponseCode.NotImplemented => "NOTIMP",
        DnsHeaderResponseCode.Refused => "REFUSED",
        DnsHeaderResponseCode.ExistingDomain => "YXDOMAIN",
        DnsHeaderResponseCode.ExistingResourceRecordSet => "YXRRSET",
        DnsHeaderResponseCode.MissingResourceRecordSet => "NXRRSET",
        DnsHeaderResponseCode.NotAuthorized => "NOTAUTH",
        DnsHeaderResponseCode.NotZone => "NOTZONE",
        _ => "rcode " + ((int)code).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A DnsClient response code in words: the RFC mnemonic of a server's code, or what the client saw.</summary>
    private static string ResponseCodeText(DnsResponseCode code) => (int)code is >= 0 and < 4096
        && code is not DnsResponseCode.ConnectionTimeout and not DnsResponseCode.Unassigned
        ? RcodeName((DnsHeaderResponseCode)(int)code) + " from the server"
        : code switch
        {
            DnsResponseCode.ConnectionTimeout => "no answer in time",
            _ => "the client could not complete the exchange",
        };

    /// <summary>
    /// What an exception from a DNS query means, or <see langword="null"/> for an exception no DNS failure explains (a bug
    /// to let through). The caller has already let its own cancellation through.
    /// </summary>
    public static DnsFailure? FromException(Exception exception, QueryType type, string name)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            DnsResponseException { Code: DnsResponseCode.ConnectionTimeout } or TimeoutException or OperationCanceledException =>
                new(ConnectionTimeout, $"{type} lookup of {name} timed out or no server could be reached"),
            DnsXidMismatchException =>
                new(MalformedResponse, $"{type} answer for {name} does not belong to the query: its transaction id is not the query's"),
            DnsNotAnAnswerException =>
                new(MalformedResponse, $"{type} answer for {name} does not belong to the query: {OneLine(exception.Message)}"),
            // DnsClient's "Unassigned" (666) is its own code for an exchange it could not complete, not a server's rcode.
            DnsResponseException { Code: DnsResponseCode.Unassigned, InnerException: SocketException } =>
                new(ConnectionTimeout, $"{type} lookup of {name} failed: no server could be reached"),
            DnsResponseException { Code: DnsResponseCode.Unassigned, InnerException: { } inner } when DnsExchange.IsForgerySign(inner) =>
                new(MalformedResponse, $"{type} answer for {name} is malformed: the reply cannot be parsed as a DNS message"),

            // In our words: the RFC mnemonic of the response code, never DnsClient's exception text or enum names.
            DnsResponseException dns =>
                new(dns.Code.ToString(), $"{type} lookup of {name} failed: {ResponseCodeText(dns.Code)}"),
            SocketException =>
                new(ConnectionTimeout, $"{type} lookup of {name} failed: no server could be reached"),
            _ when DnsExchange.IsForgerySign(exception) =>
                new(MalformedResponse, $"{type} answer for {name} is malformed: the reply cannot be parsed as a DNS message"),
            _ => null,
        };
    }

    /// <summary>A failure for an answer with an error code: the code <c>ServerFailure</c>, the message <c>… failed: SERVFAIL</c>.</summary>
    public static DnsFailure FromRcode(DnsHeaderResponseCode code, QueryType type, string name, string? detail = null) =>
        new(code.ToString(), $"{type} lookup of {name} failed: {RcodeName(code)}{detail}");

    /// <summary>Text from the network, made safe for one line of a message.</summary>
    internal static string OneLine(string text) => Diagnostics.EvidenceText.Cap(text, 500);
}
