using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MtaSts.Grammar;
using MtaSts.Parsing;

namespace MtaSts;

/// <summary>Parses MTA-STS policy bodies under the RFC 8461 §3.2 ABNF and decisions A-3 to A-6, A-16, A-22 and A-23.</summary>
/// <remarks>
/// <para>
/// Lines end in LF or CRLF. Keys and the values of <c>version</c> and <c>mode</c> are case-sensitive. Unknown keys are
/// kept as extensions. For <c>version</c>, <c>mode</c>, <c>max_age</c> and every extension the first occurrence
/// counts. Every diagnostic carries the 1-based line it is about, or 0 for whole-policy problems.
/// </para>
/// <para>
/// Error codes: <c>policy-empty</c>, <c>bare-cr</c>, <c>blank-line</c>, <c>leading-whitespace</c>,
/// <c>colon-missing</c>, <c>whitespace-before-colon</c>, <c>key-invalid</c>, <c>version-invalid</c>,
/// <c>version-missing</c>, <c>mode-invalid</c>, <c>mode-missing</c>, <c>max-age-invalid</c>,
/// <c>max-age-missing</c>, <c>mx-invalid</c>, <c>mx-missing</c>, <c>extension-invalid</c>.
/// Warning codes: <c>byte-order-mark</c>, <c>trailing-blank-lines</c>, <c>trailing-whitespace</c>,
/// <c>duplicate-field</c>, <c>max-age-clamped</c>, <c>max-age-zero</c>, <c>mx-trailing-dot</c>,
/// <c>key-near-miss</c>. Either list ends with <c>too-many-diagnostics</c> when it was cut short.
/// </para>
/// </remarks>
public static class MtaStsPolicyParser
{
    /// <summary>The largest <c>max_age</c> kept; larger values are clamped to it (RFC 8461 §3.2, decision A-5).</summary>
    internal const long MaxAgeLimit = 31557600;

    private const int MaxAgeDigits = 10;
    private static readonly SearchValues<char> PatternSeparators = SearchValues.Create(", \t;");
    private static readonly SearchValues<char> CanonicalMxChars =
        SearchValues.Create("-.0123456789abcdefghijklmnopqrstuvwxyz");

