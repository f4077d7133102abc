namespace MtaSts.Cli;

/// <summary>One finding of <c>mta-sts lint</c>: where (policy, record, the live MX set), how bad, a stable code, and what to do.</summary>
internal sealed record LintFinding(string Source, string Severity, string Code, int Line, string Message)
{
    public const string Error = "error";
    public const string Warning = "warning";
    public const string Info = "info";
}

/// <summary>
/// The checks of <c>mta-sts lint</c>, pure: the library's own parsers decide what is wrong with a candidate policy or TXT
/// record (the codes are <see cref="MtaStsDiagnosticCodes"/>), and a delivery plan made with the candidate policy pinned
/// says which live MX hosts a sender would refuse.
/// </summary>
internal static class LintFindings
{
    /// <summary>A live MX host that no <c>mx</c> pattern covers.</summary>
    public const string MxNotCovered = InspectionCodes.MxNotCovered;

    /// <summary>An <c>mx</c> pattern that matches none of the live MX hosts.</summary>
    public const string PatternUnused = InspectionCodes.PatternMatchesNoMx;

    /// <summary>A wildcard pattern meant for a deeper host: <c>*.example.net</c> covers one label only (RFC 8461 §4.1).</summary>
    public const string WildcardTooShallow = InspectionCodes.WildcardOneLabelOnly;

    /// <summary>The MX hosts could not be had (DNS failure, no mail service).</summary>
    public const string MxUnavailable = InspectionCodes.MxUnavailable;

    public static IEnumerable<LintFinding> ForPolicy(string source, MtaStsPolicyParseResult result) =>
        Diagnostics(source, result.Errors, result.Warnings);

    public static IEnumerable<LintFinding> ForRecord(MtaStsRecordParseResult result) =>
        Diagnostics("record", result.Errors, result.Warnings);

    /// <summary>Compares a plan made with the candidate <paramref name="policy"/> pinned against the live MX hosts.</summary>
    public static IEnumerable<LintFinding> ForMxSet(string source, MtaStsPolicy policy, DeliveryPlan plan)
    {
        if (plan.Status == DeliveryPlanStatus.NoMailService)
        {
            yield return new(source, LintFinding.Warning, MxUnavailable, 0, $"{plan.Domain} accepts no mail (null MX or no such domain), so no MX host can be checked.");
            yield break;
        }

        if (plan.Hosts.Count == 0)
        {
            yield return new(source, LintFinding.Warning, MxUnavailable, 0, $"The MX hosts of {plan.Domain} could not be looked up now; try again.");
            yield break;
        }

        var refusing = policy.Mode == MtaStsMode.Enforce;
        foreach (var host in plan.Hosts)
        {
            if (policy.MatchesMx(host.Host))
            {
                continue;
            }

            var severity = policy.Mode == MtaStsMode.None ? LintFinding.Info : refusing ? LintFinding.Error : LintFinding.Warning;
            var consequence = refusing
                ? "a sender would refuse to deliver to it"
                : policy.Mode == MtaStsMode.Testing ? "under enforce a sender would refuse it; under testing it is reported" : "it matters once the mode is enforce or testing";
            yield return new(source, severity, MxNotCovered, 0, $"MX {host.Host} (preference {host.Preference}) matches none of the mx patterns: {consequence}. Add 'mx: {host.Host}' or a wildcard covering it.");
        }

        foreach (var pattern in policy.MxPatterns)
        {
            if (plan.Hosts.Any(host => pattern.Matches(host.Host)))
            {
                continue;
            }

            var deeper = pattern.IsWildcard
                ? plan.Hosts.FirstOrDefault(host => host.Host.EndsWith(pattern.Pattern[1..], StringComparison.OrdinalIgnoreCase))
                : null;
            yield return deeper is not null
                ? new(source, LintFinding.Warning, WildcardTooShallow, 0, $"mx '{pattern.Pattern}' does not cover {deeper.Host}: a wildcard stands for exactly one label (RFC 8461 §4.1). Add 'mx: {deeper.Host}'.")
                : new(source, LintFinding.Warning, PatternUnused, 0, $"mx '{pattern.Pattern}' matches none of the MX hosts of {plan.Domain}; remove it if it is stale.");
        }
    }

    private static IEnumerable<LintFinding> Diagnostics(string source, IReadOnlyList<MtaStsDiagnostic> errors, IReadOnlyList<MtaStsDiagnostic> warnings) =>
        errors.Select(d => new LintFinding(source, LintFinding.Error, d.Code, d.Line, d.Message))
            .Concat(warnings.Select(d => new LintFinding(source, LintFinding.Warning, d.Code, d.Line, d.Message)))
            .OrderBy(f => f.Line);
}
