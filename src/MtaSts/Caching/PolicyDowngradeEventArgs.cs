namespace MtaSts;

/// <summary>A downgrade signal (decision S-5): what was known before, and the resolution that weakened it.</summary>
public sealed class PolicyDowngradeEventArgs : EventArgs
{
    /// <summary>The policy domain.</summary>
    public required string Domain { get; init; }

    /// <summary>Every way the resolution weakened what was known.</summary>
    public required PolicyDowngradeKind Kind { get; init; }

    /// <summary>The policy cached before this resolution, if any.</summary>
    public MtaStsPolicy? PreviousPolicy { get; init; }

    /// <summary>The TXT record the previous policy was fetched under, if any.</summary>
    public MtaStsRecord? PreviousRecord { get; init; }

    /// <summary>The resolution that raised the signal: the newly fetched policy, or the cached one applied after a failure.</summary>
    public required MtaStsResolution Resolution { get; init; }

    /// <summary>The policy that applies now (<see cref="MtaStsResolution.Policy"/> of <see cref="Resolution"/>).</summary>
    public MtaStsPolicy? Policy => Resolution.Policy;
}
