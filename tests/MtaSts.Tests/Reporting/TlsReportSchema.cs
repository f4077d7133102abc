using System.Text.Json.Nodes;
using Json.Schema;

namespace MtaSts.Tests.Reporting;

/// <summary>The RFC 8460 report schema of Resources/tlsrpt-report.schema.json, strict like real receivers.</summary>
internal static class TlsReportSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reporting", "Resources", "tlsrpt-report.schema.json"))));

    public static IReadOnlyList<string> Problems(ReadOnlySpan<byte> json)
    {
        var options = new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
        var results = Schema.Value.Evaluate(JsonNode.Parse(json), options);
        if (results.IsValid)
        {
            return [];
        }

        return results.Details
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
            .ToList();
    }

    public static void AssertValid(ReadOnlyMemory<byte> json)
    {
        var problems = Problems(json.Span);
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + System.Text.Encoding.UTF8.GetString(json.Span));
    }

    public static void AssertInvalid(string json) =>
        Assert.NotEmpty(Problems(System.Text.Encoding.UTF8.GetBytes(json)));
}
