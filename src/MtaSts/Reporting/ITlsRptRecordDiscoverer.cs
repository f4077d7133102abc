namespace MtaSts;

/// <summary>Looks up a domain's TLS-RPT record at <c>_smtp._tls.&lt;domain&gt;</c> (RFC 8460 §3).</summary>
public interface ITlsRptRecordDiscoverer
{
    /// <summary>Looks up, or answers from the cache within the answer's TTL, the TLS-RPT record of a domain.</summary>
    /// <param name="domain">The recipient (policy) domain, normalised (<see cref="DomainName.Normalize"/>).</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>What was found; DNS problems are a <see cref="TlsRptRecordStatus.DnsFailure"/>, never thrown.</returns>
    Task<TlsRptDiscoveryResult> DiscoverAsync(string domain, CancellationToken cancellationToken = default);
}
