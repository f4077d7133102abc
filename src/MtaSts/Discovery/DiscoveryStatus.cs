namespace MtaSts.Discovery;

/// <summary>How discovery ended.</summary>
internal enum DiscoveryStatus
{
    /// <summary>Exactly one STS record, and it is valid.</summary>
    Found,

    /// <summary>NXDOMAIN, NODATA, or no record starting with <c>v=STSv1</c> after filtering.</summary>
    NotFound,

    /// <summary>Exactly one STS record, but invalid.</summary>
    Invalid,

    /// <summary>More than one STS record.</summary>
    Multiple,

    /// <summary>SERVFAIL, timeout, refused, or a malformed answer: a temporary failure (decision A-1).</summary>
    DnsFailure,
}
