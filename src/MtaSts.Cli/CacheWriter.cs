using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MtaSts.Cli;

/// <summary>Writes store entries and the results of <c>cache</c> commands as text or JSON.</summary>
internal static class CacheWriter
{
    /// <summary>The columns of <c>cache list</c>.</summary>
    private static readonly string[] Columns = ["DOMAIN", "ID", "MODE", "FETCHED", "EXPIRES", "BACK-OFF"];

    /// <summary>An instant as the outputs show it: UTC, to the second, ISO 8601.</summary>
    public static string Instant(DateTimeOffset? value) =>
        value is { } instant ? instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    /// <summary>A table, one row per entry, columns padded to their widest cell.</summary>
    public static string ToTable(IReadOnlyList<StoredPolicy> entries)
    {
        var rows = new List<string[]> { Columns };
        rows.AddRange(entries.Select(entry => new[]
        {
            entry.Domain,
            entry.HasPolicy ? entry.RecordId! : "-",
            ModeName(Parse(entry)?.Mode, entry),
            Instant(entry.HasPolicy ? entry.FetchedAt : null),
            Instant(entry.HasPolicy ? entry.ExpiresAt : null),
            entry.Backoff is { } backoff ? $"id {backoff.RecordId} until {Instant(backoff.Until)} ({FailureName(backoff)})" : "-",
        }));
        var widths = Enumerable.Range(0, Columns.Length).Select(column => rows.Max(row => row[column].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (var column = 0; column < row.Length; column++)
            {
                text.Append(column == row.Length - 1 ? row[column] : row[column].PadRight(widths[column] + 2));
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>One entry in readable lines, with its policy parsed.</summary>
    public static string ToText(StoredPolicy entry)
    {
        var text = new StringBuilder(entry.Domain).AppendLine();
        if (entry.HasPolicy)
        {
            var policy = Parse(entry);
            text.Append("  id:       ").AppendLine(entry.RecordId);
            if (entry.RecordText is not null)
            {
                text.Append("  record:   ").AppendLine(entry.RecordText);
            }

            text.Append("  mode:     ").AppendLine(ModeName(policy?.Mode, entry));
            if (policy is not null)
            {
                text.Append("  max_age:  ").AppendLine(policy.MaxAgeSeconds.ToString(CultureInfo.InvariantCulture));
                text.Append("  mx:       ").AppendJoin(", ", policy.MxPatterns.Select(p => p.Pattern)).AppendLine();
            }

            text.Append("  fetched:  ").AppendLine(Instant(entry.FetchedAt));
            text.Append("  expires:  ").AppendLine(Instant(entry.ExpiresAt));
        }
        else
        {
            text.AppendLine("  policy:   none stored");
        }

        if (entry.Backoff is { } backoff)
        {
            text.Append("  back-off: id ").Append(backoff.RecordId).Append(" until ").Append(Instant(backoff.Until))
                .Append(" (").Append(FailureName(backoff)).Append(backoff.ReasonCode is null ? string.Empty : ", " + backoff.ReasonCode).AppendLine(")");
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>
    /// One entry as one JSON object: <c>domain</c>, <c>id</c>, <c>mode</c>, <c>fetched</c>, <c>expires</c>,
    /// <c>backoff</c> (<c>{id, until, failure, reason}</c> or <c>null</c>); with <paramref name="detailed"/> also
    /// <c>record</c>, <c>max_age</c>, <c>mx</c> and <c>text</c> (the policy as fetched).
    /// </summary>
    public static string ToJson(StoredPolicy entry, bool detailed) => CliText.Json(json =>
    {
        var policy = Parse(entry);
        json.WriteStartObject();
        json.WriteString("domain", entry.Domain);
        json.WriteStringOrNull("id", entry.HasPolicy ? entry.RecordId : null);
        json.WriteStringOrNull("mode", entry.HasPolicy ? ModeName(policy?.Mode, entry) : null);
        WriteInstant(json, "fetched", entry.HasPolicy ? entry.FetchedAt : null);
        WriteInstant(json, "expires", entry.HasPolicy ? entry.ExpiresAt : null);
        if (detailed)
        {
            json.WriteStringOrNull("record", entry.RecordText);
            if (policy is not null)
            {
                json.WriteNumber("max_age", policy.MaxAgeSeconds);
                json.WriteStartArray("mx");
                foreach (var pattern in policy.MxPatterns)
                {
                    json.WriteStringValue(pattern.Pattern);
                }

                json.WriteEndArray();
            }
            else
            {
                json.WriteNull("max_age");
                json.WriteNull("mx");
            }

            json.WriteStringOrNull("text", entry.HasPolicy ? entry.PolicyText : null);
        }

        if (entry.Backoff is { } backoff)
        {
            json.WriteStartObject("backoff");
            json.WriteString("id", backoff.RecordId);
            WriteInstant(json, "until", backoff.Until);
            json.WriteString("failure", FailureName(backoff));
            json.WriteStringOrNull("reason", backoff.ReasonCode);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("backoff");
        }

        json.WriteEndObject();
    });

    /// <summary><c>{"removed": N, "domains": [...], "errors": [{"input", "error"}]}</c>.</summary>
    public static string PurgeJson(IReadOnlyList<string> removed, IReadOnlyList<(string Input, string Error)> errors) => CliText.Json(json =>
    {
        json.WriteStartObject();
        json.WriteNumber("removed", removed.Count);
        json.WriteStartArray("domains");
        foreach (var domain in removed)
        {
            json.WriteStringValue(domain);
        }

        json.WriteEndArray();
        json.WriteStartArray("errors");
        foreach (var (input, error) in errors)
        {
            json.WriteStartObject();
            json.WriteString("input", input);
            json.WriteString("error", error);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    /// <summary>One line per refused input, one per removed domain, then the count.</summary>
    public static string PurgeText(IReadOnlyList<string> removed, IReadOnlyList<(string Input, string Error)> errors)
    {
        var text = new StringBuilder();
        foreach (var (input, error) in errors)
        {
            text.Append(input).Append(": ").AppendLine(error);
        }

        foreach (var domain in removed)
        {
            text.Append(domain).AppendLine(": removed");
        }

        return text.Append("removed ").Append(removed.Count.ToString(CultureInfo.InvariantCulture)).Append(' ').AppendLine(CacheCommand.Entries(removed.Count)).ToString();
    }

    /// <summary><c>{"written", "kept", "expired", "invalid", "errors": [{"line", "error"}]}</c>.</summary>
    public static string ImportJson(ImportResult result) => CliText.Json(json =>
    {
        json.WriteStartObject();
        json.WriteNumber("written", result.Written);
        json.WriteNumber("kept", result.Kept);
        json.WriteNumber("expired", result.Expired);
        json.WriteNumber("invalid", result.Errors.Count);
        json.WriteStartArray("errors");
        foreach (var (line, error) in result.Errors)
        {
            json.WriteStartObject();
            json.WriteNumber("line", line);
            json.WriteString("error", error);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    /// <summary>One line per refused input line, then the counts.</summary>
    public static string ImportText(ImportResult result)
    {
        var text = new StringBuilder();
        foreach (var (line, error) in result.Errors)
        {
            text.Append("line ").Append(line.ToString(CultureInfo.InvariantCulture)).Append(": ").AppendLine(error);
        }

        return text.Append(CultureInfo.InvariantCulture, $"imported {result.Written} {CacheCommand.Entries(result.Written)}; ")
            .Append(CultureInfo.InvariantCulture, $"kept {result.Kept} newer in the store; skipped {result.Expired} expired, {result.Errors.Count} invalid")
            .AppendLine().ToString();
    }

    /// <summary><c>{"&lt;name&gt;": N}</c>.</summary>
    public static string CountJson(string name, int count) => CliText.Json(json =>
    {
        json.WriteStartObject();
        json.WriteNumber(name, count);
        json.WriteEndObject();
    });

    private static MtaStsPolicy? Parse(StoredPolicy entry) => entry.HasPolicy ? MtaStsPolicyParser.Parse(entry.PolicyText!).Policy : null;

    /// <summary>The mode of a stored policy; <c>invalid</c> when its text no longer parses, <c>-</c> without a policy.</summary>
    private static string ModeName(MtaStsMode? mode, StoredPolicy entry) =>
        mode is { } known ? known.ToToken() : entry.HasPolicy ? "invalid" : "-";

    private static string FailureName(StoredBackoff backoff) => MtaStsResolution.GetReportResultType(backoff.Failure) ?? backoff.Failure.ToString();

    private static void WriteInstant(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } instant)
        {
            json.WriteString(name, instant.ToUniversalTime());
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
