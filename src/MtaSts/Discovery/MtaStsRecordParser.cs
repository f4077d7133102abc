using MtaSts.Grammar;

namespace MtaSts;

/// <summary>Parses <c>_mta-sts</c> TXT records under the RFC 8461 §3.1 ABNF and our decisions .</summary>
/// <remarks>
/// Diagnostic codes (all with line 0): errors <c>record-empty</c>, <c>not-ascii</c>, <c>version-missing</c>,
/// <c>delimiter-expected</c>, <c>field-empty</c>, <c>field-malformed</c>, <c>id-invalid</c>, <c>id-missing</c>,
/// <c>extension-invalid</c>; warnings <c>id-nonstandard-characters</c>, <c>duplicate-field</c>,
/// <c>trailing-whitespace</c>.
/// </remarks>
public static class MtaStsRecordParser
{
    private const string VersionPrefix = "v=STSv1";
    private const int MaxIdLength = 32;

    /// <summary>Parses one TXT record (its character-strings already joined).</summary>
    /// <param name="text">The record text.</param>
    /// <returns>The record with warnings, or the errors that make it invalid. Never throws for bad input.</returns>
    public static MtaStsRecordParseResult Parse(string text)
    {
        var errors = new DiagnosticList();
        var warnings = new DiagnosticList();
        if (string.IsNullOrEmpty(text))
        {
            errors.Add(MtaStsDiagnosticCodes.RecordEmpty, "The record is empty.");
            return Result(null, ref errors, ref warnings);
        }

        var span = text.AsSpan();
        var nonAscii = CharScan.IndexOfNonAscii(span);
        if (nonAscii >= 0)
        {
            errors.Add(MtaStsDiagnosticCodes.NotAscii, $"The record contains the non-ASCII character U+{(int)span[nonAscii]:X4} at position {nonAscii + 1}; it must be US-ASCII (RFC 8461 §3.1).");
            return Result(null, ref errors, ref warnings);
        }

        if (!span.StartsWith(VersionPrefix, StringComparison.Ordinal))
        {
            errors.Add(MtaStsDiagnosticCodes.VersionMissing, $"The record does not begin with '{VersionPrefix}' (case-sensitive, no leading space).");
            return Result(null, ref errors, ref warnings);
        }

        string? id = null;
        string? idSyntaxError = null;
        List<KeyValuePair<string, string>>? extensions = null;
        var sawUpperCaseId = false;
        var pos = VersionPrefix.Length;
        var fields = 0;
        while (true)
        {
            // sts-field-delim = *WSP ";" *WSP, or the end of the record.
            var wspStart = pos;
            pos = SkipWsp(span, pos);
            if (pos == span.Length)
            {
                if (pos > wspStart && fields > 0)
                {
                    warnings.Add(MtaStsDiagnosticCodes.TrailingWhitespace, "The record ends in whitespace without a final ';'; accepted, but it is outside the RFC 8461 grammar.");
                }

                break;
            }

            if (span[pos] != ';')
            {
                var what = fields == 0 ? $"'{VersionPrefix}'" : "a field";
                errors.Add(MtaStsDiagnosticCodes.DelimiterExpected, $"Expected ';' after {what} at position {pos + 1}, found {Describe(span[pos])}.");
                break;
            }

            pos = SkipWsp(span, pos + 1);
            if (pos == span.Length)
            {
                break;
            }

            if (span[pos] == ';')
            {
                errors.Add(MtaStsDiagnosticCodes.FieldEmpty, $"Empty field at position {pos + 1}: two ';' in a row.");
                break;
            }

            var end = pos;
            while (end < span.Length && span[end] is not ';' and not ' ' and not '\t')
            {
                end++;
            }

            var field = span[pos..end];
            fields++;
            var equals = field.IndexOf('=');
            if (equals <= 0)
            {
                errors.Add(MtaStsDiagnosticCodes.FieldMalformed, $"'{Show(field)}' at position {pos + 1} is not a name=value field.");
                pos = end;
                continue;
            }

            var name = field[..equals];
            var value = field[(equals + 1)..];
            if (name.SequenceEqual("id"))
            {
                var kind = ClassifyId(value);
                if (id is not null && (kind != IdKind.Invalid || IsValidExtensionValue(value)))
                {
                    // A later id-field is ignored (decision A-4); one that is not an sts-id still matches sts-extension,
                    // so the record stays within the grammar and must be accepted (RFC 8461 §3.2).
                    warnings.Add(MtaStsDiagnosticCodes.DuplicateField, $"A second 'id' field ('{Show(value)}') is ignored; the first one ('{id}') counts (RFC 8461 §3.2).");
                }
                else if (kind == IdKind.Invalid)
                {
                    errors.Add(MtaStsDiagnosticCodes.IdInvalid, $"The id '{Show(value)}' is not 1 to {MaxIdLength} letters and digits.");
                    idSyntaxError ??= "invalid";
                }
                else
                {
                    id = value.ToString();
                    if (kind == IdKind.Lenient)
                    {
                        warnings.Add(MtaStsDiagnosticCodes.IdNonstandardCharacters, $"The id '{id}' contains '-', '_' or '.', which RFC 8461 does not allow; accepted.");
                    }
                }
            }
            else if (!ExtensionName.IsValid(name))
            {
                errors.Add(MtaStsDiagnosticCodes.ExtensionInvalid, $"'{Show(name)}' is not a valid field name: 1 to {ExtensionName.MaxLength} letters, digits, '_', '-' or '.', starting with a letter or digit.");
            }
            else if (!IsValidExtensionValue(value))
            {
                errors.Add(MtaStsDiagnosticCodes.ExtensionInvalid, value.IsEmpty
                    ? $"The field '{Show(name)}' has no value."
                    : $"The value of '{Show(name)}' contains '='; extension values are printable ASCII without '=', ';' or space.");
            }
            else if (name.SequenceEqual("v") || ContainsName(extensions, name))
            {
                warnings.Add(MtaStsDiagnosticCodes.DuplicateField, $"A second '{Show(name)}' field is ignored; the first one counts (RFC 8461 §3.2).");
            }
            else
            {
                sawUpperCaseId |= name.Equals("id", StringComparison.OrdinalIgnoreCase);
                extensions ??= [];
                extensions.Add(new(name.ToString(), value.ToString()));
            }

            pos = end;
        }

        if (id is null && idSyntaxError is null && errors.Count == 0)
        {
            errors.Add(MtaStsDiagnosticCodes.IdMissing, sawUpperCaseId
                ? "The record has no 'id' field; field names are case-sensitive, so 'ID' is an extension, not the id."
                : "The record has no 'id' field.");
        }

        if (errors.Count > 0 || id is null)
        {
            return Result(null, ref errors, ref warnings);
        }

        var record = new MtaStsRecord(id, text, extensions is null ? [] : extensions.ToArray());
        return Result(record, ref errors, ref warnings);
    }

