using System.Text;
using System.Text.Json;

namespace MtaSts.Cli;

/// <summary>What every writer of the command shares: the words for library values and one-line JSON.</summary>
internal static class CliText
{
    /// <summary>
    /// Text from standard input or the network made safe for a terminal: control characters (such as ESC), line and
    /// paragraph separators and bidirectional overrides and isolates are written as <c>\uXXXX</c>.
    /// </summary>
    public static string Printable(string text)
    {
        if (!text.Any(IsUnprintable))
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (IsUnprintable(c))
            {
                builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool IsUnprintable(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    // Output is UTF-8 text for terminals, files and pipes, never HTML: only what JSON itself requires is escaped, so
    // `>`, `§`, `'` and non-ASCII names stay readable (control characters are still escaped).
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One JSON value on one line, written by <paramref name="write"/>.</summary>
    public static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes a string member, or <c>null</c>.</summary>
    public static void WriteStringOrNull(this Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>
    /// Text from a file or peer we do not control, fit for a terminal line: control, separator and bidirectional-override
    /// characters become spaces, and at most <paramref name="max"/> characters are kept (then "…").
    /// </summary>
    public static string Cap(string? text, int max = 300)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var safe = new StringBuilder(Math.Min(text.Length, max) + 1);
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, max)))
        {
            safe.Append(char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') ? ' ' : c);
        }

        return (text.Length > max ? safe.Append('\u2026') : safe).ToString();
    }

    /// <summary>
    /// Why a file, directory or store operation failed, in the tool's words: what to check, never the exception's text or
    /// type name (which can carry paths of other users, server replies, or .NET vocabulary).
    /// </summary>
    public static string Why(Exception exception) => exception switch
    {
        FileNotFoundException => "it does not exist",
        DirectoryNotFoundException => "its directory does not exist",
        PathTooLongException => "the path is too long",
        UnauthorizedAccessException or System.Security.SecurityException => "permission denied",
        TimeoutException => "it did not answer in time",
        StackExchange.Redis.RedisConnectionException => "the Redis server cannot be reached",
        StackExchange.Redis.RedisException => "the Redis server refused the command",
        NotSupportedException => "the path is not supported",
        IOException => "the system could not read or write it (a directory where a file is expected, a full disk, or similar)",
        _ => "an unexpected error",
    };
}
