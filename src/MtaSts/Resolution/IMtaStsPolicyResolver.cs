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

    /// <summary>
    /// Resolves like <see cref="ResolveAsync"/>, but looks the TXT record up now even when a recent answer is still trusted,
    /// so a changed <c>id</c> is seen at once. This is the check RFC 8461 §5.1 requires before an <c>enforce</c> policy
    /// makes a delivery fail (decision A-20): <see cref="IDeliveryPlanner"/> calls it when no MX host passes the policy.
    /// Everything else (the cache, the back-off after a failed fetch) behaves as in <see cref="ResolveAsync"/>.
    /// </summary>
    /// <param name="domain">The policy domain, as for <see cref="ResolveAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the caller's wait; work shared with other callers goes on.</param>
    /// <returns>The resolution, with the TXT record as DNS gives it now.</returns>
    /// <exception cref="ArgumentException">The domain is not a usable domain name (checked before any network traffic).</exception>
    Task<MtaStsResolution> RecheckAsync(string domain, CancellationToken cancellationToken = default);
}
