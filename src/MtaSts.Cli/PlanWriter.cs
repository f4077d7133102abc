using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MtaSts.Cli;

/// <summary>Writes delivery plans as readable tables or as one JSON object per line.</summary>
internal static class PlanWriter
{
    public static void Write(TextWriter output, PlanRecord record, bool json)
    {
        output.WriteLine(json ? ToJson(record) : ToText(record));
    }

    /// <summary>The plan's own table (as <see cref="DeliveryPlan.ToString"/> prints it) followed by the time taken; a refused input as one line.</summary>
    public static string ToText(PlanRecord record)
    {
        var elapsed = ((long)record.Elapsed.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        if (record.Plan is null)
        {
            return $"{CliText.Printable(record.Input)}: invalid-input ({elapsed} ms){Environment.NewLine}    error: {record.Error}{Environment.NewLine}";
        }

        var rule = record.Plan.MtaStsResolution is { } resolution ? OverrideSpec.Token(resolution.Override) : null;
        var overrideLine = rule is null ? string.Empty : $"  MTA-STS override: {rule}{Environment.NewLine}";
        return $"{record.Plan}{Environment.NewLine}{overrideLine}  ({elapsed} ms){Environment.NewLine}";
    }

    /// <summary>
    /// One JSON object on one line: <c>domain</c>, <c>status</c>, <c>error</c>, <c>mx_secure</c>, <c>implicit_mx</c>,
    /// <c>mta_sts</c>, <c>mx</c> (a list of <c>{host, preference, use, temporary, tls_required, auth, sni, dane,
    /// mta_sts_match, report_result_type, tlsa, addresses, reasons}</c>), <c>reasons</c>, <c>elapsed_ms</c>.
    /// </summary>
    public static string ToJson(PlanRecord record) => CliText.Json(json =>
    {
        var plan = record.Plan;
        json.WriteStartObject();
        json.WriteString("input", record.Input);
        json.WriteStringOrNull("domain", plan?.Domain);
        json.WriteString("status", record.Status);
        json.WriteStringOrNull("error", record.ErrorText);
        json.WriteBoolean("mx_secure", plan?.MxSecure ?? false);
        json.WriteBoolean("implicit_mx", plan?.ImplicitMx ?? false);
        WriteMtaSts(json, plan?.MtaStsResolution);
        json.WriteStartArray("mx");
        foreach (var host in plan?.Hosts ?? [])
        {
            json.WriteStartObject();
            json.WriteString("host", host.Host);
            json.WriteNumber("preference", host.Preference);
            json.WriteBoolean("use", host.IsUsable);
            json.WriteBoolean("temporary", !host.IsUsable);
            json.WriteBoolean("tls_required", host.TlsRequired);
            json.WriteString("auth", host.CertificateRequirement.Authentication.ToToken());
            json.WriteString("sni", host.Sni);
            json.WriteString("dane", host.Dane.ToToken());
            if (host.MtaStsMxMatch is { } match)
            {
                json.WriteBoolean("mta_sts_match", match);
            }
            else
            {
                json.WriteNull("mta_sts_match");
            }

            json.WriteStringOrNull("report_result_type", host.ReportResultType);
            WriteStrings(json, "tlsa", host.TlsaRecords.Select(r => r.ToString()));
            WriteStrings(json, "addresses", host.Addresses.Select(a => a.ToString()));
            WriteStrings(json, "reasons", host.Reasons);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteStrings(json, "reasons", plan?.Reasons ?? []);
        json.WriteNumber("elapsed_ms", (long)record.Elapsed.TotalMilliseconds);
        json.WriteEndObject();
    });

    private static void WriteMtaSts(Utf8JsonWriter json, MtaStsResolution? resolution)
    {
        if (resolution is null)
        {
            json.WriteNull("mta_sts");
            return;
        }

        json.WriteStartObject("mta_sts");
        json.WriteString("outcome", resolution.Outcome.ToToken());
        json.WriteStringOrNull("mode", resolution.Policy is { } policy ? policy.Mode.ToToken() : null);
        json.WriteStringOrNull("id", resolution.Record?.Id);
        json.WriteStringOrNull("failure", resolution.ReportResultType);
        json.WriteStringOrNull("override", OverrideSpec.Token(resolution.Override));
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

}
