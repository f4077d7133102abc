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
}