    private static readonly SearchValues<char> HostNameChars =
        SearchValues.Create("-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private enum Field
    {
        Extension,
        Version,
        Mode,
        MaxAge,
        Mx,
    }

    /// <summary>Parses a policy body in one pass, without regular expressions.</summary>
    /// <param name="text">The body, decoded as UTF-8.</param>
    /// <returns>The policy with warnings, or the errors that make it invalid. Never throws for bad input.</returns>
    public static MtaStsPolicyParseResult Parse(string text)
    {
        text ??= string.Empty;
        return TryParseCanonical(text) ?? ParseFull(text);
    }

    /// <summary>
    /// The full parser: every line is classified and every slip described. <see cref="Parse"/> takes it whenever
    /// <see cref="TryParseCanonical"/> declines; both give the same result where the fast path accepts.
    /// </summary>
    internal static MtaStsPolicyParseResult ParseFull(string text)
    {
        // Room for 16 mx patterns and 8 extensions before the pooled fallback.
        var parser = new Parser(text, stackalloc int[32], stackalloc int[32]);
        try
        {
            return parser.Run();
        }
        finally
        {
            parser.Dispose();
        }
    }

    /// <summary>
    /// The fast path for a policy written exactly as the grammar has it: only the four fields, each of
    /// <c>version</c>, <c>mode</c> and <c>max_age</c> once, lower-case mx patterns without a trailing dot, a
    /// <c>max_age</c> from 1 to the limit, LF or CRLF line ends, no blank line, no trailing whitespace, no byte order
    /// mark. One pass over the characters, no diagnostics. Anything else returns <see langword="null"/>, and the full
    /// parser decides — so this path never accepts what the full one refuses, and never has a warning to report
    /// (pinned by the property test and the <c>policy</c> fuzz target, which compare both on every input).
    /// </summary>
    internal static MtaStsPolicyParseResult? TryParseCanonical(string text)
    {
        Span<int> mx = stackalloc int[32];
        var mxCount = 0;
        var span = text.AsSpan();
        var pos = 0;
        var sawVersion = false;
        MtaStsMode? mode = null;
        var maxAge = -1L;
        if (span.IsEmpty)
        {
            return null;
        }

        while (pos < span.Length)
        {
            var rest = span[pos..];
            Field field;
            if (rest.StartsWith("mx:"))
            {
                field = Field.Mx;
                pos += 3;
            }
            else if (rest.StartsWith("mode:"))
            {
                field = Field.Mode;
                pos += 5;
            }
            else if (rest.StartsWith("version:"))
            {
                field = Field.Version;
                pos += 8;
            }
            else if (rest.StartsWith("max_age:"))
            {
                field = Field.MaxAge;
                pos += 8;
            }
            else
            {
                return null;
            }

            pos = CharScan.SkipWsp(span, pos);
            rest = span[pos..];
            switch (field)
            {
                case Field.Mx:
                    var end = ScanCanonicalMx(span, pos);
                    if (end < 0 || mxCount == mx.Length)
                    {
                        return null;
                    }

                    mx[mxCount++] = pos;
                    mx[mxCount++] = end - pos;
                    pos = end;
                    break;
                case Field.Mode when mode is null:
                    if (rest.StartsWith("enforce"))
                    {
                        mode = MtaStsMode.Enforce;
                        pos += 7;
                    }
                    else if (rest.StartsWith("testing"))
                    {
                        mode = MtaStsMode.Testing;
                        pos += 7;
                    }
                    else if (rest.StartsWith("none"))
                    {
                        mode = MtaStsMode.None;
                        pos += 4;
                    }
                    else
                    {
                        return null;
                    }

                    break;
                case Field.Version when !sawVersion && rest.StartsWith("STSv1"):
                    sawVersion = true;
                    pos += 5;
                    break;
                case Field.MaxAge when maxAge < 0:
                    var digits = 0;
                    var seconds = 0L;
                    while (digits < rest.Length && digits <= MaxAgeDigits && char.IsAsciiDigit(rest[digits]))
                    {
                        seconds = (seconds * 10) + (rest[digits++] - '0');
                    }

                    if (digits is 0 or > MaxAgeDigits || seconds is 0 or > MaxAgeLimit)
                    {
                        return null;
                    }

                    maxAge = seconds;
                    pos += digits;
                    break;
                default:
                    return null;
            }

            // The value must end the line: anything else (whitespace, a stray character, a bare CR) is for the full parser.
            if (pos == span.Length)
            {
                break;
            }

            if (span[pos] == '\n')
            {
                pos++;
            }
            else if (span[pos] == '\r' && pos + 1 < span.Length && span[pos + 1] == '\n')
            {
                pos += 2;
            }
            else
            {
                return null;
            }
        }

        if (!sawVersion || mode is null || maxAge < 0 || (mxCount == 0 && mode != MtaStsMode.None))
        {
            return null;
        }

        var patterns = mxCount == 0 ? [] : new MxPattern[mxCount / 2];
        for (var i = 0; i < patterns.Length; i++)
        {
            patterns[i] = new MxPattern(text, mx[2 * i], mx[(2 * i) + 1]);
        }

        return new MtaStsPolicyParseResult(new MtaStsPolicy(mode.Value, patterns, maxAge, text, []), [], []);
    }

    /// <summary>
    /// The end of a canonical mx pattern starting at <paramref name="start"/> (an optional <c>*.</c>, then labels of
    /// lower-case letters, digits and inner '-', 1 to 63 characters each, at most 253 in all), or -1. The character at
    /// the end is not part of the pattern; the caller checks that it ends the line.
    /// </summary>
    private static int ScanCanonicalMx(ReadOnlySpan<char> span, int start)
    {
        var pos = start;
        if (pos + 1 < span.Length && span[pos] == '*' && span[pos + 1] == '.')
        {
            pos += 2;
        }

        var rest = span[pos..];
        var length = rest.IndexOfAnyExcept(CanonicalMxChars);
        var value = length < 0 ? rest : rest[..length];
        if (value.IsEmpty || value.Length > DomainName.MaxNameLength
            || !char.IsAsciiLetterOrDigit(value[0]) || !char.IsAsciiLetterOrDigit(value[^1]) || HasEmptyOrHyphenEdgedLabel(value))
        {
            return -1;
        }

        // A label longer than 63 characters is only possible in a longer name; only those are walked.
        if (value.Length > DomainName.MaxLabelLength)
        {
            for (var labels = value; !labels.IsEmpty;)
            {
                var dot = labels.IndexOf('.');
                if ((dot < 0 ? labels.Length : dot) > DomainName.MaxLabelLength)
                {
                    return -1;
                }

                labels = dot < 0 ? [] : labels[(dot + 1)..];
            }
        }

        return pos + value.Length;
    }

    /// <summary>
    /// Whether a run of letters, digits, '-' and '.' that begins and ends with a letter or digit has two neighbours that
    /// no host name has: "..", ".-" or "-." (an empty label, or a label beginning or ending in '-').
    /// </summary>
    internal static bool HasEmptyOrHyphenEdgedLabel(ReadOnlySpan<char> value)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated && value.Length > Vector128<ushort>.Count)
        {
            // Eight neighbour pairs at a time; the last block overlaps the one before it instead of a scalar tail.
            ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(value));
            var last = (nuint)(value.Length - Vector128<ushort>.Count - 1);
            for (nuint at = 0; ; at = Math.Min(at + (nuint)Vector128<ushort>.Count, last))
            {
                var left = Vector128.LoadUnsafe(ref first, at);
                var right = Vector128.LoadUnsafe(ref first, at + 1);
                var leftMark = Vector128.LessThanOrEqual(left - Vector128.Create((ushort)'-'), Vector128.Create((ushort)1));
                var rightMark = Vector128.LessThanOrEqual(right - Vector128.Create((ushort)'-'), Vector128.Create((ushort)1));
                var dot = Vector128.Equals(left, Vector128.Create((ushort)'.')) | Vector128.Equals(right, Vector128.Create((ushort)'.'));
                if ((leftMark & rightMark & dot) != Vector128<ushort>.Zero)
                {
                    return true;
                }

                if (at == last)
                {
                    return false;
                }
            }
        }

        for (; i + 1 < value.Length; i++)
        {
            var (left, right) = (value[i], value[i + 1]);
            if (left is '-' or '.' && right is '-' or '.' && (left == '.' || right == '.'))
            {
                return true;
            }
        }

        return false;
    }

    private ref struct Parser
    {
        private readonly string _text;
        private DiagnosticList _errors;
        private DiagnosticList _warnings;

        // Pairs (start, length) into _text, one per valid mx line.
        private ValueIntList _mx;

        // Quads (key start, key length, value start, value length), one per first-seen extension.
        private ValueIntList _extensions;

        private int _versionLine;
        private int _modeLine;
        private int _maxAgeLine;
        private int _mxLines;
        private MtaStsMode? _mode;
        private long _maxAge;

        public Parser(string text, Span<int> mxBuffer, Span<int> extensionBuffer)
        {
            _text = text;
            _mx = new ValueIntList(mxBuffer);
            _extensions = new ValueIntList(extensionBuffer);
        }

        public void Dispose()
        {
            _mx.Dispose();
            _extensions.Dispose();
        }

        public MtaStsPolicyParseResult Run()
        {
            var span = _text.AsSpan();
            var pos = 0;
            if (span.Length > 0 && span[0] == '\uFEFF')
            {
                _warnings.Add(MtaStsDiagnosticCodes.ByteOrderMark, "The policy begins with a UTF-8 byte order mark; accepted, but it is outside the RFC 8461 grammar.", 1);
                pos = 1;
            }

            var line = 0;
            var pendingBlank = 0;
            var anyField = false;
            while (pos < span.Length)
            {
                line++;
                var rest = span[pos..];
                var eol = rest.IndexOfAny('\r', '\n');
                int length;
                int next;
                if (eol < 0)
                {
                    length = rest.Length;
                    next = span.Length;
                }
                else if (rest[eol] == '\n')
                {
                    length = eol;
                    next = pos + eol + 1;
                }
                else if (eol + 1 < rest.Length && rest[eol + 1] == '\n')
                {
                    length = eol;
                    next = pos + eol + 2;
                }
                else
                {
                    _errors.Add(MtaStsDiagnosticCodes.BareCr, "The line ends in a carriage return without a line feed; lines must end in LF or CRLF.", line);
                    length = eol;
                    next = pos + eol + 1;
                }

                var start = pos;
                pos = next;
                if (CharScan.IsWspOnly(rest[..length]))
                {
                    if (pendingBlank == 0)
                    {
                        pendingBlank = line;
                    }

                    continue;
                }

                if (pendingBlank != 0)
                {
                    _errors.Add(MtaStsDiagnosticCodes.BlankLine, anyField
                        ? "Blank line between fields; the policy grammar allows none."
                        : "Blank line before the first field; the policy grammar allows none.", pendingBlank);
                    pendingBlank = 0;
                }

                anyField = true;
                ParseLine(line, start, length);
            }

            if (!anyField)
            {
                _errors.Add(MtaStsDiagnosticCodes.PolicyEmpty, "The policy has no fields.");
            }
            else
            {
                if (pendingBlank != 0)
                {
                    _warnings.Add(MtaStsDiagnosticCodes.TrailingBlankLines, "The policy ends in blank lines; accepted, but the grammar allows at most one line end after the last field.", pendingBlank);
                }

                CheckRequiredFields();
            }

            if (_errors.Count > 0)
            {
                return new MtaStsPolicyParseResult(null, _errors.ToReadOnlyList(), _warnings.ToReadOnlyList());
            }

            var policy = new MtaStsPolicy(_mode!.Value, BuildPatterns(), _maxAge, _text, BuildExtensions());
            return new MtaStsPolicyParseResult(policy, [], _warnings.ToReadOnlyList());
        }

        private void CheckRequiredFields()
        {
            if (_versionLine == 0)
            {
                _errors.Add(MtaStsDiagnosticCodes.VersionMissing, "The policy has no 'version' field.");
            }

            if (_modeLine == 0)
            {
                _errors.Add(MtaStsDiagnosticCodes.ModeMissing, "The policy has no 'mode' field; it is never assumed to be 'none'.");
            }

            if (_maxAgeLine == 0)
            {
                _errors.Add(MtaStsDiagnosticCodes.MaxAgeMissing, "The policy has no 'max_age' field.");
            }

            if (_mxLines == 0 && _mode is MtaStsMode.Enforce or MtaStsMode.Testing)
            {
                _errors.Add(MtaStsDiagnosticCodes.MxMissing, $"The policy has no 'mx' field; mode '{_mode.Value.ToToken()}' needs at least one.");
            }
        }

        private void ParseLine(int line, int start, int length)
        {
            var content = _text.AsSpan(start, length);
            if (content[0] is ' ' or '\t')
            {
                _errors.Add(MtaStsDiagnosticCodes.LeadingWhitespace, "The line begins with whitespace; keys must start at the beginning of the line.", line);
                return;
            }

            var colon = content.IndexOf(':');
            if (colon < 0)
            {
                _errors.Add(MtaStsDiagnosticCodes.ColonMissing, $"'{Show(content)}' is not a 'key: value' line.", line);
                return;
            }

            var key = content[..colon];
            if (key.IsEmpty)
            {
                _errors.Add(MtaStsDiagnosticCodes.KeyInvalid, "The line has no key before ':'.", line);
                return;
            }

            if (key[^1] is ' ' or '\t')
            {
                _errors.Add(MtaStsDiagnosticCodes.WhitespaceBeforeColon, $"Whitespace between the key '{Show(key.TrimEnd(" \t"))}' and ':' is not allowed.", line);
                return;
            }

            // The four field names are valid keys; only an extension's name needs the grammar check.
            var field = KnownField(key);
            if (field == Field.Extension && !ExtensionName.IsValid(key))
            {
                _errors.Add(MtaStsDiagnosticCodes.KeyInvalid, $"'{Show(key)}' is not a valid key: 1 to 32 letters, digits, '_', '-' or '.', starting with a letter or digit.", line);
                return;
            }

            var valueStart = colon + 1;
            while (valueStart < content.Length && content[valueStart] is ' ' or '\t')
            {
                valueStart++;
            }

            var valueEnd = content.Length;
            while (valueEnd > valueStart && content[valueEnd - 1] is ' ' or '\t')
            {
                valueEnd--;
            }

            if (valueEnd < content.Length && valueEnd > valueStart)
            {
                _warnings.Add(MtaStsDiagnosticCodes.TrailingWhitespace, "The value is followed by whitespace; accepted and ignored.", line);
            }

            var value = content[valueStart..valueEnd];
            switch (field)
            {
                case Field.Version:
                    ParseVersion(line, value);
                    break;
                case Field.Mode:
                    ParseMode(line, value);
                    break;
                case Field.MaxAge:
                    ParseMaxAge(line, value);
                    break;
                case Field.Mx:
                    ParseMx(line, value, start + valueStart);
                    break;
                default:
                    ParseExtension(line, key, value, start, start + valueStart);
                    break;
            }
        }

        private void ParseVersion(int line, ReadOnlySpan<char> value)
        {
            if (_versionLine != 0)
            {
                Duplicate(line, "version", _versionLine, value);
                return;
            }

            _versionLine = line;
            if (!value.SequenceEqual("STSv1"))
            {
                _errors.Add(MtaStsDiagnosticCodes.VersionInvalid, $"The version '{Show(value)}' is not 'STSv1' (case-sensitive).", line);
            }
        }

        private void ParseMode(int line, ReadOnlySpan<char> value)
        {
            if (_modeLine != 0)
            {
                Duplicate(line, "mode", _modeLine, value);
                return;
            }

            _modeLine = line;
            _mode = value switch
            {
                "enforce" => MtaStsMode.Enforce,
                "testing" => MtaStsMode.Testing,
                "none" => MtaStsMode.None,
                _ => null,
            };

            if (_mode is null)
            {
                _errors.Add(MtaStsDiagnosticCodes.ModeInvalid, $"The mode '{Show(value)}' is not 'enforce', 'testing' or 'none' (case-sensitive).", line);
            }
        }

        private void ParseMaxAge(int line, ReadOnlySpan<char> value)
        {
            if (_maxAgeLine != 0)
            {
                Duplicate(line, "max_age", _maxAgeLine, value);
                return;
            }

            _maxAgeLine = line;
            if (value.Length > MaxAgeDigits || !CharScan.IsAllDigits(value))
            {
                var why = value.IsEmpty ? "it is empty"
                    : !CharScan.IsAllDigits(value) ? "it is not a whole number of seconds written in digits only"
                    : $"it has more than {MaxAgeDigits} digits";
                _errors.Add(MtaStsDiagnosticCodes.MaxAgeInvalid, $"The max_age '{Show(value)}' is invalid: {why}.", line);
                return;
            }

            var seconds = 0L;
            foreach (var digit in value)
            {
                seconds = (seconds * 10) + (digit - '0');
            }

            if (seconds > MaxAgeLimit)
            {
                _warnings.Add(MtaStsDiagnosticCodes.MaxAgeClamped, $"The max_age {seconds} is above the RFC 8461 limit of {MaxAgeLimit} seconds; {MaxAgeLimit} is used.", line);
                seconds = MaxAgeLimit;
            }
            else if (seconds == 0)
            {
                _warnings.Add(MtaStsDiagnosticCodes.MaxAgeZero, "The max_age is 0: the policy applies to the current delivery but is not cached.", line);
            }

            _maxAge = seconds;
        }

        private void ParseMx(int line, ReadOnlySpan<char> value, int valueStart)
        {
            _mxLines++;
            var trailingDot = false;
            if (value.Length > 1 && value[^1] == '.')
            {
                value = value[..^1];
                trailingDot = true;
            }

            // Most patterns are plain host names: the vectorised check proves those valid; only the rest are described.
            if (!IsPlainValidMx(value) && DescribeInvalidMx(value) is { } problem)
            {
                _errors.Add(MtaStsDiagnosticCodes.MxInvalid, $"The mx pattern '{Show(value)}{(trailingDot ? "." : string.Empty)}' is invalid: {problem}.", line);
                return;
            }

            if (trailingDot)
            {
                _warnings.Add(MtaStsDiagnosticCodes.MxTrailingDot, $"The mx pattern '{Show(value)}.' ends in a dot, which RFC 8461 does not allow; it is used without the dot.", line);
            }

            _mx.Add(valueStart);
            _mx.Add(value.Length);
        }

        private void ParseExtension(int line, ReadOnlySpan<char> key, ReadOnlySpan<char> value, int keyStart, int valueStart)
        {
            if (DescribeInvalidExtensionValue(value) is { } problem)
            {
                _errors.Add(MtaStsDiagnosticCodes.ExtensionInvalid, $"The value of '{Show(key)}' is invalid: {problem}.", line);
                return;
            }

            for (var i = 0; i < _extensions.Count; i += 4)
            {
                if (key.SequenceEqual(_text.AsSpan(_extensions[i], _extensions[i + 1])))
                {
                    _warnings.Add(MtaStsDiagnosticCodes.DuplicateField, $"'{Show(key)}' appears again; the first occurrence counts (RFC 8461 §3.2).", line);
                    return;
                }
            }

            if (NearMiss(key) is { } field)
            {
                _warnings.Add(MtaStsDiagnosticCodes.KeyNearMiss, $"'{Show(key)}' is not the field '{field}' (keys are case-sensitive); it is kept as an unknown extension.", line);
            }

            _extensions.Add(keyStart);
            _extensions.Add(key.Length);
            _extensions.Add(valueStart);
            _extensions.Add(value.Length);
        }

        private void Duplicate(int line, string key, int firstLine, ReadOnlySpan<char> value)
        {
            // A repeated field still has to be a well-formed line (it then matches the extension grammar).
            if (DescribeInvalidExtensionValue(value) is { } problem)
            {
                _errors.Add(KeyCode(key) + "-invalid", $"The repeated '{key}' line is invalid: {problem}.", line);
                return;
            }

            _warnings.Add(MtaStsDiagnosticCodes.DuplicateField, $"'{key}' appears again (first on line {firstLine}); the first occurrence counts (RFC 8461 §3.2).", line);
        }

        private readonly MxPattern[] BuildPatterns()
        {
            if (_mx.Count == 0)
            {
                return [];
            }

            var patterns = new MxPattern[_mx.Count / 2];
            for (var i = 0; i < patterns.Length; i++)
            {
                patterns[i] = LowerPattern(_text, _mx[2 * i], _mx[(2 * i) + 1]);
            }

            return patterns;
        }

        private readonly KeyValuePair<string, string>[] BuildExtensions()
        {
            if (_extensions.Count == 0)
            {
                return [];
            }

            var extensions = new KeyValuePair<string, string>[_extensions.Count / 4];
            for (var i = 0; i < extensions.Length; i++)
            {
                extensions[i] = new(
                    _text.Substring(_extensions[4 * i], _extensions[(4 * i) + 1]),
                    _text.Substring(_extensions[(4 * i) + 2], _extensions[(4 * i) + 3]));
            }

            return extensions;
        }
    }

    /// <summary>
    /// True when an mx value (trailing dot already removed) is certainly valid: an optional <c>*.</c>, then labels of
    /// letters, digits and '-' that <see cref="DescribeInvalidMx"/> accepts. False means "ask
    /// <see cref="DescribeInvalidMx"/>", never "invalid" by itself.
    /// </summary>
    internal static bool IsPlainValidMx(ReadOnlySpan<char> value)
    {
        var domain = value.StartsWith("*.", StringComparison.Ordinal) ? value[2..] : value;
        if (domain.IsEmpty || domain.Length > DomainName.MaxNameLength || domain.ContainsAnyExcept(HostNameChars))
        {
            return false;
        }

        while (true)
        {
            var dot = domain.IndexOf('.');
            var label = dot < 0 ? domain : domain[..dot];
            if (label.IsEmpty || label.Length > DomainName.MaxLabelLength || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            if (dot < 0)
            {
                return true;
            }

            domain = domain[(dot + 1)..];
        }
    }

    /// <summary>Why an mx value (trailing dot already removed) is not <c>["*."] Domain</c>, or null when it is.</summary>
    internal static string? DescribeInvalidMx(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return "it is empty";
        }

        var nonAscii = CharScan.IndexOfNonAscii(value);
        if (nonAscii >= 0)
        {
            return $"it contains the non-ASCII character U+{(int)value[nonAscii]:X4}; use the A-label (xn--) form";
        }

        if (value.ContainsAny(PatternSeparators))
        {
            return "it holds more than one name; give each pattern its own 'mx:' line";
        }

        var domain = value.StartsWith("*.", StringComparison.Ordinal) ? value[2..] : value;
        foreach (var c in domain)
        {
            if (c == '*')
            {
                return "'*' is allowed only as the whole left-most label, as in '*.example.com'";
            }

            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '.')
            {
                return $"it contains {Describe(c)}; host names use only letters, digits, '-' and '.'";
            }
        }

        if (domain.Length > DomainName.MaxNameLength)
        {
            return $"it is longer than {DomainName.MaxNameLength} characters";
        }

        var labelStart = 0;
        for (var i = 0; i <= domain.Length; i++)
        {
            if (i < domain.Length && domain[i] != '.')
            {
                continue;
            }

            var label = domain[labelStart..i];
            if (label.IsEmpty)
            {
                return "it has an empty label";
            }

            if (label.Length > DomainName.MaxLabelLength)
            {
                return $"it has a label longer than {DomainName.MaxLabelLength} characters";
            }

            if (label[0] == '-' || label[^1] == '-')
            {
                return "it has a label that begins or ends with '-'";
            }

            labelStart = i + 1;
        }

        return null;
    }

    /// <summary>Why a value breaks <c>sts-policy-ext-value</c> (no CTLs, not empty), or null when it is fine.</summary>
    private static string? DescribeInvalidExtensionValue(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return "it is empty";
        }

        foreach (var c in value)
        {
            if (c is < ' ' or '\u007F')
            {
                return $"it contains the control character {Describe(c)}";
            }
        }

        return null;
    }

    private static Field KnownField(ReadOnlySpan<char> key) => key switch
    {
        "version" => Field.Version,
        "mode" => Field.Mode,
        "max_age" => Field.MaxAge,
        "mx" => Field.Mx,
        _ => Field.Extension,
    };

    private static string? NearMiss(ReadOnlySpan<char> key)
    {
        Span<char> folded = stackalloc char[32];
        var length = Math.Min(key.Length, folded.Length);
        for (var i = 0; i < length; i++)
        {
            var c = char.ToLowerInvariant(key[i]);
            folded[i] = c == '-' ? '_' : c;
        }

        return folded[..length] switch
        {
            "version" => "version",
            "mode" => "mode",
            "max_age" or "maxage" => "max_age",
            "mx" => "mx",
            _ => null,
        };
    }

    private static string KeyCode(string key) => key == "max_age" ? "max-age" : key;

    private static MxPattern LowerPattern(string text, int start, int length)
    {
        var slice = text.AsSpan(start, length);
        if (!CharScan.HasAsciiUpper(slice))
        {
            return new MxPattern(text, start, length);
        }

        return new MxPattern(string.Create(length, (text, start), static (destination, state) =>
            state.text.AsSpan(state.start, destination.Length).ToLowerInvariant(destination)));
    }

    private static string Show(ReadOnlySpan<char> value) => DiagnosticText.Show(value);

    private static string Describe(char c) => DiagnosticText.Describe(c);
}
