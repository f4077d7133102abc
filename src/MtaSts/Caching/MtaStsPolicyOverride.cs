namespace MtaSts;

/// <summary>A local override for one policy domain, set by the operator in <see cref="MtaStsOptions.Overrides"/>.</summary>
/// <remarks>
/// Overrides are the operator's, not the publisher's: they are applied after the cache, never stored in a policy store,
/// and always visible on the resolution (<see cref="MtaStsResolution.Override"/>) so nobody mistakes them for what the
/// domain publishes.
/// </remarks>
public sealed class MtaStsPolicyOverride
{
    private MtaStsPolicyOverride(MtaStsOverrideKind kind, MtaStsPolicy? policy)
    {
        Kind = kind;
        Policy = policy;
    }

    /// <summary>Apply a published <c>testing</c> policy as <c>enforce</c>.</summary>
    public static MtaStsPolicyOverride Enforce { get; } = new(MtaStsOverrideKind.Enforce, policy: null);

    /// <summary>Do not use MTA-STS for the domain.</summary>
    public static MtaStsPolicyOverride Disable { get; } = new(MtaStsOverrideKind.Disable, policy: null);

    /// <summary>What the override does.</summary>
    public MtaStsOverrideKind Kind { get; }

    /// <summary>The pinned policy of a <see cref="MtaStsOverrideKind.StaticPolicy"/> override; otherwise <see langword="null"/>.</summary>
    public MtaStsPolicy? Policy { get; }

    /// <summary>Pins a policy text (the RFC 8461 §3.2 format, as served at <c>/.well-known/mta-sts.txt</c>).</summary>
    /// <param name="policyText">The policy text; it must parse without errors.</param>
    /// <returns>The override.</returns>
    /// <exception cref="ArgumentException">The text is not a valid policy; the message names the first error and its line.</exception>
    public static MtaStsPolicyOverride StaticPolicy(string policyText)
    {
        ArgumentNullException.ThrowIfNull(policyText);
        var parsed = MtaStsPolicyParser.Parse(policyText);
        if (parsed.Policy is not { } policy)
        {
            throw new ArgumentException($"The pinned policy is not valid: {parsed.Errors[0]}", nameof(policyText));
        }

        return new MtaStsPolicyOverride(MtaStsOverrideKind.StaticPolicy, policy);
    }

    /// <summary>Reads an override as the CLI writes it: <c>enforce</c>, <c>disable</c>.</summary>
    /// <param name="text">The token.</param>
    /// <param name="value">The override.</param>
    /// <returns><see langword="true"/> when the token is known.</returns>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MtaStsPolicyOverride? value)
    {
        value = text switch
        {
            "enforce" => Enforce,
            "disable" => Disable,
            _ => null,
        };
        return value is not null;
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        MtaStsOverrideKind.Enforce => "enforce",
        MtaStsOverrideKind.Disable => "disable",
        MtaStsOverrideKind.StaticPolicy => $"static policy ({Policy})",
        _ => "none",
    };
}
