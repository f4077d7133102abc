namespace MtaSts;

/// <summary>One element of a report's <c>policies</c> array (RFC 8460 §4.4): the policy, its summary and its failure details.</summary>
public sealed class TlsReportPolicyResult
{
    /// <summary>The <c>policy</c> object.</summary>
    public required TlsRptPolicy Policy { get; init; }

    /// <summary>The summary's <c>total-successful-session-count</c>.</summary>
    public required long TotalSuccessfulSessionCount { get; init; }

    /// <summary>The summary's <c>total-failure-session-count</c>.</summary>
    public required long TotalFailureSessionCount { get; init; }

    /// <summary>The <c>failure-details</c>; empty when there were none.</summary>
    public IReadOnlyList<TlsReportFailureDetail> FailureDetails { get; init; } = [];
}
