using System.Globalization;
using System.Net;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Diagnostics;
using MtaSts.Dns;

namespace MtaSts.Dane;

/// <summary>
/// Finds the TLSA records of one MX host the way RFC 7672 §2.2.2 and §2.2.3 prescribe: addresses first, TLSA only when
/// the address answer is DNSSEC-secure, CNAME-expanded and original names as candidate base domains.
/// </summary>
/// <remarks>
/// <para>Steps, each checked against the rule it implements:</para>
/// <list type="number">
/// <item>An address literal is not a host name: DANE does not apply (DANE-2.2-g).</item>
/// <item>A and AAAA are looked up first (DANE-2.2.2-a). Any failure (SERVFAIL, bogus, timeout, malformed) makes the
/// host unusable now (DANE-2.2.2-e, DANE-2.1.2-d). No addresses: the host is unreachable (DANE-2.2.2-b).</item>
/// <item>If the resolver that answered is not trusted for DNSSEC, DANE is <see cref="DaneStatus.Unavailable"/>, never
/// assumed (DANE-2.1.1-e, -f).</item>
/// <item>Insecure address answer: if the name is not an alias, or its first CNAME is insecure, DANE does not apply and
/// no TLSA query is sent (DANE-2.2.2-c). If the first CNAME is secure (a separate CNAME query, DANE-2.1.3-d) and a
/// later step is insecure, only the original name is a candidate (DANE-2.2.2-d).</item>
/// <item>Secure address answer: the candidates are the fully expanded name and then the original name; intermediate
/// names never (DANE-2.2.3-a, -g).</item>
/// <item>For each candidate, TLSA at <c>_&lt;port&gt;._tcp.&lt;base&gt;</c> (DANE-2.2.3-b). A CNAME there is followed and
/// does not change the base domain (DANE-2.2.3-c, -e). A failure ends the search: the host is unusable
/// (DANE-2.1.2-d, PREC-b). A denial (secure or insecure) or an insecure RRset moves to the next candidate
/// (DANE-2.1.1-g). The first secure, non-empty RRset decides: <see cref="DaneStatus.Usable"/> if any record is usable,
/// else <see cref="DaneStatus.Unusable"/> (DANE-2.2-b, -c, DANE-2.2.3-d).</item>
/// <item>No candidate yields a secure RRset: <see cref="DaneStatus.NotApplicable"/> (DANE-2.2-d).</item>
/// </list>
/// <para>
/// The lookup goes ahead when the MX RRset was insecure (RFC 7672 §2.2.1 allows DANE for hosts of an insecure MX
/// RRset, DANE-2.2.1-g); the result carries <see cref="MxHostLookupResult.MxSecure"/> so that such a delivery is not
/// reported as secure delivery to the recipient domain.
/// </para>
/// </remarks>
internal sealed class MxHostLookup
{
    private readonly DnssecQuery _query;
    private readonly bool _enabled;
    private readonly string _portLabel;
    private readonly ILogger _logger;

    public MxHostLookup(IDnsQuery dns, MtaStsOptions options, ILogger? logger = null)
        : this(new DnssecQuery(dns, options), options, logger)
    {
    }

