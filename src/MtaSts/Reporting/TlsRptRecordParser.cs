using MtaSts.Grammar;
namespace MtaSts;

/// <summary>
/// Parses <c>_smtp._tls</c> TXT records under the RFC 8460 §3 ABNF (checklist §4.1, §4.2), and picks the one record of a
/// domain among its TXT records. Pure: no I/O.
/// </summary>
/// <remarks>
/// <para>
/// <c>v=TLSRPTv1</c> comes first, case-sensitive; fields are separated by <c>*WSP ";" *WSP</c>, with an optional final
/// <c>;</c>; <c>rua</c> is required and holds one or more URIs separated by <c>*WSP "," *WSP</c>. Unknown (extension)
/// fields are ignored once their syntax is checked (RPT-3-f). Of duplicate fields the first counts (as decision A-4
/// rules for MTA-STS). A <c>rua</c> URI that cannot be used — not a URI, an unencoded <c>!</c> (RPT-3-d), a scheme other
/// than <c>mailto:</c> or <c>https:</c> (RPT-3-c), a <c>mailto:</c> without an address — is skipped with a warning
/// (decision R-5); a record left with no usable URI is invalid, since no report could be delivered.
/// </para>
/// <para>
/// Diagnostic codes (all with line 0): errors <c>record-empty</c>, <c>not-ascii</c>, <c>version-missing</c>,
/// <c>delimiter-expected</c>, <c>field-empty</c>, <c>field-malformed</c>, <c>extension-invalid</c>, <c>rua-empty</c>,
/// <c>rua-missing</c>, <c>rua-no-usable-uri</c>, and from <see cref="Select"/> <c>record-not-found</c> and
/// <c>multiple-records</c>; warnings <c>uri-invalid</c>, <c>uri-unsupported-scheme</c>, <c>duplicate-field</c>,
/// <c>trailing-whitespace</c>.
/// </para>
/// </remarks>
public static class TlsRptRecordParser
{
    /// <summary>The owner name label put in front of the policy domain (RFC 8460 §3, RPT-3-a).</summary>
    public const string TxtPrefix = "_smtp._tls.";

    private const string VersionPrefix = "v=TLSRPTv1";
    private const string RuaName = "rua";

