namespace MtaSts;

/// <summary>The lower-case tokens of <see cref="InspectionSeverity"/>.</summary>
public static class InspectionSeverityExtensions
{
    /// <summary><c>error</c>, <c>warning</c> or <c>info</c>.</summary>
    /// <param name="severity">The severity.</param>
    /// <returns>The token.</returns>
    public static string ToToken(this InspectionSeverity severity) => severity switch
    {
        InspectionSeverity.Error => "error",
        InspectionSeverity.Warning => "warning",
        _ => "info",
    };
}
