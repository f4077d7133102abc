using System.Globalization;
using System.Text;

namespace MtaSts.Grammar;

/// <summary>Short, printable renderings of untrusted input for diagnostic messages.</summary>
internal static class DiagnosticText
{
    /// <summary>The most characters of an input value shown in a message.</summary>
    internal const int MaxShown = 64;

    /// <summary>The value cut to <see cref="MaxShown"/> characters, control, separator and bidirectional-override characters escaped as <c>\uXXXX</c>.</summary>
    public static string Show(ReadOnlySpan<char> value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, MaxShown) + 1);
        foreach (var c in value)
        {
            if (builder.Length >= MaxShown)
            {
                builder.Append('\u2026');
                break;
            }

            if (MtaSts.Diagnostics.EvidenceText.IsUnsafe(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>A printable ASCII character in quotes, anything else as <c>U+XXXX</c>.</summary>
    public static string Describe(char c) =>
        c is >= '!' and <= '~' ? $"'{c}'" : string.Create(CultureInfo.InvariantCulture, $"U+{(int)c:X4}");
}
