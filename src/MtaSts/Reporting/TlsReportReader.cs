using MtaSts.Grammar;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;

namespace MtaSts;

/// <summary>
/// Reads TLS-RPT reports (RFC 8460 §4.4), ours and other senders': plain JSON or gzip, with the variants large senders
/// emit (checklist §4.5) accepted and named in warnings. Pure: bytes in, a <see cref="TlsReportDocument"/> out; never
/// throws for bad input.
/// </summary>
/// <remarks>
/// <para>Accepted variants (warning codes):</para>
/// <list type="bullet">
/// <item><description><c>mx-host</c> as a string instead of an array (erratum 6241): <c>mx-host-string</c>.</description></item>
/// <item><description>the prose's member names <c>domain</c>, <c>mx-host-pattern</c>, <c>additional-info-uri</c> instead of the schema's (§4.5 item 1): <c>prose-member-name</c>.</description></item>
/// <item><description>date-times without a zone, read as UTC: <c>time-without-zone</c>; the end at <c>T23:59:59Z</c> or at the next day's <c>T00:00:00Z</c> needs no warning (<see cref="TlsReportDocument.Day"/> accepts both).</description></item>
/// <item><description><c>policy-string</c> elements that are themselves JSON strings (<c>"\"3 1 1 ab…\""</c>), and a <c>policy-string</c> given as one string: <c>policy-string-double-encoded</c>, <c>policy-string-not-array</c>.</description></item>
/// <item><description>every member of <c>failure-details</c> but <c>result-type</c> and <c>failed-session-count</c> optional (§4.5 item 4), <c>failure-details</c> itself optional; members whose value is <c>null</c> count as absent; unknown members are ignored.</description></item>
/// <item><description>a missing <c>organization-name</c>, <c>contact-info</c> or <c>report-id</c> (read as empty): <c>member-missing</c>.</description></item>
/// </list>
/// <para>
/// Errors: <c>empty</c>, <c>gzip-invalid</c>, <c>too-large</c>, <c>json-invalid</c>, <c>not-an-object</c>,
/// <c>date-range-invalid</c>, <c>policies-invalid</c>, <c>policy-invalid</c>, <c>policy-type-unknown</c>,
/// <c>summary-invalid</c>, <c>failure-detail-invalid</c>.
/// </para>
/// </remarks>
public static class TlsReportReader
{
    /// <summary>The largest report read, in bytes after decompression (64 MiB).</summary>
    public const int MaxReportBytes = 64 * 1024 * 1024;

    /// <summary>Reads a report.</summary>
    /// <param name="data">The report: JSON (UTF-8, a BOM allowed) or gzip-compressed JSON (recognised by its magic bytes 1f 8b).</param>
    /// <returns>The report with warnings, or the errors that kept it from being read.</returns>
    public static TlsReportReadResult Read(ReadOnlySpan<byte> data)
    {
        var errors = new DiagnosticList();
        var warnings = new DiagnosticList();
        var compressed = data.Length >= 2 && data[0] == 0x1f && data[1] == 0x8b;
        byte[] json;
        if (compressed)
        {
            if (!TryGunzip(data, out json, ref errors))
            {
                return new TlsReportReadResult(null, true, errors.ToReadOnlyList(), warnings.ToReadOnlyList());
            }
        }
        else
        {
            json = data.ToArray();
        }

        var document = Parse(json, ref errors, ref warnings);
        return new TlsReportReadResult(errors.Count == 0 ? document : null, compressed, errors.ToReadOnlyList(), warnings.ToReadOnlyList());
    }

