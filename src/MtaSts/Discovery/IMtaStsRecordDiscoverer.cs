namespace MtaSts.Discovery;

/// <summary>Looks up and selects the <c>_mta-sts</c> TXT record of a domain (RFC 8461 §3.1).</summary>
internal interface IMtaStsRecordDiscoverer
{
    /// <summary>Discovers the record of an already normalised domain. Never throws for DNS problems; only for cancellation.</summary>
    Task<DiscoveryResult> DiscoverAsync(string domain, CancellationToken cancellationToken);
}
