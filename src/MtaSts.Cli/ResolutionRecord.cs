namespace MtaSts.Cli;

/// <summary>One line of <c>mta-sts resolve</c> output: a resolution, or the reason the input was refused.</summary>
internal sealed record ResolutionRecord(string Input, MtaStsResolution? Resolution, string? Error, TimeSpan Elapsed)
{
    /// <summary>The outcome word used by the JSON output and the exit code.</summary>
    public string Outcome => Resolution is null ? "invalid-input" : Resolution.Outcome.ToToken();

    /// <summary>Whether this domain got a definite answer (a policy, or none).</summary>
    public bool IsDefinite => Resolution?.Outcome is MtaStsOutcome.Policy or MtaStsOutcome.NoPolicy;

    /// <summary>The source word used by the outputs.</summary>
    public string Source => (Resolution?.Source ?? PolicySource.None).ToToken();

    /// <summary>The local override that shaped the resolution: <c>enforce</c>, <c>disable</c>, <c>policy</c>, or <see langword="null"/>.</summary>
    public string? Override => Resolution is null ? null : OverrideSpec.Token(Resolution.Override);
}
