using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts;

/// <summary>
/// Settings of an <see cref="IMtaStsPolicyResolver"/> and a <see cref="DeliveryPlanner"/>, in groups: <see cref="Dns"/>,
/// <see cref="PolicyFetch"/>, <see cref="Cache"/>, <see cref="Dane"/>, <see cref="Delivery"/>. Defaults are secure; nothing
/// here can switch certificate validation off. Every range is checked in one place when a resolver or planner is built
/// (under dependency injection at start-up), and the built component keeps its own <see cref="Clone"/>, so later changes to
/// this instance do not reach it.
/// </summary>
/// <remarks>
/// Bound from configuration as nested sections, e.g. <c>MtaSts:Dns:Timeout</c> or <c>MtaSts:PolicyFetch:MaxConcurrentFetches</c>.
/// </remarks>
public sealed class MtaStsOptions
{
    /// <summary>How DNS is asked (servers, timeout, retries).</summary>
    public MtaStsDnsOptions Dns { get; private set; } = new();

    /// <summary>How policies are fetched (timeouts, retries, size, concurrency, which addresses may be reached).</summary>
    public MtaStsPolicyFetchOptions PolicyFetch { get; private set; } = new();

    /// <summary>What is remembered and for how long: memory bounds, TXT re-check clamps, back-off, refresh, the policy store.</summary>
    public MtaStsCacheOptions Cache { get; private set; } = new();

    /// <summary>DANE for delivery plans: on or off, trusted validating resolvers, mandatory DANE, MTA-STS on top.</summary>
    public MtaStsDaneOptions Dane { get; private set; } = new();

    /// <summary>How delivery plans describe MX hosts (SMTP port for TLSA names, non-public addresses).</summary>
    public MtaStsDeliveryOptions Delivery { get; private set; } = new();

    /// <summary>
    /// Extra root certificates trusted for the policy host, in addition to the platform's roots. For private test
    /// environments; the certificate must still be valid for <c>mta-sts.&lt;domain&gt;</c>. A delivery plan also passes
    /// them on for the PKIX check of MX hosts under MTA-STS (<see cref="CertificateRequirement.AdditionalTrustedRoots"/>).
    /// </summary>
    /// <value>The default is empty.</value>
    public X509Certificate2Collection AdditionalTrustedRoots { get; } = [];

    /// <summary>
    /// Local overrides per policy domain, for operators: force <c>enforce</c> on a domain that publishes <c>testing</c>,
    /// switch MTA-STS off for a domain whose policy is broken, or pin a static policy text. Keys are domain names, matched
    /// exactly after <see cref="DomainName.Normalize"/>. An override is visible on the resolution
    /// (<see cref="MtaStsResolution.Override"/>) and in the CLI's output.
    /// </summary>
    /// <value>The default is empty.</value>
    public IDictionary<string, MtaStsPolicyOverride> Overrides { get; } = new Dictionary<string, MtaStsPolicyOverride>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Events raised by the resolver: downgrade signals (decision S-5) and failed refreshes (RFC 8461 §3.3, §10.2).
    /// Handlers run synchronously on the resolving thread; a handler that throws is logged and does not affect the
    /// resolution. The instance is shared by copies of these options.
    /// </summary>
    public MtaStsEvents Events => _events;

    private MtaStsEvents _events = new();

    /// <summary>
    /// A deep copy: the groups and collections are copied (the certificates, the store and the override objects are
    /// shared, being immutable or owned by the caller), and <see cref="Events"/> stays shared, so handlers attached to
    /// either instance see the events of both.
    /// </summary>
    /// <returns>The copy.</returns>
    public MtaStsOptions Clone()
    {
        var copy = new MtaStsOptions
        {
            Dns = Dns.Clone(),
            PolicyFetch = PolicyFetch.Clone(),
            Cache = Cache.Clone(),
            Dane = Dane.Clone(),
            Delivery = Delivery.Clone(),
            _events = _events,
        };
        copy.AdditionalTrustedRoots.AddRange(AdditionalTrustedRoots);
        foreach (var (domain, rule) in Overrides)
        {
            copy.Overrides[domain] = rule;
        }

        return copy;
    }
}
