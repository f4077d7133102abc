namespace MtaSts;

/// <summary>The result of parsing a policy body with <see cref="MtaStsPolicyParser"/>.</summary>
public sealed class MtaStsPolicyParseResult
{
    internal MtaStsPolicyParseResult(MtaStsPolicy? policy, IReadOnlyList<MtaStsDiagnostic> errors, IReadOnlyList<MtaStsDiagnostic> warnings)
    {
        Policy = policy;
        Errors = errors;
        Warnings = warnings;
    }

    /// <summary>The policy, or <see langword="null"/> when the body is invalid.</summary>
    public MtaStsPolicy? Policy { get; }

    /// <summary>Why the body is invalid, with line numbers; empty when it is valid.</summary>
    public IReadOnlyList<MtaStsDiagnostic> Errors { get; }

    /// <summary>Harmless slips that were accepted, with line numbers (decisions ).</summary>
    public IReadOnlyList<MtaStsDiagnostic> Warnings { get; }

    /// <summary><see langword="true"/> when <see cref="Policy"/> is set.</summary>
    public bool IsValid => Policy is not null;

    /// <summary>
    /// The first way two results differ (policy fields, pattern characters, extensions, or the diagnostics with their
    /// codes, lines and messages), or <see langword="null"/> when they are the same. Used to hold the parser's fast
    /// path to the full one.
    /// </summary>
    internal static string? Difference(MtaStsPolicyParseResult first, MtaStsPolicyParseResult second)
    {
        if (!first.Errors.SequenceEqual(second.Errors))
        {
            return "errors differ";
        }

        if (!first.Warnings.SequenceEqual(second.Warnings))
        {
            return "warnings differ";
        }

        var (a, b) = (first.Policy, second.Policy);
        if (a is null || b is null)
        {
            return a == b ? null : "only one has a policy";
        }

        return a.Mode != b.Mode ? "modes differ"
            : a.MaxAgeSeconds != b.MaxAgeSeconds ? "max_age differs"
            : !string.Equals(a.Text, b.Text, StringComparison.Ordinal) ? "texts differ"
            : !a.MxPatterns.Select(static p => p.Pattern).SequenceEqual(b.MxPatterns.Select(static p => p.Pattern), StringComparer.Ordinal) ? "mx patterns differ"
            : !a.Extensions.SequenceEqual(b.Extensions) ? "extensions differ"
            : null;
    }
}
