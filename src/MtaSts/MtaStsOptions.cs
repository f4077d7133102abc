using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts;

/// <summary>Settings of an <see cref="IMtaStsPolicyResolver"/>. Defaults are secure; nothing here can switch certificate validation off.</summary>
public sealed class MtaStsOptions
{
    /// <summary>The DNS servers to ask. Empty means the system's (from <c>/etc/resolv.conf</c> on Linux).</summary>
    /// <value>The default is empty.</value>
    public IList<IPEndPoint> NameServers { get; } = new List<IPEndPoint>();

    /// <summary>
    /// Extra root certificates trusted for the policy host, in addition to the platform's roots. For private test
    /// environments; the certificate must still be valid for <c>mta-sts.&lt;domain&gt;</c>. A delivery plan also passes
    /// them on for the PKIX check of MX hosts under MTA-STS (<see cref="CertificateRequirement.AdditionalTrustedRoots"/>).
    /// </summary>
    /// <value>The default is empty.</value>
    public X509Certificate2Collection AdditionalTrustedRoots { get; } = [];

    /// <summary>How long to wait for one DNS answer.</summary>
    /// <value>The default is 5 seconds; allowed 100 ms to 1 minute.</value>
    public TimeSpan DnsTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times a DNS query is retried after a timeout.</summary>
    /// <value>The default is 2; allowed 0 to 5.</value>
    public int DnsRetries { get; set; } = 2;

    /// <summary>The total time allowed for fetching a policy, retries included (RFC 8461 §3.3 suggests one minute).</summary>
    /// <value>The default is 60 seconds; allowed 1 second to 5 minutes.</value>
    public TimeSpan PolicyFetchTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The time allowed for one TCP connection to the policy host.</summary>
    /// <value>The default is 10 seconds; allowed 100 ms to 1 minute.</value>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a transient fetch failure (refused or reset connection, 5xx, timeout) is retried within <see cref="PolicyFetchTimeout"/>.</summary>
    /// <value>The default is 2; allowed 0 to 5.</value>
    public int PolicyFetchRetries { get; set; } = 2;

    /// <summary>The largest policy body accepted, in bytes; reading stops as soon as it is crossed (decision A-24).</summary>
    /// <value>The default is 65536; allowed 1024 to 1048576.</value>
    public int MaxPolicyBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The TCP port of the policy host. Only test environments change it; the URL and SNI stay <c>https://mta-sts.&lt;domain&gt;/</c>.</summary>
    /// <value>The default is 443.</value>
    public int PolicyHostPort { get; set; } = 443;

    /// <summary>
    /// Whether policy hosts may be reached at non-public addresses: loopback (127.0.0.0/8, ::1), private (RFC 1918),
    /// shared (100.64.0.0/10, RFC 6598), link-local (169.254.0.0/16, fe80::/10) and unique-local (fc00::/7) addresses,
    /// and their IPv4-mapped IPv6 forms.
    /// </summary>
    /// <remarks>
    /// The recipient domain names its policy host, so without this check any domain could point a sender's fetcher at
    /// the sender's internal network (server-side request forgery). A refused address is never connected to; when no
    /// address of the host is left, the fetch fails as <see cref="MtaStsFailure.PolicyFetchError"/> with reason code
    /// <c>address-not-allowed</c>. Turn this on only for test environments (the test kit does) and private
    /// deployments whose policy hosts live on such networks. Unspecified (0.0.0.0, ::), multicast, broadcast and
    /// reserved (240.0.0.0/4) addresses are refused whatever this says.
    /// </remarks>
    /// <value>The default is <see langword="false"/>.</value>
    public bool AllowPrivatePolicyHostAddresses { get; set; }