    /// <summary>Parses one TXT record (its character-strings already joined without separators, RPT-3-e).</summary>
    /// <param name="text">The record text.</param>
    /// <returns>The record with warnings, or the errors that make it invalid. Never throws for bad input.</returns>
    public static TlsRptRecordParseResult Parse(string text)
    {
        var errors = new DiagnosticList();
        var warnings = new DiagnosticList();
        if (string.IsNullOrEmpty(text))
        {
            errors.Add("record-empty", "The record is empty.");
            return Result(null, ref errors, ref warnings);
        }

        var span = text.AsSpan();
        var nonAscii = CharScan.IndexOfNonAscii(span);
        if (nonAscii >= 0)
        {
            errors.Add("not-ascii", $"The record contains the non-ASCII character U+{(int)span[nonAscii]:X4} at position {nonAscii + 1}; it must be US-ASCII (RFC 8460 §3).");
            return Result(null, ref errors, ref warnings);
        }

        if (!span.StartsWith(VersionPrefix, StringComparison.Ordinal))
        {
            errors.Add("version-missing", $"The record does not begin with '{VersionPrefix}' (case-sensitive, no leading space).");
            return Result(null, ref errors, ref warnings);
        }

        List<Uri>? uris = null;
        var sawRua = false;
        var sawOtherCaseRua = false;
        List<KeyValuePair<string, string>>? extensions = null;
        var pos = VersionPrefix.Length;
        var fields = 0;
        while (true)
        {
            // field-delim = *WSP ";" *WSP, or the end of the record.
            var wspStart = pos;
            pos = SkipWsp(span, pos);
            if (pos == span.Length)
            {
                if (pos > wspStart && fields > 0)
                {
                    warnings.Add("trailing-whitespace", "The record ends in whitespace without a final ';'; accepted, but it is outside the RFC 8460 grammar.");
                }

                break;
            }

            if (span[pos] != ';')
            {
                var what = fields == 0 ? $"'{VersionPrefix}'" : "a field";
                errors.Add("delimiter-expected", $"Expected ';' after {what} at position {pos + 1}, found {DiagnosticText.Describe(span[pos])}.");
                break;
            }

            pos = SkipWsp(span, pos + 1);
            if (pos == span.Length)
            {
                break;
            }

            if (span[pos] == ';')
            {
                errors.Add("field-empty", $"Empty field at position {pos + 1}: two ';' in a row.");
                break;
            }

            // A field runs to the next ';'; whitespace before that ';' belongs to the delimiter.
            var next = span[pos..].IndexOf(';');
            var end = next < 0 ? span.Length : pos + next;
            var fieldEnd = end;
            while (fieldEnd > pos && span[fieldEnd - 1] is ' ' or '\t')
            {
                fieldEnd--;
            }

            var field = span[pos..fieldEnd];
            var fieldStart = pos;
            pos = fieldEnd;
            fields++;
            var equals = field.IndexOf('=');
            if (equals <= 0)
            {
                errors.Add("field-malformed", $"'{DiagnosticText.Show(field)}' at position {fieldStart + 1} is not a name=value field.");
                continue;
            }

            var name = field[..equals];
            var value = field[(equals + 1)..];
            if (name.SequenceEqual(RuaName))
            {
                if (sawRua)
                {
                    warnings.Add("duplicate-field", "A second 'rua' field is ignored; the first one counts.");
                    continue;
                }

                sawRua = true;
                if (value.IsEmpty)
                {
                    errors.Add("rua-empty", "The 'rua' field names no URI.");
                    continue;
                }

                uris = ParseUris(value, ref warnings);
            }
            else if (!ExtensionName.IsValid(name))
            {
                errors.Add("extension-invalid", $"'{DiagnosticText.Show(name)}' is not a valid field name: 1 to 32 letters, digits, '_', '-' or '.', starting with a letter or digit.");
            }
            else if (!MtaStsRecordParser.IsValidExtensionValue(value))
            {
                errors.Add("extension-invalid", value.IsEmpty
                    ? $"The field '{DiagnosticText.Show(name)}' has no value."
                    : $"The value of '{DiagnosticText.Show(name)}' contains '=' or whitespace; extension values are printable ASCII without '=', ';' or space.");
            }
            else if (name.SequenceEqual("v") || ContainsName(extensions, name))
            {
                warnings.Add("duplicate-field", $"A second '{DiagnosticText.Show(name)}' field is ignored; the first one counts.");
            }
            else
            {
                sawOtherCaseRua |= name.Equals(RuaName, StringComparison.OrdinalIgnoreCase);
                extensions ??= [];
                extensions.Add(new(name.ToString(), value.ToString()));
            }
        }

        if (errors.Count == 0 && !sawRua)
        {
            errors.Add("rua-missing", sawOtherCaseRua
                ? "The record has no 'rua' field; field names are case-sensitive, so 'RUA' is an extension, not the rua field."
                : "The record has no 'rua' field (RFC 8460 §3: it is required).");
        }

        if (errors.Count == 0 && sawRua && uris is null or { Count: 0 })
        {
            errors.Add("rua-no-usable-uri", "No 'rua' URI is a usable mailto: or https: URI, so no report could be delivered.");
        }

        if (errors.Count > 0)
        {
            return Result(null, ref errors, ref warnings);
        }

        var record = new TlsRptRecord(uris!.ToArray(), text, extensions is null ? [] : extensions.ToArray());
        return Result(record, ref errors, ref warnings);
    }

    /// <summary>
    /// Whether a TXT record takes part in the exactly-one count: it begins with <c>v=TLSRPTv1</c> followed by optional
    /// whitespace and <c>;</c> (RPT-3-e, with the whitespace the ABNF's field-delim allows, as decision A-2 does for MTA-STS).
    /// </summary>
    /// <param name="text">The record text.</param>
    /// <returns><see langword="true"/> for a TLS-RPT record candidate.</returns>
    public static bool IsTlsRptRecord(ReadOnlySpan<char> text) => CharScan.IsTaggedRecord(text, VersionPrefix);

