namespace MtaSts;

/// <summary>What a local override does to a domain's MTA-STS resolution (<see cref="MtaStsOptions.Overrides"/>).</summary>
public enum MtaStsOverrideKind
{
    /// <summary>No override.</summary>
    None = 0,

    /// <summary>A published <c>testing</c> policy is applied as <c>enforce</c>; <c>none</c> and no policy stay as they are.</summary>
    Enforce,

    /// <summary>MTA-STS is not consulted for the domain: no lookup, no fetch, no policy.</summary>
    Disable,

    /// <summary>A policy text pinned by the operator is applied instead of anything published; no lookup, no fetch.</summary>
    StaticPolicy,
}
