using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;
using MtaSts.Grammar;

namespace MtaSts;

/// <summary>Normalises and validates the domain names that enter the library.</summary>
/// <remarks>
/// Unicode or A-label input, any case, one optional trailing dot, becomes a lower-case A-label name (UTS-46 via
/// <see cref="System.Globalization.IdnMapping"/>). Empty names, IP and address literals, characters outside
/// letters, digits, hyphen and dot, empty labels, labels over 63 or names over 253 octets, and single-label names are
/// rejected before any network traffic, which also keeps attacker-chosen input from shaping the policy URL.
/// A name whose last label is all digits is rejected too: no top-level domain is numeric, and such names are
/// usually mistyped IP addresses.
/// </remarks>
public static class DomainName
{
    /// <summary>The longest name accepted, in octets, without the trailing dot (RFC 1035 §2.3.4 less the root).</summary>
    internal const int MaxNameLength = 253;

    /// <summary>The longest label accepted, in octets (RFC 1035 §2.3.4).</summary>
    internal const int MaxLabelLength = 63;

    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    /// <summary>Normalises a domain name.</summary>
    /// <param name="domain">The name as given.</param>
    /// <returns>The lower-case A-label form without a trailing dot. Returns the same instance when it is already normal.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The name is not a usable domain name; the message says why.</exception>
    public static string Normalize(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (IsAlreadyNormal(domain))
        {
            return domain;
        }

        if (!TryNormalizeSlow(domain, out var normalized, out var error))
        {
            throw new ArgumentException(error, nameof(domain));
        }

        return normalized;
    }

    /// <summary>Normalises a domain name without throwing.</summary>
    /// <param name="domain">The name as given.</param>
    /// <param name="normalized">The lower-case A-label form, when valid.</param>
    /// <param name="error">Why the name was rejected, when invalid.</param>
    /// <returns><see langword="true"/> when the name is valid.</returns>
    public static bool TryNormalize(string? domain, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? error)
    {
        if (domain is null)
        {
            normalized = null;
            error = "The domain name is null.";
            return false;
        }

        if (IsAlreadyNormal(domain))
        {
            normalized = domain;
            error = null;
            return true;
        }

        return TryNormalizeSlow(domain, out normalized, out error);
    }

    /// <summary>
    /// The allocation-free fast path: a lower-case LDH name, no trailing dot, at least two labels, every label 1-63
    /// octets without a leading or trailing hyphen, no A-label (those go through IDNA, which checks their Punycode),
    /// a last label that is not all digits, 253 octets at most.
    /// </summary>
    private static bool IsAlreadyNormal(string name)
    {
        if (name.Length is 0 or > MaxNameLength)
        {
            return false;
        }

        var labelStart = 0;
        var labels = 0;
        var allDigits = true;
        for (var i = 0; i <= name.Length; i++)
        {
            var c = i < name.Length ? name[i] : '.';
            if (c == '.')
            {
                var length = i - labelStart;
                if (length is 0 or > MaxLabelLength || name[labelStart] == '-' || name[i - 1] == '-')
                {
                    return false;
                }

                if (length >= 4 && name[labelStart] == 'x' && name[labelStart + 1] == 'n' && name[labelStart + 2] == '-' && name[labelStart + 3] == '-')
                {
                    return false;
                }

                labels++;
                labelStart = i + 1;
                if (i < name.Length)
                {
                    allDigits = true;
                }
            }
            else if (c is >= 'a' and <= 'z' or '-')
            {
                allDigits = false;
            }
            else if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return labels >= 2 && !allDigits;
    }

    private static bool TryNormalizeSlow(string domain, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? error)
    {
        normalized = null;
        if (string.IsNullOrWhiteSpace(domain))
        {
            error = "The domain name is empty.";
            return false;
        }

        var shown = Show(domain);
        if (domain[0] == '[')
        {
            error = $"'{shown}' is an address literal; MTA-STS applies to domain names only (RFC 8461 §3.4).";
            return false;
        }

        if (domain.Contains(':', StringComparison.Ordinal))
        {
            error = IPAddress.TryParse(domain, out _)
                ? $"'{shown}' is an IP address literal; MTA-STS applies to domain names only (RFC 8461 §3.4)."
                : $"'{shown}' contains ':', which is not a letter, digit, hyphen or dot.";
            return false;
        }

        var name = domain.AsSpan();
        if (name[^1] == '.')
        {
            name = name[..^1];
        }

        if (Ascii.IsValid(name))
        {
            if (name.Length > MaxNameLength)
            {
                error = $"'{shown}' is longer than {MaxNameLength} octets.";
                return false;
            }

            error = CheckLdh(name, shown, domain);
            if (error is not null)
            {
                return false;
            }

            if (HasALabel(name))
            {
                // A-labels ("xn--"): let IDNA check the Punycode and canonicalise them.
                return TryIdna(name.ToString(), shown, domain, out normalized, out error);
            }

            normalized = ToLower(domain, name);
            return true;
        }

        // Unicode input. Mapping can drop characters (such as soft hyphens), so the A-label form is measured later;
        // this bound only keeps absurd input away from IDNA.
        if (name.Length > 4 * MaxNameLength)
        {
            error = $"'{shown}' is longer than {MaxNameLength} octets.";
            return false;
        }

        // Strip one trailing ideographic full stop too (UTS-46 maps it to '.').
        if (name.Length == domain.Length && name[^1] is '\u3002' or '\uFF0E' or '\uFF61')
        {
            name = name[..^1];
        }

        foreach (var c in name)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || (char.IsAscii(c) && !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '.'))
            {
                error = $"'{shown}' contains {DescribeChar(c)}, which is not a letter, digit, hyphen or dot.";
                return false;
            }
        }

