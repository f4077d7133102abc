using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MtaSts.Reporting;

/// <summary>
/// Writes a <see cref="TlsReportDocument"/> as RFC 8460 §4.4 JSON: the schema's member names in the RFC's order,
/// <c>policies</c> always an array, <c>policy-domain</c> and the summary counts always, unknown values left out (never
/// <c>null</c> or <c>""</c>, decision R-11); times as <c>YYYY-MM-DDTHH:MM:SSZ</c>. UTF-8 without indentation (I-JSON, RPT-4-a).
/// </summary>
internal static class TlsReportWriter
{
    // The report is a file, never embedded in HTML, so '+', '<', '&' and non-ASCII need no escaping (contact addresses
    // such as tlsrpt+x@example.com stay readable); control characters and quotes are still escaped.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public static byte[] Serialize(TlsReportDocument document)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            Write(writer, document, document.Policies);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The size of the report without its policies (its <c>policies</c> array empty).</summary>
    public static int MeasureEnvelope(TlsReportDocument document) => Measure(w => Write(w, document, []));

    /// <summary>The size of one <c>policies</c> element with its failure details left out (its array empty).</summary>
    public static int MeasurePolicy(TlsReportPolicyResult policy) => Measure(w => WritePolicy(w, policy, []));

    /// <summary>The size of one <c>failure-details</c> element.</summary>
    public static int MeasureDetail(TlsReportFailureDetail detail) => Measure(w => WriteDetail(w, detail));

    private static int Measure(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }

        return buffer.WrittenCount;
    }

    private static void Write(Utf8JsonWriter writer, TlsReportDocument document, IReadOnlyList<TlsReportPolicyResult> policies)
    {
        writer.WriteStartObject();
        writer.WriteString("organization-name", document.OrganizationName);
        writer.WriteStartObject("date-range");
        writer.WriteString("start-datetime", Time(document.StartDateTime));
        writer.WriteString("end-datetime", Time(document.EndDateTime));
        writer.WriteEndObject();
        writer.WriteString("contact-info", document.ContactInfo);
        writer.WriteString("report-id", document.ReportId);
        writer.WriteStartArray("policies");
        foreach (var policy in policies)
        {
            WritePolicy(writer, policy, policy.FailureDetails);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WritePolicy(Utf8JsonWriter writer, TlsReportPolicyResult result, IReadOnlyList<TlsReportFailureDetail> details)
    {
        var policy = result.Policy;
        writer.WriteStartObject();
        writer.WriteStartObject("policy");
        writer.WriteString("policy-type", TlsRptTokens.ToToken(policy.PolicyType));
        writer.WriteStartArray("policy-string");
        foreach (var line in policy.PolicyStrings)
        {
            writer.WriteStringValue(line);
        }

        writer.WriteEndArray();
        writer.WriteString("policy-domain", policy.PolicyDomain);
        if (policy.MxHosts.Count > 0)
        {
            writer.WriteStartArray("mx-host");
            foreach (var mx in policy.MxHosts)
            {
                writer.WriteStringValue(mx);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteStartObject("summary");
        writer.WriteNumber("total-successful-session-count", result.TotalSuccessfulSessionCount);
        writer.WriteNumber("total-failure-session-count", result.TotalFailureSessionCount);
        writer.WriteEndObject();
        writer.WriteStartArray("failure-details");
        foreach (var detail in details)
        {
            WriteDetail(writer, detail);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteDetail(Utf8JsonWriter writer, TlsReportFailureDetail detail)
    {
        writer.WriteStartObject();
        writer.WriteString("result-type", detail.ResultType);
        WriteKnown(writer, "sending-mta-ip", detail.SendingMtaIp);
        WriteKnown(writer, "receiving-mx-hostname", detail.ReceivingMxHostname);
        WriteKnown(writer, "receiving-mx-helo", detail.ReceivingMxHelo);
        WriteKnown(writer, "receiving-ip", detail.ReceivingIp);
        writer.WriteNumber("failed-session-count", detail.FailedSessionCount);
        WriteKnown(writer, "additional-information", detail.AdditionalInformation);
        WriteKnown(writer, "failure-reason-code", detail.FailureReasonCode);
        writer.WriteEndObject();
    }

    private static void WriteKnown(Utf8JsonWriter writer, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            writer.WriteString(name, value);
        }
    }

    internal static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
