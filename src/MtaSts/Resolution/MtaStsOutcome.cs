namespace MtaSts;

/// <summary>The overall answer of one resolution, in the terms an MTA acts on.</summary>
public enum MtaStsOutcome
{
    /// <summary>A policy applies (fetched now, or from the cache); see <see cref="MtaStsResolution.Policy"/>.</summary>
    Policy = 0,

    /// <summary>The domain has no usable MTA-STS record and nothing is cached: deliver as without MTA-STS.</summary>
    NoPolicy,

    /// <summary>A valid record exists but no policy could be fetched and nothing is cached (RFC 8461 §3.3: deliver as without MTA-STS, and report).</summary>
    FetchFailure,

    /// <summary>The TXT lookup failed temporarily and nothing is cached. The documented default for an MTA is to proceed as if no policy (decision A-1).</summary>
    DnsFailure,
}
