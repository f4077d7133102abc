namespace MtaSts;

/// <summary>One <c>mx</c> pattern of a policy: an exact host name or <c>*.</c> followed by a suffix (RFC 8461 §3.2, §4.1).</summary>
/// <remarks>
/// A pattern is a view of its policy's text (or of its own lower-cased copy when the policy wrote it with capitals), so parsing
/// a policy makes no string per pattern. <see cref="AsSpan"/> reads it without allocating; <see cref="Pattern"/> and
/// <see cref="ToString"/> make a string each time they are called.
/// </remarks>
public readonly struct MxPattern : IEquatable<MxPattern>
{
    private readonly string? _source;
    private readonly int _start;
    private readonly int _length;

    /// <summary>Creates a pattern from an already validated, lower-case A-label text without a trailing dot.</summary>
    /// <param name="pattern">The pattern, for example <c>mx1.example.com</c> or <c>*.example.net</c>.</param>
    internal MxPattern(string pattern)
        : this(pattern, 0, pattern.Length)
    {
    }

    /// <summary>Creates a pattern that is the characters <paramref name="start"/> to <paramref name="start"/> + <paramref name="length"/> of <paramref name="source"/>.</summary>
    /// <param name="source">The text holding the pattern (already validated, lower-case, no trailing dot).</param>
    /// <param name="start">Where the pattern begins.</param>
    /// <param name="length">How long it is.</param>
    internal MxPattern(string source, int start, int length)
    {
        _source = source;
        _start = start;
        _length = length;
    }

    /// <summary>The pattern as published (lower-cased, one trailing dot removed); a new string on each call (see <see cref="AsSpan"/>).</summary>
    public string Pattern => _source is null ? string.Empty
        : _start == 0 && _length == _source.Length ? _source
        : _source.Substring(_start, _length);

    /// <summary>The number of characters in the pattern.</summary>
    public int Length => _length;

    /// <summary>Whether the pattern begins with <c>*.</c> and so matches exactly one extra left-most label.</summary>
    public bool IsWildcard => AsSpan().StartsWith("*.", StringComparison.Ordinal);

    /// <summary>The pattern's characters, without allocating.</summary>
    /// <returns>The same characters as <see cref="Pattern"/>; empty for a default instance.</returns>
    public ReadOnlySpan<char> AsSpan() => _source.AsSpan(_start, _length);

    /// <summary>
    /// Whether an MX host name matches this pattern: equal, or for <c>*.suffix</c> exactly one non-empty label
    /// followed by <c>.suffix</c>. Case-insensitive on A-labels; one trailing dot on the host is ignored.
    /// </summary>
    /// <param name="mxHost">The MX host as listed in the MX record.</param>
    /// <returns><see langword="true"/> when the host is allowed by this pattern.</returns>
    public bool Matches(ReadOnlySpan<char> mxHost)
    {
        var pattern = AsSpan();
        if (pattern.IsEmpty || mxHost.IsEmpty)
        {
            return false;
        }

        if (mxHost[^1] == '.')
        {
            mxHost = mxHost[..^1];
        }

        // STS-4.1-b: RFC 8461 §4.1 defers to RFC 6125 §6.4, which compares A-labels. A host given in Unicode is converted
        // (UTS-46, as DomainName.Normalize does) before the ASCII comparison; a name IDNA refuses never matches. No
        // Unicode case folding happens, so look-alikes such as U+0131 (dotless i) stay distinct from 'i'. ASCII hosts
        // take no part in this and allocate nothing.
        string? aLabel = null;
        if (!System.Text.Ascii.IsValid(mxHost))
        {
            aLabel = ToALabel(mxHost);
            if (aLabel is null)
            {
                return false;
            }

            mxHost = aLabel;
        }

        if (!pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            return System.Text.Ascii.EqualsIgnoreCase(mxHost, pattern);
        }

        // "*.suffix": exactly one non-empty left-most label, then ".suffix" (RFC 8461 §4.1, decision A-10).
        var firstDot = mxHost.IndexOf('.');
        return firstDot > 0 && System.Text.Ascii.EqualsIgnoreCase(mxHost[(firstDot + 1)..], pattern[2..]);
    }

    /// <summary>
    /// The lower-case A-label form of a host name with non-ASCII characters (one trailing dot already removed), or
    /// <see langword="null"/> when it is not a valid internationalised name.
    /// </summary>
    internal static string? ToALabel(ReadOnlySpan<char> host) =>
        !host.IsEmpty && host[^1] != '.' && MtaSts.DomainName.TryNormalize(host.ToString(), out string? normalized, out _) ? normalized : null;

    /// <inheritdoc/>
    public bool Equals(MxPattern other) => AsSpan().SequenceEqual(other.AsSpan());

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is MxPattern other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => string.GetHashCode(AsSpan());

    /// <inheritdoc/>
    public override string ToString() => Pattern;

    /// <summary>Equality.</summary>
    /// <param name="left">One pattern.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether both have the same characters.</returns>
    public static bool operator ==(MxPattern left, MxPattern right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">One pattern.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether the texts differ.</returns>
    public static bool operator !=(MxPattern left, MxPattern right) => !left.Equals(right);
}
