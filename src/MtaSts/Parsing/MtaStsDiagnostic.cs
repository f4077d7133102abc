namespace MtaSts;

/// <summary>One error or warning found in a TXT record or a policy body.</summary>
/// <param name="Code">A stable, machine-readable code such as <c>max-age-clamped</c>.</param>
/// <param name="Message">A sentence a person can act on.</param>
/// <param name="Line">The 1-based line of the policy body, or 0 when the diagnostic is not about a line (TXT records, whole-policy problems).</param>
public sealed record MtaStsDiagnostic(string Code, string Message, int Line = 0)
{
    /// <summary>The diagnostic as <c>line N: message (code)</c>.</summary>
    /// <returns>A readable one-line form.</returns>
    public override string ToString() => Line > 0 ? $"line {Line}: {Message} ({Code})" : $"{Message} ({Code})";
}
