namespace MtaSts.Reporting;

/// <summary>
/// The one order of policies and failures in a report, so that two nodes building from the same counts write the same
/// bytes (and the same parts, decision R-7): policies by type, domain, strings and patterns; failures by count (largest
/// first), then by their fields.
/// </summary>
internal static class TlsReportOrdering
{
    public static TlsReportPolicyCounts[] Sort(IEnumerable<TlsReportPolicyCounts> policies)
    {
        var sorted = policies.Select(p => new TlsReportPolicyCounts(p.Policy, p.SuccessfulSessions, p.FailedSessions, Sort(p.Failures))).ToArray();
        Array.Sort(sorted, (a, b) => ComparePolicies(a.Policy, b.Policy));
        return sorted;
    }

    public static TlsReportFailureCount[] Sort(IEnumerable<TlsReportFailureCount> failures)
    {
        var sorted = failures.ToArray();
        Array.Sort(sorted, CompareFailures);
        return sorted;
    }

    public static int ComparePolicies(TlsRptPolicy a, TlsRptPolicy b)
    {
        var c = a.PolicyType.CompareTo(b.PolicyType);
        if (c == 0)
        {
            c = string.CompareOrdinal(a.PolicyDomain, b.PolicyDomain);
        }

        if (c == 0)
        {
            c = CompareLists(a.PolicyStrings, b.PolicyStrings);
        }

        return c != 0 ? c : CompareLists(a.MxHosts, b.MxHosts);
    }

    private static int CompareFailures(TlsReportFailureCount a, TlsReportFailureCount b)
    {
        var c = b.Count.CompareTo(a.Count);
        if (c != 0)
        {
            return c;
        }

        TlsRptFailure x = a.Failure, y = b.Failure;
        c = x.ResultType.CompareTo(y.ResultType);
        if (c == 0)
        {
            c = string.CompareOrdinal(x.FailureReasonCode, y.FailureReasonCode);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(x.ReceivingMxHostname, y.ReceivingMxHostname);
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(x.ReceivingIp?.ToString(), y.ReceivingIp?.ToString());
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(x.SendingMtaIp?.ToString(), y.SendingMtaIp?.ToString());
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(x.ReceivingMxHelo, y.ReceivingMxHelo);
        }

        return c != 0 ? c : string.CompareOrdinal(x.AdditionalInformation, y.AdditionalInformation);
    }

    private static int CompareLists(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            var c = string.CompareOrdinal(a[i], b[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Count.CompareTo(b.Count);
    }
}
