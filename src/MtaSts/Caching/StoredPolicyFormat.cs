using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using MtaSts.Discovery;

namespace MtaSts;

/// <summary>
/// The serialised form of a <see cref="StoredPolicy"/>: one UTF-8 JSON object, versioned, documented in
/// <c>docs/store-format.md</c>. The built-in stores use it; a custom <see cref="IMtaStsPolicyStore"/> may too.
/// </summary>
/// <remarks>
/// <para>Version 1:</para>
/// <code>
/// {"format":"mta-sts-store","version":1,"domain":"example.com",
///  "policy":{"id":"20240101","record":"v=STSv1; id=20240101","text":"version: STSv1\r\n…",
///            "fetched":"2026-12-01T10:00:00+00:00","expires":"2026-12-08T10:00:00+00:00"},
///  "backoff":{"id":"20240102","until":"2026-12-01T10:05:00+00:00","failure":"sts-policy-fetch-error","reason":"timeout"}}
/// </code>
/// <para>
/// <c>policy</c> and <c>backoff</c> are each optional (at least one is present); <c>record</c> and <c>reason</c> are
/// optional. Instants are ISO 8601 with an offset. Readers ignore members they do not know, and refuse an entry whose
/// <c>format</c> is not <c>mta-sts-store</c> or whose <c>version</c> is newer than <see cref="Version"/>: such a file was
/// written by something else or by a newer release, and is skipped rather than misread.
/// </para>
/// </remarks>
public static class StoredPolicyFormat
{
    /// <summary>The format version this release writes and the newest it reads: 1.</summary>
    public const int Version = 1;

    /// <summary>The value of the <c>format</c> member: <c>mta-sts-store</c>.</summary>
    public const string FormatName = "mta-sts-store";

