using System.Globalization;
using System.Net;
using System.Text;

namespace MtaSts.Dns;

/// <summary>Names read from DNS answers, in the one form the library compares: A-labels, lower-case, no trailing dot.</summary>
internal static class DnsNames
{
    // Names from the wire are mapped leniently (they only have to compare equal); names from callers strictly (UTS-46 STD3).
    private static readonly IdnMapping Idn = new() { AllowUnassigned = true, UseStd3AsciiRules = false };
    private static readonly IdnMapping StrictIdn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

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

    /// <summary>
    /// A host or domain name given by a caller: surrounding white space and one trailing dot removed, U-labels turned
    /// into A-labels (UTS-46), lower-case. Address literals and other ASCII names are only lower-cased.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, or a non-ASCII name that is not a valid IDN.</exception>
    public static string FromInput(string name, string paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        var trimmed = name.Trim();
        if (trimmed.EndsWith('.'))
        {
            trimmed = trimmed[..^1];
        }

        if (trimmed.Length == 0)
        {
            throw new ArgumentException("The name is empty.", paramName);
        }

        // ASCII names (which is what DNS hands out, including odd ones such as labels with '_') are only lower-cased:
        // a name that came from an MX record must reach the lookups, which report what DNS says about it.
        if (Ascii.IsValid(trimmed))
        {
            return trimmed.ToLowerInvariant();
        }

        try
        {
            return StrictIdn.GetAscii(trimmed).ToLowerInvariant();
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"'{name}' is not a valid host name: {ex.Message}", paramName, ex);
        }
    }

    /// <summary>Whether two names are the same DNS name (ASCII case-insensitive, trailing dot ignored).</summary>
    public static bool Equal(string a, string b) =>
        string.Equals(FromWire(a), FromWire(b), StringComparison.Ordinal);

    /// <summary>
    /// Whether a "host name" is really an IP address (<c>192.0.2.1</c>, <c>[192.0.2.1]</c>, <c>[IPv6:2001:db8::1]</c>,
    /// <c>2001:db8::1</c>). DANE does not apply to those (RFC 7672 §2.2, DANE-2.2-g).
    /// </summary>
    public static bool IsAddressLiteral(string host)
    {
        var h = host.TrimEnd('.');
        if (h.StartsWith('[') && h.EndsWith(']'))
        {
            h = h[1..^1];
            if (h.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            {
                h = h[5..];
            }
        }

        // IPAddress.TryParse also accepts "1" or "1.2" (classful shorthand); only dotted quads and IPv6 count here.
        return IPAddress.TryParse(h, out var address)
            && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || h.Count(c => c == '.') == 3);
    }
}
