using System.Globalization;
using System.Text;

namespace MtaSts.Dns;

/// <summary>Names read from DNS answers, in the one form the library compares: A-labels, lower-case, no trailing dot.</summary>
internal static class DnsNames
{
    private static readonly IdnMapping Idn = new() { AllowUnassigned = true, UseStd3AsciiRules = false };

    /// <summary>
    /// A name from a DnsClient answer. DnsClient shows ACE labels (<c>xn--…</c>) as Unicode in <c>DnsString.Value</c>,
    /// so a non-ASCII name is mapped back to its A-labels before it is compared with the names we asked for.
    /// The root name <c>.</c> becomes the empty string.
    /// </summary>
    public static string FromWire(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.EndsWith('.') ? name[..^1] : name;
        if (Ascii.IsValid(trimmed))
        {
            return trimmed.ToLowerInvariant();
        }

        try
        {
            return Idn.GetAscii(trimmed).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            // Not a name IDNA can map: keep it, it will simply not match anything we asked for.
            return trimmed.ToLowerInvariant();
        }
    }
}
