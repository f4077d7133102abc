namespace MtaSts;

/// <summary>One finding of <see cref="MtaStsInspector"/>: how bad, a stable code, what was found, and what to do about it.</summary>
/// <param name="Severity">How much it matters.</param>
/// <param name="Code">A stable code from <see cref="InspectionCodes"/> or <see cref="MtaStsDiagnosticCodes"/>.</param>
/// <param name="Message">What was found, in one sentence (text from the network in it is sanitised and capped).</param>
/// <param name="Fix">What to do, in one line; empty for an <see cref="InspectionSeverity.Info"/> finding with nothing to do.</param>
public sealed record InspectionFinding(InspectionSeverity Severity, string Code, string Message, string Fix)
{
    /// <summary>
    /// What the finding is about: <c>txt</c>, <c>policy-host</c>, <c>policy</c>, <c>mx</c>, <c>tlsrpt</c>, or an MX host
    /// name; <see langword="null"/> when it is about the domain as a whole.
    /// </summary>
    public string? Subject { get; init; }

    /// <summary>The 1-based line of the policy body the finding is about, or 0.</summary>
    public int Line { get; init; }

    /// <summary>The finding as <c>severity code: message</c>.</summary>
    /// <returns>One line.</returns>
    public override string ToString() => $"{Severity.ToToken()} {Code}: {Message}";
}
