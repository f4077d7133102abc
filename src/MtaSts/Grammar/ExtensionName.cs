namespace MtaSts.Grammar;

/// <summary>
/// The name of an extension field, the same rule in the TXT record (<c>sts-ext-name</c>, RFC 8461 §3.1) and in the
/// policy file (<c>sts-policy-ext-name</c>, §3.2): 1 to 32 letters, digits, '_', '-' or '.', starting with a letter or digit.
/// </summary>
internal static class ExtensionName
{
    /// <summary>The longest name allowed.</summary>
    public const int MaxLength = 32;

    /// <summary>Whether <paramref name="name"/> is a valid extension field name.</summary>
    public static bool IsValid(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxLength || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name[1..])
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-' and not '.')
            {
                return false;
            }
        }

        return true;
    }
}
