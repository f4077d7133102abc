using MtaSts.Reporting;

namespace MtaSts;

/// <summary>
/// Counts sessions in memory per (UTC day, recipient domain, policy, failure), merging equal keys (RFC 8460 §4; decisions
/// Thread-safe; an add of a key already seen allocates nothing. The recorder feeds it, a store receives what
/// <see cref="Drain"/> hands out, and <see cref="TlsReportBuilder"/> builds reports from <see cref="Snapshot(DateOnly, string)"/>.
/// </summary>
/// <remarks>
/// What it is fed decides what is reported: a <c>testing</c> session whose certificate failed is added as a failure,
/// though it was delivered (decision R-6); a host skipped before connecting is added as a failure of the result type the
/// planner gave it (decision R-15); a policy that could not be fetched is added under its <c>sts</c> policy with the fetch's
/// result type (decision R-16). Report deliveries are never added (decision R-13).
/// </remarks>
public sealed class TlsReportAggregator
{
    private readonly object _gate = new();
    private Dictionary<(DateOnly Day, string Domain), Dictionary<TlsRptPolicy, PolicyCounter>> _reports = [];

    /// <summary>The UTC day an instant falls on (decision R-1).</summary>
    /// <param name="instant">The instant, e.g. the session's start from a <see cref="TimeProvider"/>.</param>
    /// <returns>Its UTC date.</returns>
    public static DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.UtcDateTime);

    /// <summary>Counts sessions that negotiated TLS as the policy requires.</summary>
    /// <param name="day">The UTC day of the sessions.</param>
    /// <param name="reportDomain">The recipient domain.</param>
    /// <param name="policy">The policy that decided the host (decision R-2).</param>
    /// <param name="sessions">How many sessions; positive.</param>
    public void AddSuccess(DateOnly day, string reportDomain, TlsRptPolicy policy, long sessions = 1)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sessions);
        var domain = DomainName.Normalize(reportDomain);
        lock (_gate)
        {
            Counter(day, domain, policy).Successful += sessions;
        }
    }

    /// <summary>Counts failed sessions with one failure each.</summary>
    /// <param name="day">The UTC day of the sessions.</param>
    /// <param name="reportDomain">The recipient domain.</param>
    /// <param name="policy">The policy that decided the host (decision R-2).</param>
    /// <param name="failure">What failed.</param>
    /// <param name="sessions">How many sessions; positive.</param>
    public void AddFailure(DateOnly day, string reportDomain, TlsRptPolicy policy, TlsRptFailure failure, long sessions = 1)
    {
        ArgumentNullException.ThrowIfNull(failure);
        AddFailureCore(day, reportDomain, policy, [failure], sessions);
    }

    /// <summary>Counts failed sessions that each had several failures (RPT-4-c: each failure is counted, the session once).</summary>
    /// <param name="day">The UTC day of the sessions.</param>
    /// <param name="reportDomain">The recipient domain.</param>
    /// <param name="policy">The policy that decided the host (decision R-2).</param>
    /// <param name="failures">What failed; at least one.</param>
    /// <param name="sessions">How many sessions; positive.</param>
    public void AddFailures(DateOnly day, string reportDomain, TlsRptPolicy policy, IReadOnlyList<TlsRptFailure> failures, long sessions = 1)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (failures.Count == 0 || failures.Any(f => f is null))
        {
            throw new ArgumentException("At least one failure, none null.", nameof(failures));
        }

        AddFailureCore(day, reportDomain, policy, failures, sessions);
    }

    /// <summary>Adds counts gathered elsewhere (another node, a store) to these: every count is summed.</summary>
    /// <param name="counts">The counts to add.</param>
    public void Merge(TlsReportCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        lock (_gate)
        {
            foreach (var policy in counts.Policies)
            {
                var counter = Counter(counts.Day, counts.ReportDomain, policy.Policy);
                counter.Successful += policy.SuccessfulSessions;
                counter.Failed += policy.FailedSessions;
                foreach (var failure in policy.Failures)
                {
                    counter.Failures[failure.Failure] = counter.Failures.GetValueOrDefault(failure.Failure) + failure.Count;
                }
            }
        }
    }

    /// <summary>The counts of one day and domain so far, or <see langword="null"/> when nothing was recorded for them.</summary>
    /// <param name="day">The UTC day.</param>
    /// <param name="reportDomain">The recipient domain.</param>
    /// <returns>A copy, in the report's order.</returns>
    public TlsReportCounts? Snapshot(DateOnly day, string reportDomain)
    {
        var domain = DomainName.Normalize(reportDomain);
        lock (_gate)
        {
            return _reports.TryGetValue((day, domain), out var policies) ? ToCounts(day, domain, policies) : null;
        }
    }

    /// <summary>The counts of every day and domain so far.</summary>
    /// <returns>Copies, ordered by day and domain.</returns>
    public IReadOnlyList<TlsReportCounts> Snapshot()
    {
        lock (_gate)
        {
            return ToList(_reports);
        }
    }

    /// <summary>Hands out every count and starts afresh, atomically (what a flush to a store does).</summary>
    /// <returns>The counts, ordered by day and domain.</returns>
    public IReadOnlyList<TlsReportCounts> Drain()
    {
        Dictionary<(DateOnly Day, string Domain), Dictionary<TlsRptPolicy, PolicyCounter>> taken;
        lock (_gate)
        {
            taken = _reports;
            _reports = [];
        }

        return ToList(taken);
    }

    /// <summary>
    /// Counts one session under its policy, unless it would open a new (day, domain) report while <paramref name="maxReports"/>
    /// are held already. The recorder's path: one lock, no allocation for a report already held.
    /// </summary>
    internal bool TryAddSession(DateOnly day, string domain, TlsRptPolicy policy, TlsRptFailure? failure, int maxReports)
    {
        lock (_gate)
        {
            if (!_reports.TryGetValue((day, domain), out var policies))
            {
                if (_reports.Count >= maxReports)
                {
                    return false;
                }

                policies = [];
                _reports.Add((day, domain), policies);
            }

            if (!policies.TryGetValue(policy, out var counter))
            {
                counter = new PolicyCounter();
                policies.Add(policy, counter);
            }

            if (failure is null)
            {
                counter.Successful++;
            }
            else
            {
                counter.Failed++;
                counter.Failures[failure] = counter.Failures.GetValueOrDefault(failure) + 1;
            }

            return true;
        }
    }

    private void AddFailureCore(DateOnly day, string reportDomain, TlsRptPolicy policy, IReadOnlyList<TlsRptFailure> failures, long sessions)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sessions);
        var domain = DomainName.Normalize(reportDomain);
        lock (_gate)
        {
            var counter = Counter(day, domain, policy);
            counter.Failed += sessions;
            for (var i = 0; i < failures.Count; i++)
            {
                counter.Failures[failures[i]] = counter.Failures.GetValueOrDefault(failures[i]) + sessions;
            }
        }
    }

    private PolicyCounter Counter(DateOnly day, string domain, TlsRptPolicy policy)
    {
        if (!_reports.TryGetValue((day, domain), out var policies))
        {
            policies = [];
            _reports.Add((day, domain), policies);
        }

        if (!policies.TryGetValue(policy, out var counter))
        {
            counter = new PolicyCounter();
            policies.Add(policy, counter);
        }

        return counter;
    }

    private static List<TlsReportCounts> ToList(Dictionary<(DateOnly Day, string Domain), Dictionary<TlsRptPolicy, PolicyCounter>> reports) =>
        reports.OrderBy(r => r.Key.Day).ThenBy(r => r.Key.Domain, StringComparer.Ordinal)
            .Select(r => ToCounts(r.Key.Day, r.Key.Domain, r.Value))
            .ToList();

    private static TlsReportCounts ToCounts(DateOnly day, string domain, Dictionary<TlsRptPolicy, PolicyCounter> policies) =>
        new(day, domain, TlsReportOrdering.Sort(policies.Select(p => new TlsReportPolicyCounts(
            p.Key,
            p.Value.Successful,
            p.Value.Failed,
            p.Value.Failures.Select(f => new TlsReportFailureCount(f.Key, f.Value)).ToArray()))));

    private sealed class PolicyCounter
    {
        public long Successful;
        public long Failed;
        public readonly Dictionary<TlsRptFailure, long> Failures = [];
    }
}
