namespace MtaSts.Diagnostics;

/// <summary>
/// The one place where text that came from the network (DNS answers, HTTP headers, TLS and parser errors, exception
/// messages built from them) is made fit for <see cref="MtaStsEvidence"/>, results, reasons and logs: one line, no
/// control characters, bounded length.
/// </summary>
/// <remarks>
/// A hostile peer decides what such text holds: without a cap one malformed DNS answer produced an error of 86,783
/// characters, and a CR/LF in a header could forge log lines. Control characters (C0, DEL, C1), line and paragraph
/// separators and the bidirectional overrides and isolates are replaced by a space; text over the cap is cut and ends
/// with "…". Clean text within the cap is returned as the same instance, so this costs nothing on the normal path.
/// </remarks>
internal static class EvidenceText
{
    /// <summary>The most characters of a message or problem kept in evidence.</summary>
    public const int MaxLength = 1024;

    /// <summary>The text made safe: control characters replaced, at most <paramref name="max"/> characters plus "…".</summary>
    public static string Cap(string? text, int max = MaxLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        int clean = 0;
        while (clean < text.Length && clean < max && !IsUnsafe(text[clean]))
        {
            clean++;
        }

        if (clean == text.Length)
        {
            return text;
        }

        int length = Math.Min(text.Length, max);
        return string.Create(length + (text.Length > max ? 1 : 0), (text, length), static (span, state) =>
        {
            for (int i = 0; i < state.length; i++)
            {
                char c = state.text[i];
                span[i] = IsUnsafe(c) ? ' ' : c;
            }

            if (span.Length > state.length)
            {
                span[^1] = '\u2026';
            }
        }).Trim();
    }

    /// <summary>Whether a character may not be shown as it is: C0, DEL, C1, line and paragraph separators, bidirectional overrides and isolates.</summary>
    internal static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
