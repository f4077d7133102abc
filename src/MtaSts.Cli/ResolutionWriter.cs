using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MtaSts.Cli;

/// <summary>Writes resolutions as readable lines or as one JSON object per line.</summary>
internal static class ResolutionWriter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = false };

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
        var name = resolution?.Domain ?? record.Input;
        text.Append(name).Append("  ").Append(record.Outcome);
        if (resolution?.Policy is { } policy)
        {
            text.Append("  mode=").Append(ModeName(policy.Mode))
                .Append("  mx=[").AppendJoin(", ", policy.MxPatterns).Append(']')
                .Append("  max_age=").Append(policy.MaxAgeSeconds.ToString(CultureInfo.InvariantCulture));
        }

        if (resolution?.Record is { } txt)
        {
            text.Append("  id=").Append(txt.Id);
        }

        text.Append("  source=").Append(record.Source)
            .Append("  (").Append(((long)record.Elapsed.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)).Append(" ms)");

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
    public static string ToJson(ResolutionRecord record)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            var resolution = record.Resolution;
            json.WriteStartObject();
            json.WriteString("domain", resolution?.Domain ?? record.Input);
            json.WriteString("outcome", record.Outcome);
            if (resolution?.Policy is { } policy)
            {
                json.WriteString("mode", ModeName(policy.Mode));
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

            WriteStringOrNull(json, "id", resolution?.Record?.Id);
            WriteStringOrNull(json, "failure", resolution?.ReportResultType);
            json.WriteString("source", record.Source);
            json.WriteStartArray("warnings");
            foreach (var warning in resolution?.Warnings ?? [])
            {
                json.WriteStringValue(warning.ToString());
            }

            json.WriteEndArray();
            WriteStringOrNull(json, "error", record.Error ?? resolution?.Evidence?.Message);
            json.WriteNumber("elapsed_ms", (long)record.Elapsed.TotalMilliseconds);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static string ModeName(MtaStsMode mode) => mode switch
    {
        MtaStsMode.Enforce => "enforce",
        MtaStsMode.Testing => "testing",
        _ => "none",
    };

    /// <summary>The RFC 8460 result type when there is one, otherwise a kebab-case name of the discovery failure.</summary>
    private static string FailureName(MtaStsResolution resolution) => resolution.ReportResultType ?? resolution.Failure switch
    {
        MtaStsFailure.RecordNotFound => "record-not-found",
        MtaStsFailure.RecordInvalid => "record-invalid",
        MtaStsFailure.MultipleRecords => "multiple-records",
        MtaStsFailure.DnsFailure => "dns-failure",
        _ => resolution.Failure.ToString(),
    };
}