    /// <summary>
    /// Whether a <see cref="DeliveryPlanner"/> leaves non-public addresses out of <see cref="MxDecision.Addresses"/>:
    /// unspecified, multicast, broadcast and reserved addresses, and the loopback, private, shared, link-local and
    /// unique-local addresses that <see cref="AllowPrivatePolicyHostAddresses"/> describes. A host left without
    /// addresses is skipped for now, with the reason in <see cref="MxDecision.Reasons"/>.
    /// </summary>
    /// <remarks>
    /// Off by default, because many MTAs deliver to MX hosts on internal networks on purpose. Turn it on for a sender
    /// that only delivers to the public Internet, so a recipient domain cannot steer it to internal hosts.
    /// </remarks>
    /// <value>The default is <see langword="false"/>.</value>
    public bool ExcludeNonPublicMxAddresses { get; set; }

    /// <summary>
    /// Whether the policy host's addresses are looked up through the same DNS client (and <see cref="NameServers"/>) as the
    /// TXT record, so both see one DNS view. When <see langword="false"/>, the operating system resolves it.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool ResolvePolicyHostWithNameServers { get; set; } = true;

    /// <summary>
    /// The most domains kept in the in-memory cache; a <see cref="DeliveryPlanner"/> also keeps at most this many plans
    /// and as many MX hosts.
    /// </summary>
    /// <value>The default is 10000; allowed 1 to 10000000.</value>
    public int MaxCachedDomains { get; set; } = 10_000;

    /// <summary>The shortest time a TXT answer is trusted before it is looked up again (a lower clamp on its DNS TTL).</summary>
    /// <value>The default is 10 seconds; allowed 0 to 1 day.</value>
    public TimeSpan MinRecordRecheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest time a TXT answer is trusted before it is looked up again (an upper clamp on its DNS TTL).</summary>
    /// <value>The default is 1 hour; allowed 0 to 1 day.</value>
    public TimeSpan MaxRecordRecheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>After a failed fetch for a (domain, id), how long before the next attempt (RFC 8461 §3.3: at least 5 minutes).</summary>
    /// <value>The default is 5 minutes; allowed 5 minutes to 1 day.</value>
    public TimeSpan FailedFetchBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A cached policy older than this, or older than half its <c>max_age</c> if that comes first, is fetched again even
    /// when the TXT id is unchanged (RFC 8461 §3.3, §10.2: refresh before expiry). The lifetime restarts only on a
    /// successful fetch (decision A-11); a failed refresh keeps the cached policy.
    /// </summary>
    /// <value>The default is 1 day; allowed 1 minute to 365 days.</value>
    public TimeSpan RefreshAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Whether DANE (RFC 7672) is looked up for MX hosts. When <see langword="false"/>, no TLSA query is sent and DANE is
    /// reported as <see cref="DaneStatus.Unavailable"/>, so MTA-STS alone decides.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool DaneEnabled { get; set; } = true;

    /// <summary>
    /// The TCP port of the SMTP servers, which names the TLSA records looked up: <c>_&lt;port&gt;._tcp.&lt;host&gt;</c>
    /// (RFC 7672 §2.2.3). Change it only when the servers really listen elsewhere (test environments).
    /// </summary>
    /// <value>The default is 25; allowed 1 to 65535.</value>
    public int SmtpPort { get; set; } = 25;

    /// <summary>
    /// The resolvers whose DNSSEC verdict (the AD bit) is believed. DnsClient does not validate DNSSEC itself, so DANE
    /// relies on a validating resolver, and RFC 4035 §4.9.3 allows that only over a secure channel to a trusted
    /// resolver (RFC 7672 §2.1.1). Answers from any other resolver count as insecure, and DANE is then reported as
    /// <see cref="DaneStatus.Unavailable"/>, never assumed. When empty, the loopback addresses (<c>127.0.0.0/8</c>,
    /// <c>::1</c>) are trusted, i.e. a validating resolver on the same host; when not empty, exactly the listed addresses
    /// are trusted (list <c>127.0.0.1</c> too if it should stay trusted). A loopback resolver is only worth trusting if it
    /// validates: systemd-resolved's stub at <c>127.0.0.53</c>, for one, validates only when configured with
    /// <c>DNSSEC=yes</c>; point <see cref="NameServers"/> at a validating resolver such as unbound on the host.
    /// </summary>
    /// <value>The default is empty (loopback resolvers only).</value>
    public IList<IPAddress> TrustedDnssecResolvers { get; } = new List<IPAddress>();