    private static bool TryGunzip(ReadOnlySpan<byte> data, out byte[] json, ref DiagnosticList errors)
    {
        json = [];
        try
        {
            using var input = new MemoryStream(data.ToArray(), writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = gzip.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + read > MaxReportBytes)
                {
                    errors.Add("too-large", $"The report is larger than {MaxReportBytes} bytes once decompressed.");
                    return false;
                }

                output.Write(buffer, 0, read);
            }

            if (output.Length == 0)
            {
                errors.Add("gzip-invalid", "The data begins like gzip but holds nothing (truncated or damaged).");
                return false;
            }

            json = output.ToArray();
            return true;
        }
        catch (InvalidDataException)
        {
            errors.Add("gzip-invalid", "The data begins like gzip but does not decompress.");
            return false;
        }
    }

    private static TlsReportDocument? Parse(byte[] json, ref DiagnosticList errors, ref DiagnosticList warnings)
    {
        ReadOnlyMemory<byte> body = json;
        if (body.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            body = body[3..];
        }

        if (body.IsEmpty)
        {
            errors.Add("empty", "The report is empty.");
            return null;
        }

        if (body.Length > MaxReportBytes)
        {
            errors.Add("too-large", $"The report is larger than {MaxReportBytes} bytes.");
            return null;
        }

        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            errors.Add("json-invalid", $"The report is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
            return null;
        }

        using (parsed)
        {
            var root = parsed.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add("not-an-object", "The report is not a JSON object.");
                return null;
            }

            var organization = RequiredString(root, "organization-name", ref warnings);
            var contact = RequiredString(root, "contact-info", ref warnings);
            var reportId = RequiredString(root, "report-id", ref warnings);
            DateTimeOffset start = default, end = default;
            if (Member(root, "date-range") is not { ValueKind: JsonValueKind.Object } range
                || !TryTime(range, "start-datetime", out start, ref warnings)
                || !TryTime(range, "end-datetime", out end, ref warnings))
            {
                errors.Add("date-range-invalid", "The report has no valid date-range with start-datetime and end-datetime.");
            }

            var policies = new List<TlsReportPolicyResult>();
            switch (Member(root, "policies"))
            {
                case { ValueKind: JsonValueKind.Array } array:
                    var index = 0;
                    foreach (var element in array.EnumerateArray())
                    {
                        index++;
                        if (ReadPolicy(element, index, ref errors, ref warnings) is { } policy)
                        {
                            policies.Add(policy);
                        }
                    }

                    break;
                case { ValueKind: JsonValueKind.Object } single:
                    warnings.Add("policies-not-array", "policies is a single object, not an array (RFC 8460 §4 requires an array); read as one policy.");
                    if (ReadPolicy(single, 1, ref errors, ref warnings) is { } only)
                    {
                        policies.Add(only);
                    }

                    break;
                default:
                    errors.Add("policies-invalid", "The report has no policies array.");
                    break;
            }

            if (errors.Count > 0)
            {
                return null;
            }

            return new TlsReportDocument
            {
                OrganizationName = organization,
                StartDateTime = start,
                EndDateTime = end,
                ContactInfo = contact,
                ReportId = reportId,
                Policies = policies,
            };
        }
    }

    private static TlsReportPolicyResult? ReadPolicy(JsonElement element, int index, ref DiagnosticList errors, ref DiagnosticList warnings)
    {
        if (element.ValueKind != JsonValueKind.Object || Member(element, "policy") is not { ValueKind: JsonValueKind.Object } policy)
        {
            errors.Add("policy-invalid", $"Policy {index} has no policy object.");
            return null;
        }

        var typeText = Member(policy, "policy-type") is { ValueKind: JsonValueKind.String } t ? t.GetString()! : string.Empty;
        if (!TlsRptTokens.TryParsePolicyType(typeText, out var policyType))
        {
            errors.Add("policy-type-unknown", $"Policy {index} has the policy-type '{DiagnosticText.Show(typeText)}'; sts, tlsa or no-policy-found were expected.");
            return null;
        }

        var domain = String(policy, "policy-domain") ?? ProseName(policy, "domain", "policy-domain", ref warnings);
        if (domain is null)
        {
            warnings.Add("member-missing", $"Policy {index} has no policy-domain; read as empty.");
        }

        var strings = ReadPolicyStrings(policy, index, ref warnings);
        var mxHosts = ReadMxHosts(policy, index, ref warnings);
        long successful = 0, failed = 0;
        if (Member(element, "summary") is not { ValueKind: JsonValueKind.Object } summary
            || !TryCount(summary, "total-successful-session-count", out successful)
            || !TryCount(summary, "total-failure-session-count", out failed))
        {
            errors.Add("summary-invalid", $"Policy {index} has no summary with non-negative integer total-successful-session-count and total-failure-session-count.");
            return null;
        }

        var details = new List<TlsReportFailureDetail>();
        if (Member(element, "failure-details") is { ValueKind: JsonValueKind.Array } array)
        {
            foreach (var item in array.EnumerateArray())
            {
                if (ReadDetail(item, ref warnings) is { } detail)
                {
                    details.Add(detail);
                }
                else
                {
                    errors.Add("failure-detail-invalid", $"A failure detail of policy {index} has no result-type or no non-negative integer failed-session-count.");
                    return null;
                }
            }
        }

        return new TlsReportPolicyResult
        {
            Policy = TlsRptPolicy.FromReport(policyType, domain ?? string.Empty, strings, mxHosts),
            TotalSuccessfulSessionCount = successful,
            TotalFailureSessionCount = failed,
            FailureDetails = details,
        };
    }

    private static string[] ReadPolicyStrings(JsonElement policy, int index, ref DiagnosticList warnings)
    {
        switch (Member(policy, "policy-string"))
        {
            case { ValueKind: JsonValueKind.Array } array:
                var strings = new List<string>();
                var doubled = false;
                foreach (var item in array.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        var value = item.GetString()!;
                        if (TryUnquote(value, out var inner))
                        {
                            value = inner;
                            doubled = true;
                        }

                        strings.Add(value);
                    }
                }

                if (doubled)
                {
                    warnings.Add("policy-string-double-encoded", $"Policy {index} has policy-string elements that are JSON-encoded strings; decoded.");
                }

                return strings.ToArray();
            case { ValueKind: JsonValueKind.String } single:
                warnings.Add("policy-string-not-array", $"Policy {index} has a policy-string that is a string, not an array; read as its lines.");
                var text = single.GetString()!;
                if (TryUnquote(text, out var unquoted))
                {
                    text = unquoted;
                }

                return TlsRptPolicy.SplitLines(text);
            default:
                return [];
        }
    }

    private static string[] ReadMxHosts(JsonElement policy, int index, ref DiagnosticList warnings)
    {
        var mx = Member(policy, "mx-host");
        if (mx is null && Member(policy, "mx-host-pattern") is { } prose)
        {
            warnings.Add("prose-member-name", "mx-host-pattern (the RFC's prose name) read as mx-host.");
            mx = prose;
        }

        switch (mx)
        {
            case { ValueKind: JsonValueKind.Array } array:
                return array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).Where(s => s.Length > 0).ToArray();
            case { ValueKind: JsonValueKind.String } single:
                warnings.Add("mx-host-string", $"Policy {index} has mx-host as a string, not an array (RFC 8460 erratum 6241); read as one pattern.");
                var value = single.GetString()!;
                return value.Length == 0 ? [] : [value];
            default:
                return [];
        }
    }

    private static TlsReportFailureDetail? ReadDetail(JsonElement item, ref DiagnosticList warnings)
    {
        if (item.ValueKind != JsonValueKind.Object
            || String(item, "result-type") is not { Length: > 0 } resultType
            || !TryCount(item, "failed-session-count", out var count))
        {
            return null;
        }

        return new TlsReportFailureDetail
        {
            ResultType = resultType,
            SendingMtaIp = String(item, "sending-mta-ip"),
            ReceivingMxHostname = String(item, "receiving-mx-hostname"),
            ReceivingMxHelo = String(item, "receiving-mx-helo"),
            ReceivingIp = String(item, "receiving-ip"),
            FailedSessionCount = count,
            AdditionalInformation = String(item, "additional-information") ?? ProseName(item, "additional-info-uri", "additional-information", ref warnings),
            FailureReasonCode = String(item, "failure-reason-code"),
        };
    }

    private static string? ProseName(JsonElement element, string prose, string schema, ref DiagnosticList warnings)
    {
        if (String(element, prose) is not { } value)
        {
            return null;
        }

        warnings.Add("prose-member-name", $"{prose} (the RFC's prose name) read as {schema}.");
        return value;
    }

    /// <summary>A string that is itself a JSON string literal (<c>"\"…\""</c>): the decoded inner string.</summary>
    private static bool TryUnquote(string value, out string inner)
    {
        inner = value;
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(value);
            if (doc.RootElement.ValueKind == JsonValueKind.String)
            {
                inner = doc.RootElement.GetString()!;
                return true;
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }

    private static bool TryTime(JsonElement range, string name, out DateTimeOffset time, ref DiagnosticList warnings)
    {
        time = default;
        if (String(range, name) is not { } text)
        {
            return false;
        }

        var t = text.IndexOfAny(['T', 't', ' ']);
        var clock = t < 0 ? string.Empty : text[(t + 1)..];
        var zoned = clock.EndsWith('Z') || clock.EndsWith('z') || clock.Contains('+', StringComparison.Ordinal) || clock.Contains('-', StringComparison.Ordinal);
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out time))
        {
            return false;
        }

        if (!zoned)
        {
            warnings.Add("time-without-zone", $"{name} '{DiagnosticText.Show(text)}' has no time zone; read as UTC.");
        }

        time = time.ToUniversalTime();
        return true;
    }

    private static bool TryCount(JsonElement element, string name, out long count)
    {
        count = 0;
        return Member(element, name) is { ValueKind: JsonValueKind.Number } number && number.TryGetInt64(out count) && count >= 0;
    }

    private static string RequiredString(JsonElement element, string name, ref DiagnosticList warnings)
    {
        if (String(element, name) is { } value)
        {
            return value;
        }

        warnings.Add("member-missing", $"The report has no {name}; read as empty.");
        return string.Empty;
    }

    private static string? String(JsonElement element, string name) =>
        Member(element, name) is { ValueKind: JsonValueKind.String } value && value.GetString() is { Length: > 0 } text ? text : null;

    private static JsonElement? Member(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
}