        return TryIdna(name.ToString(), shown, domain, out normalized, out error);
    }

    private static bool TryIdna(string name, string shown, string original, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? error)
    {
        normalized = null;
        string ascii;
        try
        {
            ascii = Idn.GetAscii(name);
        }
        catch (ArgumentException)
        {
            error = DescribeIdnaFailure(name, shown);
            return false;
        }

        if (ascii.Length > 0 && ascii[^1] == '.')
        {
            error = $"'{shown}' has an empty label.";
            return false;
        }

        if (ascii.Length > MaxNameLength)
        {
            error = $"'{shown}' is longer than {MaxNameLength} octets in A-label form.";
            return false;
        }

        error = CheckLdh(ascii, shown, original);
        if (error is not null)
        {
            return false;
        }

        normalized = ToLower(original, ascii.AsSpan());
        return true;
    }

    /// <summary>Finds out, label by label, why IDNA refused a name (error path only, so allocations do not matter).</summary>
    private static string DescribeIdnaFailure(string name, string shown)
    {
        var labelStart = 0;
        var asciiLength = -1;
        for (var i = 0; i <= name.Length; i++)
        {
            if (i < name.Length && name[i] is not '.' and not '\u3002' and not '\uFF0E' and not '\uFF61')
            {
                continue;
            }

            var label = name[labelStart..i];
            labelStart = i + 1;
            if (label.Length == 0)
            {
                return $"'{shown}' has an empty label.";
            }

            if (label[0] == '-' || label[^1] == '-')
            {
                return $"'{shown}' has a label that begins or ends with a hyphen.";
            }

            string asciiLabel;
            try
            {
                asciiLabel = Idn.GetAscii(label);
            }
            catch (ArgumentException)
            {
                return label.StartsWith("xn--", StringComparison.OrdinalIgnoreCase)
                    ? $"'{shown}' has a label '{Show(label)}' that is not a valid A-label."
                    : $"'{shown}' has a label '{Show(label)}' that IDNA (UTS-46 with STD3 rules) refuses: a disallowed character, or longer than {MaxLabelLength} octets in A-label form.";
            }

            if (asciiLabel.Length > MaxLabelLength)
            {
                return $"'{shown}' has a label longer than {MaxLabelLength} octets in A-label form.";
            }

            asciiLength += asciiLabel.Length + 1;
        }

        return asciiLength > MaxNameLength
            ? $"'{shown}' is longer than {MaxNameLength} octets in A-label form."
            : $"'{shown}' is not a valid internationalised domain name (UTS-46 with STD3 rules).";
    }

    /// <summary>Checks an ASCII name (no trailing dot) against LDH rules; returns why it fails, or null.</summary>
    private static string? CheckLdh(ReadOnlySpan<char> name, string shown, string original)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '.')
            {
                return $"'{shown}' contains {DescribeChar(c)}, which is not a letter, digit, hyphen or dot.";
            }
        }

        var labelStart = 0;
        var labels = 0;
        var lastAllDigits = false;
        for (var i = 0; i <= name.Length; i++)
        {
            if (i < name.Length && name[i] != '.')
            {
                continue;
            }

            var label = name[labelStart..i];
            if (label.IsEmpty)
            {
                return $"'{shown}' has an empty label.";
            }

            if (label.Length > MaxLabelLength)
            {
                return $"'{shown}' has a label longer than {MaxLabelLength} octets.";
            }

            if (label[0] == '-' || label[^1] == '-')
            {
                return $"'{shown}' has a label '{Show(label.ToString())}' that begins or ends with a hyphen.";
            }

            lastAllDigits = CharScan.IsAllDigits(label);
            labels++;
            labelStart = i + 1;
        }

        if (labels < 2)
        {
            return IPAddress.TryParse(original, out _)
                ? $"'{shown}' is an IP address literal; MTA-STS applies to domain names only (RFC 8461 §3.4)."
                : $"'{shown}' is a single label; a policy domain has at least two labels.";
        }

        if (lastAllDigits)
        {
            return IPAddress.TryParse(name, out _)
                ? $"'{shown}' is an IP address literal; MTA-STS applies to domain names only (RFC 8461 §3.4)."
                : $"'{shown}' ends in an all-numeric label, which no top-level domain is.";
        }

        return null;
    }

    private static bool HasALabel(ReadOnlySpan<char> name)
    {
        var labelStart = 0;
        for (var i = 0; i <= name.Length; i++)
        {
            if (i == name.Length || name[i] == '.')
            {
                if (name[labelStart..i].StartsWith("xn--", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }

                labelStart = i + 1;
            }
        }

        return false;
    }

    /// <summary>Returns <paramref name="original"/> itself when it already equals the lower-cased name.</summary>
    private static string ToLower(string original, ReadOnlySpan<char> name)
    {
        if (name.Length == original.Length && !CharScan.HasAsciiUpper(name) && name.SequenceEqual(original))
        {
            return original;
        }

        // Callers have checked the length (at most 253), so the buffer stays small.
        Span<char> buffer = stackalloc char[name.Length];
        name.ToLowerInvariant(buffer);
        return new string(buffer);
    }

    private static string DescribeChar(char c) => DiagnosticText.Describe(c);

    /// <summary>A short, printable form of an untrusted name for error messages.</summary>
    private static string Show(string value) => DiagnosticText.Show(value);
}
