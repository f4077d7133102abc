namespace MtaSts;

/// <summary>The sessions counted under one policy of a report (one element of <c>policies</c> before it is written).</summary>
public sealed class TlsReportPolicyCounts
{
    /// <summary>Creates the counts of one policy.</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="successfulSessions">Sessions that negotiated TLS as the policy requires.</param>
    /// <param name="failedSessions">Sessions that failed (each counted once, whatever the number of its failures).</param>
    /// <param name="failures">The failure counts; a session may add to several (RPT-4-c).</param>
    public TlsReportPolicyCounts(TlsRptPolicy policy, long successfulSessions, long failedSessions, IReadOnlyList<TlsReportFailureCount> failures)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(failures);
        ArgumentOutOfRangeException.ThrowIfNegative(successfulSessions);
        ArgumentOutOfRangeException.ThrowIfNegative(failedSessions);
        Policy = policy;
        SuccessfulSessions = successfulSessions;
        FailedSessions = failedSessions;
        Failures = failures;
    }

    /// <summary>The policy.</summary>
    public TlsRptPolicy Policy { get; }

    /// <summary>The <c>total-successful-session-count</c>.</summary>
    public long SuccessfulSessions { get; }

    /// <summary>The <c>total-failure-session-count</c>.</summary>
    public long FailedSessions { get; }

    /// <summary>The <c>failure-details</c> counts, largest first.</summary>
    public IReadOnlyList<TlsReportFailureCount> Failures { get; }
}
