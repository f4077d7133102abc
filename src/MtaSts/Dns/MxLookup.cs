using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Diagnostics;

namespace MtaSts.Dns;

/// <summary>
/// The MX lookup of a recipient domain with the DO bit, noting whether the answer is DNSSEC-secure
/// (RFC 7672 §2.2.1; RFC 5321 §5.1 for the implicit MX; RFC 7505 for the null MX).
/// </summary>
internal sealed class MxLookup
{
    private readonly DnssecQuery _query;
    private readonly ILogger _logger;

    public MxLookup(IDnsQuery dns, MtaStsOptions options, ILogger? logger = null)
        : this(new DnssecQuery(dns, options), logger)
    {
    }

    public MxLookup(DnssecQuery query, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        _query = query;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Looks up the MX hosts of <paramref name="domain"/>.</summary>
    /// <param name="domain">The recipient domain (U-labels or A-labels, any case, optional trailing dot).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <exception cref="ArgumentException"><paramref name="domain"/> is empty, an address literal, or not a valid IDN.</exception>
    public async Task<MxLookupResult> LookupAsync(string domain, CancellationToken cancellationToken = default)
    {
        var name = DnsNames.FromInput(domain, nameof(domain));
        if (DnsNames.IsAddressLiteral(name))
        {
            throw new ArgumentException($"'{domain}' is an address literal, which has no MX records.", nameof(domain));
        }

        var answer = await _query.QueryAsync(name, QueryType.MX, cancellationToken).ConfigureAwait(false);
        var result = Interpret(name, answer);
        if (result.Status == MxLookupStatus.Failed)
        {
            Log.MxLookupFailed(_logger, name, result.Message);
        }
        else
        {
            Log.MxLookupCompleted(_logger, name, result.Status, result.Secure, result.Hosts.Count, result.Message);
        }

        return result;
    }

    private static MxLookupResult Interpret(string name, DnssecAnswer answer)
    {
        var trusted = answer.ResolverTrusted;
        var secure = answer.Secure;
        var chain = answer.FollowChain(name, QueryType.MX);
        var ttl = answer.TimeToLive(chain);
        var security = secure ? "DNSSEC-secure" : trusted ? "insecure (no AD bit)" : $"insecure (resolver {answer.Resolver} is not trusted for DNSSEC)";

        switch (answer.Kind)
        {
            case DnssecAnswerKind.Failed:
                // DANE-2.1.2-a, PREC-d: a failed or bogus MX lookup leaves the servers unknown; delay.
                return new MxLookupResult(name, MxLookupStatus.Failed, false, trusted, [], TimeSpan.Zero, $"MX lookup failed: {answer.Error}. Delivery must be delayed.");

            case DnssecAnswerKind.NxDomain:
                return new MxLookupResult(name, MxLookupStatus.DomainNotFound, secure, trusted, [], ttl, $"{name} does not exist (NXDOMAIN, {security}).");

            case DnssecAnswerKind.NoData:
                return Implicit(name, secure, trusted, ttl, security);
        }

        if (chain.Status != CnameChainStatus.Ok)
        {
            return new MxLookupResult(name, MxLookupStatus.Failed, false, trusted, [], TimeSpan.Zero, $"MX answer for {name} has {chain.Problem}. Delivery must be delayed.");
        }

        var target = chain.FinalName;
        var records = chain.Records.OfType<MxRecord>().ToList();
        var via = chain.IsAliased ? $" (through CNAME to {target})" : string.Empty;
        if (records.Count == 0)
        {
            // A CNAME chain whose end has no MX RRset: the recipient domain gets the implicit MX (A-15: the domain itself).
            return Implicit(name, secure, trusted, ttl, security + via);
        }

        var nullMx = records.FindAll(r => DnsNames.FromWire(r.Exchange.Value).Length == 0);
        if (nullMx.Count == records.Count)
        {
            return new MxLookupResult(name, MxLookupStatus.NullMx, secure, trusted, [], ttl, $"{name} publishes the null MX (RFC 7505): it accepts no mail ({security}{via}).");
        }

        // Stable sort: equal preferences keep the answer's order (DANE-2.2.1-b, -c). A host listed twice keeps its best
        // preference. A null MX mixed with real hosts is a publishing error (RFC 7505 §3); the real hosts are used.
        var hosts = new List<MxHost>(records.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal) { string.Empty };
        foreach (var record in records.OrderBy(r => r.Preference))
        {
            var host = DnsNames.FromWire(record.Exchange.Value);
            if (seen.Add(host))
            {
                hosts.Add(new MxHost(host, record.Preference));
            }
        }

        var note = nullMx.Count > 0 ? " A null MX listed next to real hosts was ignored (RFC 7505 §3)." : string.Empty;
        return new MxLookupResult(name, MxLookupStatus.Found, secure, trusted, hosts, ttl, $"{hosts.Count} MX host(s), {security}{via}.{note}", target);
    }

    private static MxLookupResult Implicit(string name, bool secure, bool trusted, TimeSpan ttl, string security) =>
        new(name, MxLookupStatus.ImplicitMx, secure, trusted, [new MxHost(name, 0)], ttl, $"{name} has no MX records: the domain itself is the implicit MX (RFC 5321 §5.1; {security}).");
}
