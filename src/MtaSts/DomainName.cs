namespace MtaSts;

/// <summary>Normalises and validates the domain names that enter the library.</summary>
/// <remarks>
/// Unicode or A-label input, any case, one optional trailing dot, becomes a lower-case A-label name (UTS-46 via
/// <see cref="System.Globalization.IdnMapping"/>). Empty names, IP and address literals, characters outside
/// letters, digits, hyphen and dot, empty labels, labels over 63 or names over 253 octets, and single-label names are
/// rejected before any network traffic, which also keeps attacker-chosen input from shaping the policy URL.
/// </remarks>
public static class DomainName
{
    /// <summary>Normalises a domain name.</summary>
    /// <param name="domain">The name as given.</param>
    /// <returns>The lower-case A-label form without a trailing dot. Returns the same instance when it is already normal.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="domain"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The name is not a usable domain name; the message says why.</exception>
    public static string Normalize(string domain) => throw new NotImplementedException();

    /// <summary>Normalises a domain name without throwing.</summary>
    /// <param name="domain">The name as given.</param>
    /// <param name="normalized">The lower-case A-label form, when valid.</param>
    /// <param name="error">Why the name was rejected, when invalid.</param>
    /// <returns><see langword="true"/> when the name is valid.</returns>
    public static bool TryNormalize(string? domain, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? normalized, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error) => throw new NotImplementedException();
}