    /// <summary>
    /// Picks a domain's TLS-RPT record from all its <c>_smtp._tls</c> TXT records (RPT-3-e): records that are not TLS-RPT
    /// records are dropped; then exactly one must remain, and it must be valid.
    /// </summary>
    /// <param name="txtRecords">The TXT records, each with its character-strings joined without separators.</param>
    /// <returns>
    /// <see cref="TlsRptRecordStatus.Found"/> with the record, or <see cref="TlsRptRecordStatus.NotFound"/>,
    /// <see cref="TlsRptRecordStatus.MultipleRecords"/> or <see cref="TlsRptRecordStatus.Invalid"/> with an error saying why.
    /// </returns>
    public static TlsRptRecordParseResult Select(IReadOnlyList<string> txtRecords)
    {
        ArgumentNullException.ThrowIfNull(txtRecords);
        string? candidate = null;
        var candidates = 0;
        foreach (var text in txtRecords)
        {
            if (text is not null && IsTlsRptRecord(text))
            {
                candidate ??= text;
                candidates++;
            }
        }

        if (candidates == 1)
        {
            return Parse(candidate!);
        }

        var errors = new DiagnosticList();
        var warnings = new DiagnosticList();
        if (candidates == 0)
        {
            errors.Add("record-not-found", txtRecords.Count == 0
                ? "There is no TXT record."
                : $"None of the {txtRecords.Count} TXT records begins with '{VersionPrefix};'.");
            return new TlsRptRecordParseResult(TlsRptRecordStatus.NotFound, null, errors.ToReadOnlyList(), warnings.ToReadOnlyList());
        }

        errors.Add("multiple-records", $"{candidates} TXT records begin with '{VersionPrefix};'; exactly one is allowed, so the domain is treated as not using TLS-RPT (RFC 8460 §3).");
        return new TlsRptRecordParseResult(TlsRptRecordStatus.MultipleRecords, null, errors.ToReadOnlyList(), warnings.ToReadOnlyList());
    }

    /// <summary>Whether a URI scheme is one RFC 8460 §3 defines for <c>rua</c> (compared without regard to case, RFC 3986 §3.1).</summary>
    internal static bool IsSupportedScheme(string scheme) =>
        string.Equals(scheme, "mailto", StringComparison.OrdinalIgnoreCase) || string.Equals(scheme, "https", StringComparison.OrdinalIgnoreCase);

    /// <summary>tlsrpt-rua's URI list: tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri); unusable URIs are skipped with a warning.</summary>
    private static List<Uri> ParseUris(ReadOnlySpan<char> value, ref DiagnosticList warnings)
    {
        var uris = new List<Uri>(2);
        while (true)
        {
            var comma = value.IndexOf(',');
            var item = (comma < 0 ? value : value[..comma]).Trim(" \t");
            if (TryUri(item, ref warnings) is { } uri)
            {
                uris.Add(uri);
            }

            if (comma < 0)
            {
                return uris;
            }

            value = value[(comma + 1)..];
        }
    }

    private static Uri? TryUri(ReadOnlySpan<char> item, ref DiagnosticList warnings)
    {
        if (item.IsEmpty)
        {
            warnings.Add("uri-invalid", "An empty entry in the 'rua' list is skipped.");
            return null;
        }

        var shown = DiagnosticText.Show(item);
        if (item.IndexOfAny(" \t") >= 0)
        {
            warnings.Add("uri-invalid", $"The rua entry '{shown}' contains whitespace; skipped.");
            return null;
        }

        if (item.Contains('!'))
        {
            warnings.Add("uri-invalid", $"The rua entry '{shown}' contains an unencoded '!' (RFC 8460 §3 asks for %21; DMARC's size suffix has no place here); skipped.");
            return null;
        }

        if (!Uri.TryCreate(item.ToString(), UriKind.Absolute, out var uri))
        {
            warnings.Add("uri-invalid", $"The rua entry '{shown}' is not a URI; skipped.");
            return null;
        }

        if (!IsSupportedScheme(uri.Scheme))
        {
            warnings.Add("uri-unsupported-scheme", $"The rua entry '{shown}' uses the scheme '{uri.Scheme}'; only mailto: and https: are defined (RFC 8460 §3); skipped.");
            return null;
        }

        if (string.Equals(uri.Scheme, "mailto", StringComparison.OrdinalIgnoreCase) && (uri.UserInfo.Length == 0 || uri.Host.Length == 0))
        {
            warnings.Add("uri-invalid", $"The rua entry '{shown}' is not a mailto: URI with an address (local-part@domain); skipped.");
            return null;
        }

        return uri;
    }

    private static bool ContainsName(List<KeyValuePair<string, string>>? extensions, ReadOnlySpan<char> name) =>
        MtaStsRecordParser.ContainsName(extensions, name);

    private static int SkipWsp(ReadOnlySpan<char> text, int pos) => CharScan.SkipWsp(text, pos);

    private static TlsRptRecordParseResult Result(TlsRptRecord? record, ref DiagnosticList errors, ref DiagnosticList warnings) =>
        new(record is null ? TlsRptRecordStatus.Invalid : TlsRptRecordStatus.Found, record, errors.ToReadOnlyList(), warnings.ToReadOnlyList());
}