    public MxHostLookup(DnssecQuery query, MtaStsOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(options);
        _query = query;
        _enabled = options.Dane.Enabled;
        _portLabel = "_" + options.Delivery.SmtpPort.ToString(CultureInfo.InvariantCulture) + "._tcp.";
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Looks up the DANE status and addresses of one MX host.</summary>
    /// <param name="mxHost">The MX host name (from <see cref="MxLookup"/>, or the domain itself for an implicit MX).</param>
    /// <param name="mxSecure">Whether the MX RRset (or the denial behind an implicit MX) was DNSSEC-secure.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <exception cref="ArgumentException"><paramref name="mxHost"/> is empty, or a non-ASCII name that is not a valid IDN.</exception>
    public async Task<MxHostLookupResult> LookupAsync(string mxHost, bool mxSecure, CancellationToken cancellationToken = default)
    {
        var host = DnsNames.FromInput(mxHost, nameof(mxHost));
        var result = await LookupCoreAsync(host, mxSecure, cancellationToken).ConfigureAwait(false);
        if (result.Status == DaneStatus.LookupFailed)
        {
            Log.TlsaLookupFailed(_logger, host, result.Message);
        }
        else
        {
            Log.TlsaLookupCompleted(_logger, host, result.Status, result.BaseDomain, result.Records.Count, result.AddressSecure, result.Message);
        }

        return result;
    }

    private async Task<MxHostLookupResult> LookupCoreAsync(string host, bool mxSecure, CancellationToken cancellationToken)
    {
        if (DnsNames.IsAddressLiteral(host))
        {
            var literal = IPAddress.Parse(host.Trim('[', ']').Replace("ipv6:", string.Empty, StringComparison.OrdinalIgnoreCase));
            return new MxHostLookupResult(host, DaneStatus.NotApplicable, [], host, [literal], false, mxSecure, TimeSpan.Zero,
                "The MX host is an IP address, not a name: DANE does not apply (RFC 7672 §2.2).");
        }

        // 1. Addresses first (DANE-2.2.2-a).
        var aTask = _query.QueryAsync(host, QueryType.A, cancellationToken);
        var aaaaTask = _query.QueryAsync(host, QueryType.AAAA, cancellationToken);
        var a = await aTask.ConfigureAwait(false);
        var aaaa = await aaaaTask.ConfigureAwait(false);

        var failed = a.Kind == DnssecAnswerKind.Failed ? a : aaaa.Kind == DnssecAnswerKind.Failed ? aaaa : null;
        if (failed is not null)
        {
            return Failed(host, mxSecure, [], false, $"Address lookup failed: {failed.Error}. The host must not be used now (RFC 7672 §2.2.2).");
        }

        if (!TryReadAddresses(host, a, aaaa, out var expanded, out var aliased, out var addresses, out var ttl, out var problem))
        {
            return Failed(host, mxSecure, [], false, $"The address answer for {host} has {problem}.");
        }

        var addressSecure = a.Secure && aaaa.Secure;
        if (addresses.Count == 0)
        {
            return new MxHostLookupResult(host, DaneStatus.NotApplicable, [], host, [], addressSecure, mxSecure, ttl,
                $"{host} has no A or AAAA records: the host is unreachable (RFC 7672 §2.2.2).");
        }

        if (!_enabled)
        {
            return new MxHostLookupResult(host, DaneStatus.Unavailable, [], host, addresses, addressSecure, mxSecure, ttl,
                "DANE is switched off (MtaStsOptions.Dane.Enabled).");
        }

        // 2. Only a trusted resolver's AD bit counts (DANE-2.1.1-e, -f).
        var untrusted = !a.ResolverTrusted ? a : !aaaa.ResolverTrusted ? aaaa : null;
        if (untrusted is not null)
        {
            Log.UntrustedDnssecResolver(_logger, untrusted.Resolver ?? "(unknown)", host);
            return new MxHostLookupResult(host, DaneStatus.Unavailable, [], host, addresses, false, mxSecure, ttl,
                $"Resolver {untrusted.Resolver ?? "(unknown)"} is not trusted for DNSSEC (MtaStsOptions.Dane.TrustedResolvers): DANE is not assumed (RFC 7672 §2.1.1).");
        }

        // 3. Candidate base domains (DANE-2.2.2-c, -d; DANE-2.2.3-a).
        List<string> candidates;
        if (addressSecure)
        {
            candidates = aliased ? [expanded, host] : [host];
        }
        else if (!aliased)
        {
            return new MxHostLookupResult(host, DaneStatus.NotApplicable, [], host, addresses, false, mxSecure, ttl,
                $"The address records of {host} are not DNSSEC-secure: no TLSA lookup, DANE does not apply (RFC 7672 §2.2.2).");
        }
        else
        {
            // The chain is insecure somewhere; whether its first CNAME is secure takes a query of its own (DANE-2.1.3-d).
            var cname = await _query.QueryAsync(host, QueryType.CNAME, cancellationToken).ConfigureAwait(false);
            if (cname.Kind == DnssecAnswerKind.Failed)
            {
                return Failed(host, mxSecure, addresses, false, $"CNAME lookup failed: {cname.Error}. The host must not be used now (RFC 7672 §2.1.3).");
            }

            if (!cname.Secure || !cname.ResolverTrusted)
            {
                return new MxHostLookupResult(host, DaneStatus.NotApplicable, [], host, addresses, false, mxSecure, ttl,
                    $"{host} is an alias whose first CNAME is not DNSSEC-secure: no TLSA lookup, DANE does not apply (RFC 7672 §2.2.2).");
            }

            candidates = [host];
        }

        // 4. TLSA at each candidate, in order (DANE-2.2.3-b, -c, -d, -g).
        var notes = new List<string>(candidates.Count);
        foreach (var baseDomain in candidates)
        {
            var qname = _portLabel + baseDomain;
            var tlsa = await _query.QueryAsync(qname, QueryType.TLSA, cancellationToken).ConfigureAwait(false);
            if (tlsa.Kind == DnssecAnswerKind.Failed)
            {
                return Failed(host, mxSecure, addresses, addressSecure, $"TLSA lookup failed: {tlsa.Error}. The host must not be used now, whatever MTA-STS says (RFC 7672 §2.1.2).");
            }

            if (!tlsa.ResolverTrusted)
            {
                Log.UntrustedDnssecResolver(_logger, tlsa.Resolver ?? "(unknown)", host);
                return new MxHostLookupResult(host, DaneStatus.Unavailable, [], host, addresses, addressSecure, mxSecure, ttl,
                    $"Resolver {tlsa.Resolver ?? "(unknown)"} is not trusted for DNSSEC (MtaStsOptions.Dane.TrustedResolvers): DANE is not assumed (RFC 7672 §2.1.1).");
            }

            var chain = tlsa.FollowChain(qname, QueryType.TLSA);
            ttl = DnsTtl.Min(ttl, tlsa.TimeToLive(chain));
            if (tlsa.IsDenial)
            {
                notes.Add($"{qname}: {(tlsa.Kind == DnssecAnswerKind.NxDomain ? "NXDOMAIN" : "no TLSA records")} ({(tlsa.Secure ? "secure" : "insecure")} denial)");
                continue;
            }

            if (chain.Status != CnameChainStatus.Ok)
            {
                return Failed(host, mxSecure, addresses, addressSecure, $"The TLSA answer for {qname} has {chain.Problem}. The host must not be used now.");
            }

            var owner = chain.FinalName;
            var records = chain.Records.OfType<TlsaRecord>().ToList();
            if (!tlsa.Secure)
            {
                notes.Add($"{qname}: {records.Count} TLSA record(s), not DNSSEC-secure (ignored)");
                continue;
            }

            if (records.Count == 0)
            {
                notes.Add($"{qname}: secure answer without TLSA records");
                continue;
            }

            var associations = records.ConvertAll(r => new TlsaAssociation((byte)r.CertificateUsage, (byte)r.Selector, (byte)r.MatchingType, r.CertificateAssociationData.ToArray()));
            var usable = associations.Count(r => r.IsUsable);
            var status = usable > 0 ? DaneStatus.Usable : DaneStatus.Unusable;
            var what = usable > 0
                ? $"{usable} of {associations.Count} usable: TLS required and authenticated by DANE (RFC 7672 §2.2)"
                : $"none of {associations.Count} usable: TLS required, not authenticated (RFC 7672 §2.2)";
            var skipped = notes.Count > 0 ? " Before: " + string.Join("; ", notes) + "." : string.Empty;
            return new MxHostLookupResult(host, status, associations, baseDomain, addresses, addressSecure, mxSecure, ttl,
                $"Secure TLSA RRset at {qname}{(DnsNames.Equal(owner, qname) ? string.Empty : $" (through CNAME to {owner})")}, {what}.{skipped}");
        }

        return new MxHostLookupResult(host, DaneStatus.NotApplicable, [], host, addresses, addressSecure, mxSecure, ttl,
            $"No secure TLSA records: DANE does not apply (RFC 7672 §2.2). {string.Join("; ", notes)}.");
    }

    /// <summary>
    /// The canonical name, the addresses (in <see cref="AddressOrder"/>) and the TTL from the A and AAAA answers. The two
    /// must agree on the CNAME chain (they come from the same names); a disagreement or a broken chain is a malformed answer.
    /// </summary>
    private static bool TryReadAddresses(string host, DnssecAnswer a, DnssecAnswer aaaa, out string expanded, out bool aliased, out IReadOnlyList<IPAddress> addresses, out TimeSpan ttl, out string problem)
    {
        expanded = host;
        aliased = false;
        addresses = [];
        ttl = TimeSpan.Zero;
        problem = string.Empty;
        var v6 = aaaa.FollowChain(host, QueryType.AAAA);
        var v4 = a.FollowChain(host, QueryType.A);
        foreach (var chain in (ReadOnlySpan<CnameChainResult>)[v6, v4])
        {
            if (chain.Status != CnameChainStatus.Ok)
            {
                problem = chain.Problem;
                return false;
            }
        }

        if (v6.IsAliased && v4.IsAliased && v6.FinalName != v4.FinalName)
        {
            problem = $"CNAME chains that disagree between A and AAAA ({v4.FinalName}, {v6.FinalName})";
            return false;
        }

        aliased = v6.IsAliased || v4.IsAliased;
        expanded = v6.IsAliased ? v6.FinalName : v4.IsAliased ? v4.FinalName : host;
        addresses = AddressOrder.Interleave(Addresses(v6), Addresses(v4));
        ttl = DnsTtl.Min(a.TimeToLive(v4), aaaa.TimeToLive(v6));
        return true;
    }

    private static IEnumerable<IPAddress?> Addresses(CnameChainResult chain) => chain.Records.OfType<AddressRecord>().Select(r => r.Address);

    private static MxHostLookupResult Failed(string host, bool mxSecure, IReadOnlyList<IPAddress> addresses, bool addressSecure, string message) =>
        new(host, DaneStatus.LookupFailed, [], host, addresses, addressSecure, mxSecure, TimeSpan.Zero, message);
}
