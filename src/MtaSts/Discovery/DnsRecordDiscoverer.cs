using DnsClient;
using Microsoft.Extensions.Logging;

namespace MtaSts.Discovery;

/// <summary>TXT discovery at <c>_mta-sts.&lt;domain&gt;</c> through DnsClient (RFC 8461 §3.1).</summary>
internal sealed class DnsRecordDiscoverer : IMtaStsRecordDiscoverer
{
    private readonly IDnsQuery _dns;
    private readonly ILogger _logger;

    public DnsRecordDiscoverer(IDnsQuery dns, ILogger logger)
    {
        _dns = dns;
        _logger = logger;
    }

    public Task<DiscoveryResult> DiscoverAsync(string domain, CancellationToken cancellationToken) => throw new NotImplementedException();
}
