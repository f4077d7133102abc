namespace MtaSts.Grammar;

/// <summary>
/// Small character scans for the parsers' hot paths. Plain loops rather than the generic range helpers of
/// <see cref="MemoryExtensions"/>, whose unoptimised (tier-0) code boxes its bounds and so allocates on every call
/// until the JIT tiers it up; the lines scanned here are short, so vectorisation would gain nothing.
/// </summary>
internal static class CharScan
{
    /// <summary>The index of the first character above U+007F, or -1.</summary>
    public static int IndexOfNonAscii(ReadOnlySpan<char> value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] > '\u007F')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Whether the value is not empty and made of ASCII digits only.</summary>
    public static bool IsAllDigits(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the value contains an ASCII upper-case letter.</summary>
    public static bool HasAsciiUpper(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (c is >= 'A' and <= 'Z')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the value is empty or made of spaces and tabs only.</summary>
    public static bool IsWspOnly(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (c is not ' ' and not '\t')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The first position at or after <paramref name="pos"/> that is not a space or a tab (WSP).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static int SkipWsp(ReadOnlySpan<char> text, int pos)
    {
        while (pos < text.Length && text[pos] is ' ' or '\t')
        {
            pos++;
        }

        return pos;
    }

    /// <summary>
    /// Whether a TXT record begins with the version tag <paramref name="versionPrefix"/> (e.g. <c>v=STSv1</c>) followed by
    /// optional WSP and <c>;</c>: the test that makes a record take part in the exactly-one count of both record types.
    /// </summary>
    public static bool IsTaggedRecord(ReadOnlySpan<char> text, string versionPrefix)
    {
        if (!text.StartsWith(versionPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var pos = SkipWsp(text, versionPrefix.Length);
        return pos < text.Length && text[pos] == ';';
    }
}
