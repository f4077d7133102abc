namespace MtaSts;

/// <summary>How much an <see cref="InspectionFinding"/> matters to the domain's owner.</summary>
public enum InspectionSeverity
{
    /// <summary>A fact worth knowing: nothing to fix.</summary>
    Info = 0,

    /// <summary>Works today, but is fragile, unusual, or loses something (reports, protection); worth fixing.</summary>
    Warning = 1,

    /// <summary>A sending MTA would fail here: no policy, a refused MX host, deferred mail. Fix it.</summary>
    Error = 2,
}
