using Microsoft.Extensions.Logging;
using MtaSts.Diagnostics;

namespace MtaSts.Fetching;

/// <summary>The strict HTTPS GET of RFC 8461 §3.3 with Polly retries for transient faults inside the time budget.</summary>
internal sealed class PolicyFetcher : IPolicyFetcher
{
    private readonly Func<HttpClient> _clientFactory;
    private readonly MtaStsOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly MtaStsMetrics _metrics;

    public PolicyFetcher(Func<HttpClient> clientFactory, MtaStsOptions options, TimeProvider timeProvider, ILogger logger, MtaStsMetrics metrics)
    {
        _clientFactory = clientFactory;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = metrics;
    }

    public Task<PolicyFetchResult> FetchAsync(string domain, CancellationToken cancellationToken) => throw new NotImplementedException();
}
