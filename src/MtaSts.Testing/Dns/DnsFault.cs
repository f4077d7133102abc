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
}
