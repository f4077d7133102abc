namespace MtaSts;

/// <summary>
/// How a resolution weakened what the sender had learnt about a domain (decision S-5). Operators alert on these: an
/// attacker on the policy path can only make a sender forget or ignore a policy, never strengthen it.
/// </summary>
[Flags]
public enum PolicyDowngradeKind
{
    /// <summary>Nothing weakened.</summary>
    None = 0,

    /// <summary>A freshly fetched policy has a weaker mode than the cached one (<c>enforce</c> → <c>testing</c> or <c>none</c>, <c>testing</c> → <c>none</c>).</summary>
    ModeWeakened = 1,

    /// <summary>A freshly fetched policy has other <c>mx</c> patterns than the cached <c>enforce</c> or <c>testing</c> one.</summary>
    MxPatternsChanged = 2,

    /// <summary>A freshly fetched policy's <c>max_age</c> is below a tenth of the cached one's.</summary>
    MaxAgeReduced = 4,

    /// <summary>The <c>_mta-sts</c> TXT record is gone while a policy is still cached (the cached policy still applies, RFC 8461 §5.1).</summary>
    RecordRemoved = 8,

    /// <summary>The cached policy was applied because discovery or the fetch failed (<see cref="PolicySource.CacheAfterFailure"/>, RFC 8461 §3.3).</summary>
    AppliedAfterFailure = 16,
}
