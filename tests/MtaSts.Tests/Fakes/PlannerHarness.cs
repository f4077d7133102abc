using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using MtaSts.Dane;
using MtaSts.Dns;
using static MtaSts.Tests.Fakes.DaneFakeDns;

namespace MtaSts.Tests.Fakes;

/// <summary>
/// A planner over a scripted DNS (<see cref="DaneFakeDns"/>, also used for the MX and TLSA lookups) and the real MTA-STS
/// resolver with a fake discoverer and fetcher (<see cref="ResolverHarness"/>), all on one fake clock.
/// </summary>
internal sealed class PlannerHarness : IDisposable
{
    public const string Domain = "example.test";
    public const string Mx1 = "mx1.example.test";
    public const string Mx2 = "mx2.example.test";

    public PlannerHarness(Action<MtaStsOptions>? configure = null, bool nullLogger = false, ILogger? plannerLogger = null)
    {
        Sts = new ResolverHarness(configure, nullLogger);
        Dns = new DaneFakeDns();
        var query = new DnssecQuery(Dns, Options);
        Planner = new DeliveryPlanner(
            Sts.Resolver,
            new MxLookup(query),
            new MxHostLookup(query, Options),
            Options,
            Time,
            plannerLogger ?? (nullLogger ? NullLogger.Instance : Logger),
            Sts.Metrics);
    }

    public ResolverHarness Sts { get; }

    public DaneFakeDns Dns { get; }

    public FakeLogger Logger { get; } = new();

    public DeliveryPlanner Planner { get; }

    public MtaStsOptions Options => Sts.Options;

    public FakeTimeProvider Time => Sts.Time;

    public static string TlsaName(string host) => "_25._tcp." + host;

    public Task<DeliveryPlan> PlanAsync(string domain = Domain, CancellationToken cancellationToken = default) =>
        Planner.PlanDeliveryAsync(domain, cancellationToken);

    // ---- DNS ---------------------------------------------------------------------------------------------------------

    /// <summary>An MX RRset for <see cref="Domain"/> (answer order as given).</summary>
    public PlannerHarness Mx(bool secure, params (ushort Preference, string Host)[] hosts) =>
        MxFor(Domain, secure, ttl: 300, hosts);

    public PlannerHarness MxFor(string domain, bool secure, int ttl, params (ushort Preference, string Host)[] hosts)
    {
        Dns.Answer(domain, QueryType.MX, secure, hosts.Select(h => (DnsResourceRecord)DaneFakeDns.Mx(domain, h.Preference, h.Host + ".", ttl)).ToArray());
        return this;
    }

    /// <summary>A host with DNSSEC-secure addresses and the given secure TLSA records (none: a secure NXDOMAIN for the TLSA name).</summary>
    public PlannerHarness DaneHost(string host, params TlsaRecord[] tlsa) => DaneHost(host, ttl: 300, tlsa);

    public PlannerHarness DaneHost(string host, int ttl, params TlsaRecord[] tlsa)
    {
        SecureAddresses(host, ttl);
        if (tlsa.Length == 0)
        {
            Dns.NxDomain(TlsaName(host), QueryType.TLSA, ad: true);
        }
        else
        {
            Dns.Answer(TlsaName(host), QueryType.TLSA, ad: true, tlsa);
        }

        return this;
    }

    /// <summary>A host whose addresses are not DNSSEC-secure: DANE does not apply, no TLSA query is sent.</summary>
    public PlannerHarness PlainHost(string host, int ttl = 300)
    {
        Dns.Answer(host, QueryType.A, ad: false, A(host, "192.0.2.10", ttl));
        Dns.NoData(host, QueryType.AAAA, ad: false);
        return this;
    }

    /// <summary>A host with secure addresses whose TLSA query fails (SERVFAIL: what a validating resolver says for bogus data).</summary>
    public PlannerHarness TlsaFails(string host)
    {
        SecureAddresses(host, 300);
        Dns.Fail(TlsaName(host), QueryType.TLSA);
        return this;
    }

    public PlannerHarness SecureAddresses(string host, int ttl = 300)
    {
        Dns.Answer(host, QueryType.A, ad: true, A(host, "192.0.2.25", ttl));
        Dns.Answer(host, QueryType.AAAA, ad: true, Aaaa(host, "2001:db8::25", ttl));
        return this;
    }

    /// <summary>A usable DANE-EE record (3 1 1) for a host.</summary>
    public static TlsaRecord DaneEe(string host, byte fill = 0xAB, int ttl = 300) => Tlsa311(TlsaName(host), fill, ttl);

    /// <summary>A usable DANE-TA record (2 0 1) for a host.</summary>
    public static TlsaRecord DaneTa(string host, byte fill = 0xCD) => Tlsa(TlsaName(host), 2, 0, 1, Enumerable.Repeat(fill, 32).ToArray());

    /// <summary>An unusable record for SMTP (PKIX-EE, 1 1 1).</summary>
    public static TlsaRecord PkixEe(string host) => Tlsa(TlsaName(host), 1, 1, 1, new byte[32]);

    public int AskedCount(QueryType type) => Dns.Asked.Count(q => q.Type == type);

    // ---- MTA-STS -----------------------------------------------------------------------------------------------------

    public void Publish(string mode, string id = "id1", params string[] mx) =>
        Sts.Publish(id, ResolverHarness.Policy(mode, 604800, mx));

    public IReadOnlyList<FakeLogRecord> LogsWithId(int eventId) =>
        Logger.Collector.GetSnapshot().Where(record => record.Id.Id == eventId).ToList();

    public void Dispose()
    {
        Planner.Dispose();
        Sts.Dispose();
    }
}
