namespace MtaSts;

/// <summary>
/// Everything recorded for one report: one UTC day (decision R-1) and one recipient domain (whose <c>_smtp._tls</c> record
/// the report goes to), per policy. What <see cref="TlsReportAggregator"/> hands out and <see cref="TlsReportBuilder"/> turns
/// into reports.
/// </summary>
public sealed class TlsReportCounts
{
    /// <summary>Creates the counts of a report.</summary>
    /// <param name="day">The UTC day.</param>
    /// <param name="reportDomain">The recipient domain (normalised to A-labels).</param>
    /// <param name="policies">The counts per policy; each policy at most once.</param>
    /// <exception cref="ArgumentException">A policy is listed twice.</exception>
    public TlsReportCounts(DateOnly day, string reportDomain, IReadOnlyList<TlsReportPolicyCounts> policies)
    {
        ArgumentNullException.ThrowIfNull(policies);
        if (policies.Select(p => p.Policy).Distinct().Count() != policies.Count)
        {
            throw new ArgumentException("Each policy may be listed once.", nameof(policies));
        }

        Day = day;
        ReportDomain = DomainName.Normalize(reportDomain);
        Policies = policies;
    }

    /// <summary>The UTC day the report covers.</summary>
    public DateOnly Day { get; }

    /// <summary>The recipient domain: the report's <c>TLS-Report-Domain</c> and the second part of its file name.</summary>
    public string ReportDomain { get; }

    /// <summary>The counts per policy.</summary>
    public IReadOnlyList<TlsReportPolicyCounts> Policies { get; }

    /// <summary>The successful sessions of all policies.</summary>
    public long SuccessfulSessions => Policies.Sum(p => p.SuccessfulSessions);

    /// <summary>The failed sessions of all policies.</summary>
    public long FailedSessions => Policies.Sum(p => p.FailedSessions);
}
