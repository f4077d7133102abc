namespace MtaSts;

/// <summary>How many sessions had one kind of failure (one <c>failure-details</c> entry with its <c>failed-session-count</c>).</summary>
public sealed class TlsReportFailureCount
{
    /// <summary>Creates a count.</summary>
    /// <param name="failure">The failure.</param>
    /// <param name="count">The number of sessions; positive.</param>
    public TlsReportFailureCount(TlsRptFailure failure, long count)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Failure = failure;
        Count = count;
    }

    /// <summary>The failure.</summary>
    public TlsRptFailure Failure { get; }

    /// <summary>The number of sessions that had it.</summary>
    public long Count { get; }
}
