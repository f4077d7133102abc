namespace MtaSts.Testing;

/// <summary>A failure a <see cref="LoopbackDnsServer"/> injects instead of (or around) its real answer.</summary>
public enum DnsFault
{
    /// <summary>No fault: answer from the zone. Set for a name and type, it overrides a fault set for the whole name.</summary>
    None = 0,

    /// <summary>Answer SERVFAIL (RCODE 2), as a resolver does when validation fails or the authority is unreachable.</summary>
    ServerFailure,

    /// <summary>Answer NXDOMAIN (RCODE 3) with an SOA in the authority section, even if the name has records.</summary>
    NameError,

    /// <summary>Answer REFUSED (RCODE 5).</summary>
    Refused,

    /// <summary>Never answer, over UDP or TCP; the client must time out.</summary>
    Timeout,

    /// <summary>Answer with bytes that carry the query's transaction id and the response bit but do not parse as a DNS message.</summary>
    Malformed,

    /// <summary>Over UDP, answer with the TC (truncated) bit and an empty answer section; over TCP, give the real answer.</summary>
    Truncated,

    /// <summary>
    /// Over UDP, first send a spoofed datagram: the real answer with another transaction id (RFC 5452 §3); then the real
    /// answer. Over TCP, give the real answer.
    /// </summary>
    SpoofedTransactionId,

    /// <summary>
    /// Over UDP, first send a spoofed datagram: the query's transaction id and the response bit, then more than 512
    /// bytes that do not parse as a DNS message (an MX record whose RDATA length is too short for it); then the real
    /// answer. Over TCP, give the real answer.
    /// </summary>
    SpoofedJunk,

    /// <summary>
    /// Over UDP, first send a spoofed datagram: the query itself echoed back (QR = 0, same id and question, no answer),
    /// which a client that does not check the QR bit reads as NODATA; then the real answer. Over TCP, give the real answer.
    /// </summary>
    SpoofedQueryEcho,

    /// <summary>
    /// Over UDP, first send a spoofed datagram: a bare header with the query's transaction id, the response bit, NOERROR
    /// and every section count 0 (no question echoed), which a client that does not compare the question reads as
    /// NODATA; then the real answer. Over TCP, give the real answer.
    /// </summary>
    SpoofedNoQuestion,
}
