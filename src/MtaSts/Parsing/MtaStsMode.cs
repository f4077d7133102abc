namespace MtaSts;

/// <summary>The <c>mode</c> of an MTA-STS policy (RFC 8461 §3.2, §5).</summary>
public enum MtaStsMode
{
    /// <summary><c>none</c>: the policy domain has no active policy; deliver as without MTA-STS.</summary>
    None = 0,

    /// <summary><c>testing</c>: validation failures are reported but delivery goes ahead.</summary>
    Testing = 1,

    /// <summary><c>enforce</c>: do not deliver to an MX host that fails MX matching or certificate validation.</summary>
    Enforce = 2,
}