    /// <summary>
    /// Whether an MX host that DANE authenticates (a usable, DNSSEC-secure TLSA RRset) must also pass the MTA-STS
    /// <c>enforce</c> MX-name check. By default DANE alone decides for such a host (decision A-13, DANE first): MTA-STS is
    /// not consulted, because a failed DANE check is never rescued by MTA-STS and a passing one needs no help from it.
    /// When <see langword="true"/>, a DANE host whose name matches none of the <c>mx</c> patterns of an <c>enforce</c>
    /// policy is skipped (temporarily), as it would be without DANE; the certificate is still authenticated by DANE only.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool RequireMtaStsWithDane { get; set; }

    /// <summary>
    /// Recipient domains for which DANE is mandatory (RFC 7672 §2.2, §6): mail to them goes only over a DANE-authenticated
    /// channel, never by MTA-STS or opportunistic TLS alone. For such a domain a <see cref="DeliveryPlanner"/> defers
    /// delivery when the MX RRset (or the denial behind an implicit MX) is not DNSSEC-secure (RFC 7672 §2.2.1), and skips,
    /// for now, every MX host without a usable, DNSSEC-secure TLSA RRset (a secure RRset whose records are all unusable
    /// is not enough), with the RFC 8460 result type <c>dane-required</c>. Hosts with usable TLSA records are used as
    /// usual. Entries are domain names, matched exactly after <see cref="DomainName.Normalize"/> (any case, Unicode or
    /// A-label, one optional trailing dot); a subdomain is not covered by its parent. Requires
    /// <see cref="DaneEnabled"/>, and a trusted validating resolver (<see cref="TrustedDnssecResolvers"/>), or mail to
    /// these domains is never sent.
    /// </summary>
    /// <value>The default is empty (DANE is used where published, never required).</value>
    public IList<string> DaneRequiredDomains { get; } = new List<string>();

    /// <summary>
    /// The policy memory beyond this process (decisions S-1 … S-5): read when memory has nothing for a domain and before
    /// every fetch, written after every fetch, so a restart or another node of a fleet applies what was learnt even while
    /// DNS or the policy host is unreachable. Built in: <see cref="FilePolicyStore"/>; a Redis store comes with the
    /// <c>MtaSts.Redis</c> package. Under dependency injection a store registered with the builder
    /// (<c>AddFileStore</c>, <c>AddRedisStore</c>, <c>AddPolicyStore</c>) takes precedence. The caller owns the store.
    /// </summary>
    /// <value>The default is <see langword="null"/> (memory only).</value>
    public IMtaStsPolicyStore? PolicyStore { get; set; }

    /// <summary>
    /// The most time one policy store operation may take (decision S-2). A store that errors, returns something unusable,
    /// or does not answer in time is skipped for that resolution with a warning and a metric; it never fails a resolution.
    /// </summary>
    /// <value>The default is 250 ms; allowed 10 ms to 10 seconds.</value>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The most policy fetches in flight at once, across all domains, so a burst of new domains cannot open unbounded
    /// connections (each fetch in flight holds one TLS connection and its buffers). Further fetches wait for a free slot;
    /// the fetch timeout starts when the fetch does.
    /// </summary>
    /// <value>The default is 64; allowed 1 to 10000.</value>
    public int MaxConcurrentPolicyFetches { get; set; } = 64;

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

    /// <summary>Makes a copy share this instance's <see cref="Events"/>.</summary>
    internal void ShareEvents(MtaStsEvents events) => _events = events;
}
