using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MtaSts.Cli;

/// <summary>Writes resolutions as readable lines or as one JSON object per line.</summary>
internal static class ResolutionWriter
{
    /// <summary>Writes one record in the chosen format.</summary>
    public static void Write(TextWriter output, ResolutionRecord record, bool json)
    {
        output.WriteLine(json ? ToJson(record) : ToText(record));
    }

    /// <summary>A readable block: one summary line, then indented warnings and evidence.</summary>
    public static string ToText(ResolutionRecord record)
    {
        var text = new StringBuilder();
        var resolution = record.Resolution;
        var name = resolution?.Domain ?? CliText.Printable(record.Input);
        text.Append(name).Append("  ").Append(record.Outcome);
        if (resolution?.Policy is { } policy)
        {
            text.Append("  mode=").Append(policy.Mode.ToToken())
                .Append("  mx=[").AppendJoin(", ", policy.MxPatterns).Append(']')
                .Append("  max_age=").Append(policy.MaxAgeSeconds.ToString(CultureInfo.InvariantCulture));
        }

        if (resolution?.Record is { } txt)
        {
            text.Append("  id=").Append(txt.Id);
        }

        text.Append("  source=").Append(record.Source)
            .Append("  (").Append(((long)record.Elapsed.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)).Append(" ms)");

        if (record.Override is { } rule)
        {
            text.AppendLine().Append("    override: ").Append(rule);
        }

        if (record.Error is not null)
        {
            text.AppendLine().Append("    error: ").Append(record.Error);
        }

        if (resolution is not null)
        {
            if (resolution.Failure != MtaStsFailure.None)
            {
                text.AppendLine().Append("    failure: ").Append(FailureName(resolution));
                if (resolution.Evidence is { } evidence)
                {
                    text.Append(" - ").Append(evidence.Message);
                    if (evidence.CertificateProblem is { } problem && !evidence.Message.Contains(problem, StringComparison.Ordinal))
                    {
                        text.AppendLine().Append("    certificate: ").Append(problem);
                    }

                    foreach (var error in evidence.Errors)
                    {
                        text.AppendLine().Append("    error: ").Append(error);
                    }
                }
            }

            foreach (var warning in resolution.Warnings)
            {
                text.AppendLine().Append("    warning: ").Append(warning);
            }
        }

        return text.ToString();
    }

    /// <summary>One JSON object on one line, with the fields documented in the README.</summary>
    public static string ToJson(ResolutionRecord record) => CliText.Json(json =>
    {
        var resolution = record.Resolution;
        json.WriteStartObject();
        json.WriteString("input", record.Input);
        json.WriteStringOrNull("domain", resolution?.Domain);
        json.WriteString("outcome", record.Outcome);
        if (resolution?.Policy is { } policy)
        {
            json.WriteString("mode", policy.Mode.ToToken());
            json.WriteStartArray("mx");
            foreach (var pattern in policy.MxPatterns)
            {
                json.WriteStringValue(pattern.Pattern);
            }

            json.WriteEndArray();
            json.WriteNumber("max_age", policy.MaxAgeSeconds);
        }
        else
        {
            json.WriteNull("mode");
            json.WriteNull("mx");
            json.WriteNull("max_age");
        }

        json.WriteStringOrNull("id", resolution?.Record?.Id);
        json.WriteStringOrNull("failure", resolution is null || resolution.Failure == MtaStsFailure.None ? null : FailureName(resolution));
        json.WriteStringOrNull("result_type", resolution?.ReportResultType);
        json.WriteString("source", record.Source);
        json.WriteStringOrNull("override", record.Override);
        json.WriteStartArray("warnings");
        foreach (var warning in resolution?.Warnings ?? [])
        {
            json.WriteStringValue(warning.ToString());
        }

        json.WriteEndArray();
        json.WriteStringOrNull("error", record.Error ?? resolution?.Evidence?.Message);
        json.WriteNumber("elapsed_ms", (long)record.Elapsed.TotalMilliseconds);
        json.WriteEndObject();
    });


    /// <summary>The RFC 8460 result type when there is one, otherwise a kebab-case name of the discovery failure (the same word in text and JSON).</summary>
    internal static string FailureName(MtaStsResolution resolution) => resolution.ReportResultType ?? resolution.Failure.ToToken();
}