    /// <summary>
    /// Whether a TXT record is an STS record candidate: it begins with <c>v=STSv1</c> followed by
    /// optional whitespace and <c>;</c> (RFC 8461 §3.1, decisions ).
    /// </summary>
    /// <param name="text">The record text.</param>
    /// <returns><see langword="true"/> when the record takes part in the exactly-one count.</returns>
    public static bool IsStsRecord(ReadOnlySpan<char> text) => CharScan.IsTaggedRecord(text, VersionPrefix);

    /// <summary>Whether a value is an id the parser accepts (RFC 8461 §3.1 sts-id, with the leniency of decision A-21).</summary>
    internal static bool IsValidId(ReadOnlySpan<char> value) => ClassifyId(value) != IdKind.Invalid;

    private enum IdKind
    {
        Invalid,
        Strict,
        Lenient,
    }

    private static IdKind ClassifyId(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > MaxIdLength)
        {
            return IdKind.Invalid;
        }

        var kind = IdKind.Strict;
        foreach (var c in value)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                continue;
            }

            if (c is '-' or '_' or '.')
            {
                kind = IdKind.Lenient;
                continue;
            }

            return IdKind.Invalid;
        }

        return kind;
    }

    /// <summary>sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E). ';' and space never reach here.</summary>
    internal static bool IsValidExtensionValue(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < '\u0021' or > '\u007E' or '=' or ';')
            {
                return false;
            }
        }

        return true;
    }

    internal static bool ContainsName(List<KeyValuePair<string, string>>? extensions, ReadOnlySpan<char> name)
    {
        if (extensions is null)
        {
            return false;
        }

        foreach (var pair in extensions)
        {
            if (name.SequenceEqual(pair.Key))
            {
                return true;
            }
        }

        return false;
    }

    private static int SkipWsp(ReadOnlySpan<char> text, int pos) => CharScan.SkipWsp(text, pos);

    private static string Describe(char c) => DiagnosticText.Describe(c);

    private static string Show(ReadOnlySpan<char> value) => DiagnosticText.Show(value);

    private static MtaStsRecordParseResult Result(MtaStsRecord? record, ref DiagnosticList errors, ref DiagnosticList warnings) =>
        new(record, errors.ToReadOnlyList(), warnings.ToReadOnlyList());
}
