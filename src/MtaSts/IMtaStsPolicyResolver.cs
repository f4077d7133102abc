namespace MtaSts;

/// <summary>Resolves the MTA-STS policy of a recipient domain as RFC 8461 requires: discovery, fetch, parse, cache.</summary>
public interface IMtaStsPolicyResolver
{
    /// <summary>Resolves the policy that applies to a policy domain now.</summary>
    /// <param name="domain">
    /// The policy domain: the recipient domain as given (not CNAME-expanded), or the configured smart host's domain
    /// (RFC 8461 §3.4, decision A-12). Unicode or A-label, any case, optional trailing dot.
    /// </param>
    /// <param name="cancellationToken">Cancels the caller's wait; work shared with other callers goes on.</param>
    /// <returns>The resolution. Protocol failures are values on it, never exceptions.</returns>
    /// <exception cref="ArgumentException">The domain is not a usable domain name (checked before any network traffic).</exception>
    Task<MtaStsResolution> ResolveAsync(string domain, CancellationToken cancellationToken = default);
}