    /// <summary>The largest serialised entry accepted when reading: 4 MiB (a policy body is at most 1 MiB).</summary>
    public const int MaxEntryBytes = 4 * 1024 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Entries are files and cache values, never HTML: keep policy text readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 8 };

    /// <summary>Serialises an entry.</summary>
    /// <param name="entry">The entry; it must hold a policy or a back-off.</param>
    /// <returns>The UTF-8 JSON bytes.</returns>
    /// <exception cref="ArgumentException">The entry holds neither a policy nor a back-off, is half a policy, or its domain is not normalised.</exception>
    public static byte[] Serialize(StoredPolicy entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var partialPolicy = !entry.HasPolicy && (entry.PolicyText ?? entry.RecordId ?? (object?)entry.FetchedAt ?? entry.ExpiresAt) is not null;
        if (partialPolicy || (!entry.HasPolicy && entry.Backoff is null))
        {
            throw new ArgumentException("A stored entry needs a whole policy (id, text, fetched, expires), a back-off, or both.", nameof(entry));
        }

        // What cannot be read back is not written: the domain must be in the normalised form readers require.
        if (!DomainName.TryNormalize(entry.Domain, out var normalized, out _) || !string.Equals(normalized, entry.Domain, StringComparison.Ordinal))
        {
            throw new ArgumentException("A stored entry's domain must be normalised (lower-case A-labels, no trailing dot; see DomainName.Normalize).", nameof(entry));
        }

        var buffer = new ArrayBufferWriter<byte>(256 + (entry.PolicyText?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("format", FormatName);
            writer.WriteNumber("version", Version);
            writer.WriteString("domain", entry.Domain);
            if (entry.HasPolicy)
            {
                writer.WriteStartObject("policy");
                writer.WriteString("id", entry.RecordId);
                if (entry.RecordText is not null)
                {
                    writer.WriteString("record", entry.RecordText);
                }

                writer.WriteString("text", entry.PolicyText);
                writer.WriteString("fetched", entry.FetchedAt!.Value);
                writer.WriteString("expires", entry.ExpiresAt!.Value);
                writer.WriteEndObject();
            }

            if (entry.Backoff is { } backoff)
            {
                writer.WriteStartObject("backoff");
                writer.WriteString("id", backoff.RecordId);
                writer.WriteString("until", backoff.Until);
                writer.WriteString("failure", FailureToken(backoff.Failure));
                if (backoff.ReasonCode is not null)
                {
                    writer.WriteString("reason", backoff.ReasonCode);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads an entry, refusing anything that is not a whole, valid entry of a known version.</summary>
    /// <param name="utf8Json">The serialised entry.</param>
    /// <param name="entry">The entry, when readable.</param>
    /// <param name="error">Why it is not, in one line without any of the input's text.</param>
    /// <returns><see langword="true"/> when <paramref name="entry"/> was read.</returns>
    public static bool TryDeserialize(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out StoredPolicy? entry, [NotNullWhen(false)] out string? error)
    {
        entry = null;
        if (utf8Json.Length > MaxEntryBytes)
        {
            error = $"the entry is larger than {MaxEntryBytes} bytes";
            return false;
        }

        // The JSON reader checks structure, not the UTF-8 inside strings (reading such a string throws later): check it first.
        if (!System.Text.Unicode.Utf8.IsValid(utf8Json))
        {
            error = "the entry is not valid UTF-8 (corrupt)";
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(utf8Json.ToArray(), ReaderOptions);
            return TryRead(document.RootElement, out entry, out error);
        }
        catch (JsonException)
        {
            error = "the entry is not valid JSON (truncated or corrupt)";
            return false;
        }
        catch (InvalidOperationException)
        {
            // A string escape that is not valid UTF-16 (a lone surrogate such as \uD800) cannot be read as text.
            error = "the entry holds a string that is not valid Unicode";
            return false;
        }
    }

    /// <summary>The token written for a back-off failure: its RFC 8460 result type.</summary>
    internal static string FailureToken(MtaStsFailure failure) => MtaStsResolution.GetReportResultType(failure)
        ?? throw new ArgumentException($"A back-off follows a failed fetch; {failure} is not a fetch failure.", nameof(failure));

    private static bool TryRead(JsonElement root, out StoredPolicy? entry, out string? error)
    {
        entry = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = "the entry is not a JSON object";
            return false;
        }

        if (!TryGetString(root, "format", out var format) || format != FormatName)
        {
            error = $"the entry is not an {FormatName} entry (foreign file)";
            return false;
        }

        if (!root.TryGetProperty("version", out var versionElement) || !versionElement.TryGetInt32(out var version) || version < 1)
        {
            error = "the entry has no valid version";
            return false;
        }

        if (version > Version)
        {
            error = $"the entry has format version {version.ToString(CultureInfo.InvariantCulture)}; this release reads up to {Version.ToString(CultureInfo.InvariantCulture)}";
            return false;
        }

        if (!TryGetString(root, "domain", out var domain) || !DomainName.TryNormalize(domain, out var normalized, out _) || normalized != domain)
        {
            error = "the entry has no valid, normalised domain";
            return false;
        }

        string? id = null, record = null, text = null;
        DateTimeOffset? fetched = null, expires = null;
        if (root.TryGetProperty("policy", out var policy))
        {
            if (policy.ValueKind != JsonValueKind.Object
                || !TryGetString(policy, "id", out id) || !IsRecordId(id)
                || !TryGetString(policy, "text", out text)
                || !TryGetInstant(policy, "fetched", out var fetchedAt)
                || !TryGetInstant(policy, "expires", out var expiresAt)
                || expiresAt < fetchedAt
                || (policy.TryGetProperty("record", out var recordElement) && recordElement.ValueKind != JsonValueKind.String))
            {
                error = "the entry's policy is incomplete or invalid";
                return false;
            }

            record = policy.TryGetProperty("record", out var recordText) ? recordText.GetString() : null;
            fetched = fetchedAt;
            expires = expiresAt;
        }

        StoredBackoff? backoff = null;
        if (root.TryGetProperty("backoff", out var backoffElement))
        {
            if (backoffElement.ValueKind != JsonValueKind.Object
                || !TryGetString(backoffElement, "id", out var backoffId) || !IsRecordId(backoffId)
                || !TryGetInstant(backoffElement, "until", out var until)
                || !TryGetString(backoffElement, "failure", out var failureToken) || !TryParseFailure(failureToken, out var failure)
                || (backoffElement.TryGetProperty("reason", out var reasonElement) && (reasonElement.ValueKind != JsonValueKind.String || !IsReasonCode(reasonElement.GetString()))))
            {
                error = "the entry's back-off is incomplete or invalid";
                return false;
            }

            backoff = new StoredBackoff
            {
                RecordId = backoffId,
                Until = until,
                Failure = failure,
                ReasonCode = backoffElement.TryGetProperty("reason", out var reason) ? reason.GetString() : null,
            };
        }

        if (text is null && backoff is null)
        {
            error = "the entry holds neither a policy nor a back-off";
            return false;
        }

        entry = new StoredPolicy
        {
            Domain = domain,
            RecordId = id,
            RecordText = record,
            PolicyText = text,
            FetchedAt = fetched,
            ExpiresAt = expires,
            Backoff = backoff,
        };
        error = null;
        return true;
    }

    private static bool TryGetString(JsonElement element, string name, [NotNullWhen(true)] out string? value)
    {
        value = element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String ? property.GetString() : null;
        return value is not null;
    }

    private static bool TryGetInstant(JsonElement element, string name, out DateTimeOffset value)
    {
        value = default;
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String && property.TryGetDateTimeOffset(out value);
    }

    private static bool TryParseFailure(string token, out MtaStsFailure failure)
    {
        foreach (var candidate in (ReadOnlySpan<MtaStsFailure>)[MtaStsFailure.PolicyFetchError, MtaStsFailure.PolicyInvalid, MtaStsFailure.WebPkiInvalid])
        {
            if (token == FailureToken(candidate))
            {
                failure = candidate;
                return true;
            }
        }

        failure = MtaStsFailure.None;
        return false;
    }

    /// <summary>A record id as the TXT grammar allows it (RFC 8461 §3.1, with the leniency of decision A-21).</summary>
    private static bool IsRecordId(string value) => MtaStsRecordParser.IsValidId(value);

    private static bool IsReasonCode(string? value)
    {
        if (value is null || value.Length is 0 or > 64)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '.' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
