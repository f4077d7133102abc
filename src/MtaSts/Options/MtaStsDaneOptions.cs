using System.Net;

namespace MtaSts;

/// <summary>DANE (RFC 7672) for delivery plans: whether it is looked up, whose DNSSEC verdict is believed, where it is mandatory. Part of <see cref="MtaStsOptions"/> (<see cref="MtaStsOptions.Dane"/>).</summary>
public sealed class MtaStsDaneOptions
{
    /// <summary>
    /// Whether DANE (RFC 7672) is looked up for MX hosts. When <see langword="false"/>, no TLSA query is sent and DANE is
    /// reported as <see cref="DaneStatus.Unavailable"/>, so MTA-STS alone decides.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The resolvers whose DNSSEC verdict (the AD bit) is believed. DnsClient does not validate DNSSEC itself, so DANE
    /// relies on a validating resolver, and RFC 4035 §4.9.3 allows that only over a secure channel to a trusted
    /// resolver (RFC 7672 §2.1.1). Answers from any other resolver count as insecure, and DANE is then reported as
    /// <see cref="DaneStatus.Unavailable"/>, never assumed. When empty, the loopback addresses (<c>127.0.0.0/8</c>,
    /// <c>::1</c>) are trusted, i.e. a validating resolver on the same host; when not empty, exactly the listed addresses
    /// are trusted (list <c>127.0.0.1</c> too if it should stay trusted). A loopback resolver is only worth trusting if it
    /// validates: systemd-resolved's stub at <c>127.0.0.53</c>, for one, validates only when configured with
    /// <c>DNSSEC=yes</c>; point <see cref="MtaStsDnsOptions.NameServers"/> at a validating resolver such as unbound on the host.
    /// </summary>
    /// <value>The default is empty (loopback resolvers only).</value>
    public IList<IPAddress> TrustedResolvers { get; } = new List<IPAddress>();

    /// <summary>
    /// Whether an MX host that DANE authenticates (a usable, DNSSEC-secure TLSA RRset) must also pass the MTA-STS
    /// <c>enforce</c> MX-name check. By default DANE alone decides for such a host (DANE first, decision A-13).
    /// When <see langword="true"/>, a DANE host whose name matches none of the <c>mx</c> patterns of an <c>enforce</c>
    /// policy is skipped (temporarily), as it would be without DANE; the certificate is still authenticated by DANE only.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool RequireMtaSts { get; set; }

    /// <summary>
    /// Recipient domains for which DANE is mandatory (RFC 7672 §2.2, §6): mail to them goes only over a DANE-authenticated
    /// channel, never by MTA-STS or opportunistic TLS alone. For such a domain a <see cref="DeliveryPlanner"/> defers
    /// delivery when the MX RRset (or the denial behind an implicit MX) is not DNSSEC-secure (RFC 7672 §2.2.1), and skips,
    /// for now, every MX host without a usable, DNSSEC-secure TLSA RRset (a secure RRset whose records are all unusable
    /// is not enough), with the RFC 8460 result type <c>dane-required</c>. Hosts with usable TLSA records are used as
    /// usual. Entries are domain names, matched exactly after <see cref="DomainName.Normalize"/> (any case, Unicode or
    /// A-label, one optional trailing dot); a subdomain is not covered by its parent. Requires
    /// <see cref="MtaStsDaneOptions.Enabled"/>, and a trusted validating resolver (<see cref="MtaStsDaneOptions.TrustedResolvers"/>), or mail to
    /// these domains is never sent.
    /// </summary>
    /// <value>The default is empty (DANE is used where published, never required).</value>
    public IList<string> RequiredDomains { get; } = new List<string>();

    /// <summary>A deep copy: later changes to either side do not reach the other.</summary>
    /// <returns>The copy.</returns>
    internal MtaStsDaneOptions Clone()
    {
        var copy = new MtaStsDaneOptions
        {
            Enabled = Enabled,
            RequireMtaSts = RequireMtaSts,
        };

        foreach (var item in TrustedResolvers)
        {
            copy.TrustedResolvers.Add(item);
        }

        foreach (var item in RequiredDomains)
        {
            copy.RequiredDomains.Add(item);
        }

        return copy;
    }
}
