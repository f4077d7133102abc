using DnsClient;

namespace MtaSts.Dns;

/// <summary>How a DNS question came back, in the terms of RFC 7672 §2.1.1 (DANE-2.1.1-g).</summary>
internal enum DnssecAnswerKind
{
    /// <summary>NOERROR with at least one record in the answer section (possibly only a CNAME chain).</summary>
    Answer,

    /// <summary>NOERROR with an empty answer section: the name exists, the type does not.</summary>
    NoData,

    /// <summary>NXDOMAIN: the name does not exist (the answer may still carry a CNAME chain leading there).</summary>
    NxDomain,

    /// <summary>
    /// Anything else: SERVFAIL (which is how a validating resolver reports bogus or indeterminate data), REFUSED,
    /// FORMERR, a timeout, an unreachable server, a truncated or unparseable reply. All are handled alike.
    /// </summary>
    Failed,
}

/// <summary>One DNS answer together with what its DNSSEC status may be taken to be.</summary>
internal sealed class DnssecAnswer
{
    private DnssecAnswer(DnssecAnswerKind kind, IDnsQueryResponse? response, bool authenticData, bool trusted, string? resolver, string? error)
    {
        Kind = kind;
        Response = response;
        AuthenticData = authenticData;
        ResolverTrusted = trusted;
        Resolver = resolver;
        Error = error;
    }

    /// <summary>How the question came back.</summary>
    public DnssecAnswerKind Kind { get; }

    /// <summary>The response, when one arrived.</summary>
    public IDnsQueryResponse? Response { get; }

    /// <summary>Whether the AD bit was set in the reply, whoever sent it.</summary>
    public bool AuthenticData { get; }

    /// <summary>Whether the answering resolver is one the options say may vouch for DNSSEC (DANE-2.1.1-e).</summary>
    public bool ResolverTrusted { get; }

    /// <summary>
    /// DNSSEC-secure: the AD bit from a trusted resolver. An answer from an untrusted resolver is never secure, whatever
    /// its AD bit says.
    /// </summary>
    public bool Secure => Kind != DnssecAnswerKind.Failed && AuthenticData && ResolverTrusted;

    /// <summary>The address of the resolver that answered, when known.</summary>
    public string? Resolver { get; }

    /// <summary>Why the lookup failed, for <see cref="DnssecAnswerKind.Failed"/>.</summary>
    public string? Error { get; }

    /// <summary>Whether this is a denial of existence (NXDOMAIN or NODATA), which RFC 7672 counts as an answer.</summary>
    public bool IsDenial => Kind is DnssecAnswerKind.NoData or DnssecAnswerKind.NxDomain;

    /// <summary>The CNAME chain from <paramref name="name"/> through the answer section, read for records of <paramref name="type"/>.</summary>
    public CnameChainResult FollowChain(string name, QueryType type) => CnameChain.Follow(Response?.Answers, name, type);

    /// <summary>How long this answer, read through <paramref name="chain"/>, may be reused (<see cref="DnsTtl.Of"/>); zero for a failure.</summary>
    public TimeSpan TimeToLive(CnameChainResult chain) =>
        Kind == DnssecAnswerKind.Failed || Response is null ? TimeSpan.Zero : DnsTtl.Of(chain, Response);

    public static DnssecAnswer FromResponse(DnssecAnswerKind kind, IDnsQueryResponse response, bool trusted, string? resolver, string? error) =>
        new(kind, response, response.Header.IsAuthenticData, trusted, resolver, error is null ? null : Diagnostics.EvidenceText.Cap(error));

    public static DnssecAnswer Failure(string error) => new(DnssecAnswerKind.Failed, null, false, false, null, Diagnostics.EvidenceText.Cap(error));
}
