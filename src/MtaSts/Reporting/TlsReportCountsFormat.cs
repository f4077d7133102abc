using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MtaSts.Reporting;

namespace MtaSts;

/// <summary>
/// The documented, versioned form in which report stores keep a day's counts: a flat set of (key, count) pairs that merge by adding counts, so a file store
/// adds under a lock and a Redis store adds with <c>HINCRBY</c>, and N nodes' counts sum to one report.
/// </summary>
/// <remarks>
/// A key is a compact JSON array, written the same way by every node (fixed member order, no whitespace):
/// <c>["s",policy]</c> the policy's successful sessions, <c>["f",policy]</c> its failed sessions and
/// <c>["d",policy,failure]</c> the sessions of one failure-details entry, where <c>policy</c> and <c>failure</c> use the
/// RFC 8460 member names. The session counts are kept apart from the details because one failed session may carry
/// several details (<see cref="TlsReportAggregator.AddFailures"/>). See docs/store-format.md.
/// </remarks>
public static class TlsReportCountsFormat
{
    /// <summary>The longest key a reader accepts (a policy of 64 KiB of text plus one failure).</summary>
    public const int MaxKeyBytes = 96 * 1024;

    private const string Successful = "s";
    private const string Failed = "f";
    private const string Detail = "d";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 4 };

    /// <summary>The pairs that describe <paramref name="counts"/>; zero counts are left out.</summary>
    /// <param name="counts">The counts.</param>
    /// <returns>The (key, count) pairs; a store adds each count to what it holds under the key.</returns>
    public static IEnumerable<KeyValuePair<string, long>> ToEntries(TlsReportCounts counts)
    {
        foreach (var policy in counts.Policies)
        {
            if (policy.SuccessfulSessions > 0)
            {
                yield return new(Key(Successful, policy.Policy, null), policy.SuccessfulSessions);
            }

            if (policy.FailedSessions > 0)
            {
                yield return new(Key(Failed, policy.Policy, null), policy.FailedSessions);
            }

            foreach (var failure in policy.Failures)
            {
                yield return new(Key(Detail, policy.Policy, failure.Failure), failure.Count);
            }
        }
    }

    /// <summary>Adds <paramref name="entries"/> into <paramref name="into"/>, key by key.</summary>
    internal static void Add(Dictionary<string, long> into, IEnumerable<KeyValuePair<string, long>> entries)
    {
        foreach (var (key, count) in entries)
        {
            into[key] = checked(into.GetValueOrDefault(key) + count);
        }
    }

    /// <summary>
    /// The counts the pairs describe, or <see langword="null"/> when none is usable. A pair that does not read (another
    /// version's key, a negative count) is skipped and counted in <paramref name="skipped"/>, never thrown.
    /// </summary>
    /// <param name="day">The UTC day the pairs belong to.</param>
    /// <param name="reportDomain">The report domain they belong to.</param>
    /// <param name="entries">The stored pairs.</param>
    /// <param name="skipped">How many pairs did not read.</param>
    /// <returns>The counts, or <see langword="null"/>.</returns>
    public static TlsReportCounts? FromEntries(DateOnly day, string reportDomain, IEnumerable<KeyValuePair<string, long>> entries, out int skipped)
    {
        skipped = 0;
        var policies = new Dictionary<TlsRptPolicy, (long Successful, long Failed, Dictionary<TlsRptFailure, long> Details)>();
        foreach (var (key, count) in entries)
        {
            if (count <= 0 || !TryReadKey(key, out var kind, out var policy, out var failure))
            {
                skipped++;
                continue;
            }

            if (!policies.TryGetValue(policy, out var counter))
            {
                counter = (0, 0, []);
            }

            switch (kind)
            {
                case Successful:
                    counter.Successful += count;
                    break;
                case Failed:
                    counter.Failed += count;
                    break;
                default:
                    counter.Details[failure!] = counter.Details.GetValueOrDefault(failure!) + count;
                    break;
            }

            policies[policy] = counter;
        }

        if (policies.Count == 0)
        {
            return null;
        }

        return new TlsReportCounts(day, reportDomain, TlsReportOrdering.Sort(policies.Select(p => new TlsReportPolicyCounts(
            p.Key,
            p.Value.Successful,
            p.Value.Failed,
            p.Value.Details.Select(d => new TlsReportFailureCount(d.Key, d.Value)).ToArray()))));
    }

    private static string Key(string kind, TlsRptPolicy policy, TlsRptFailure? failure)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(kind);
            writer.WriteStartObject();
            writer.WriteString("policy-type", TlsRptTokens.ToToken(policy.PolicyType));
            writer.WriteString("policy-domain", policy.PolicyDomain);
            WriteStrings(writer, "policy-string", policy.PolicyStrings);
            WriteStrings(writer, "mx-host", policy.MxHosts);
            writer.WriteEndObject();
            if (failure is not null)
            {
                writer.WriteStartObject();
                writer.WriteString("result-type", TlsRptTokens.ToToken(failure.ResultType));
                WriteKnown(writer, "sending-mta-ip", failure.SendingMtaIp?.ToString());
                WriteKnown(writer, "receiving-mx-hostname", failure.ReceivingMxHostname);
                WriteKnown(writer, "receiving-mx-helo", failure.ReceivingMxHelo);
                WriteKnown(writer, "receiving-ip", failure.ReceivingIp?.ToString());
                WriteKnown(writer, "failure-reason-code", failure.FailureReasonCode);
                WriteKnown(writer, "additional-information", failure.AdditionalInformation);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static bool TryReadKey(string key, out string kind, out TlsRptPolicy policy, out TlsRptFailure? failure)
    {
        kind = "";
        policy = null!;
        failure = null;
        if (key.Length > MaxKeyBytes)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(key, ReaderOptions);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() is < 2 or > 3 || root[0].GetString() is not { } k)
            {
                return false;
            }

            kind = k;
            var isDetail = kind == Detail;
            if (kind is not (Successful or Failed or Detail) || isDetail != (root.GetArrayLength() == 3))
            {
                return false;
            }

            var p = root[1];
            if (!TlsRptTokens.TryParsePolicyType(p.GetProperty("policy-type").GetString(), out var type)
                || !DomainName.TryNormalize(p.GetProperty("policy-domain").GetString(), out var domain, out _))
            {
                return false;
            }

            policy = TlsRptPolicy.FromReport(type, domain, Strings(p.GetProperty("policy-string")), Strings(p.GetProperty("mx-host")));
            if (isDetail)
            {
                failure = ReadFailure(root[2]);
            }

            return !isDetail || failure is not null;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or KeyNotFoundException or ArgumentException or FormatException)
        {
            return false;
        }
    }

    private static TlsRptFailure? ReadFailure(JsonElement element)
    {
        if (!TlsRptTokens.TryParseResultType(element.GetProperty("result-type").GetString(), out var resultType))
        {
            return null;
        }

        // The init accessors check each value as the recorder did; a value that no longer passes throws ArgumentException.
        return new TlsRptFailure(resultType, Optional(element, "failure-reason-code"))
        {
            SendingMtaIp = Address(Optional(element, "sending-mta-ip")),
            ReceivingMxHostname = Optional(element, "receiving-mx-hostname"),
            ReceivingMxHelo = Optional(element, "receiving-mx-helo"),
            ReceivingIp = Address(Optional(element, "receiving-ip")),
            AdditionalInformation = Optional(element, "additional-information"),
        };
    }

    private static string? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static IPAddress? Address(string? text) => text is null ? null : IPAddress.Parse(text);

    private static string[] Strings(JsonElement array)
    {
        var strings = new string[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            strings[i++] = item.GetString() ?? throw new FormatException("null string");
        }

        return strings;
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void WriteKnown(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>The format name in a stored file.</summary>
    public const string FormatName = "mta-sts-tlsrpt-counts";

    /// <summary>The format version this build writes and reads.</summary>
    public const int Version = 1;

    /// <summary>The largest stored file a reader accepts.</summary>
    public const int MaxFileBytes = 64 * 1024 * 1024;

    /// <summary>A day's pairs as one document: <c>{"format", "version", "day", "domain", "entries": [[key, count], …]}</c>.</summary>
    /// <param name="day">The UTC day.</param>
    /// <param name="reportDomain">The report domain, normalised.</param>
    /// <param name="entries">The pairs (keys as <see cref="ToEntries"/> writes them).</param>
    /// <returns>The UTF-8 JSON document.</returns>
    public static byte[] Serialize(DateOnly day, string reportDomain, IEnumerable<KeyValuePair<string, long>> entries)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("format", FormatName);
            writer.WriteNumber("version", Version);
            writer.WriteString("day", DayText(day));
            writer.WriteString("domain", reportDomain);
            writer.WriteStartArray("entries");
            foreach (var (key, count) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                writer.WriteStartArray();
                writer.WriteRawValue(key, skipInputValidation: true);
                writer.WriteNumberValue(count);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a document <see cref="Serialize"/> wrote; a refusal says why, in words fit for a log. Never throws for bad input.</summary>
    /// <param name="bytes">The document.</param>
    /// <param name="day">Its day.</param>
    /// <param name="reportDomain">Its report domain.</param>
    /// <param name="entries">Its pairs (a key listed twice is summed).</param>
    /// <param name="error">Why it was refused, or <see langword="null"/>.</param>
    /// <returns>Whether it was read.</returns>
    public static bool TryDeserialize(ReadOnlySpan<byte> bytes, out DateOnly day, out string reportDomain, out Dictionary<string, long> entries, out string? error)
    {
        day = default;
        reportDomain = "";
        entries = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 8 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.GetString() != FormatName)
            {
                error = "not a TLS-RPT counts file";
                return false;
            }

            if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var v) || v != Version)
            {
                error = "another version of the counts format";
                return false;
            }

            if (!DateOnly.TryParseExact(root.GetProperty("day").GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day)
                || !DomainName.TryNormalize(root.GetProperty("domain").GetString(), out var domain, out _))
            {
                error = "its day or domain does not read";
                return false;
            }

            reportDomain = domain;
            foreach (var entry in root.GetProperty("entries").EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Array && entry.GetArrayLength() == 2 && entry[1].TryGetInt64(out var count))
                {
                    var key = entry[0].GetRawText();
                    entries[key] = checked(entries.GetValueOrDefault(key) + count);
                }
            }

            error = null;
            return true;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or KeyNotFoundException or OverflowException or ArgumentException)
        {
            error = "it is not well-formed JSON of the counts format";
            return false;
        }
    }

    /// <summary>The day as stores name it: <c>yyyy-MM-dd</c>.</summary>
    internal static string DayText(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
