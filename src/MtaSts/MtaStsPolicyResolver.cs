using Microsoft.Extensions.Logging;
using MtaSts.Diagnostics;
using MtaSts.Discovery;
using MtaSts.Fetching;

namespace MtaSts;

/// <summary>The MTA-STS policy resolver: discovery, strict fetch, parsing, and a <c>max_age</c>-aware cache keyed on the record id.</summary>
/// <remarks>
/// Without DI use <see cref="Create(MtaStsOptions?, ILoggerFactory?, TimeProvider?)"/>; with DI use
/// <c>services.AddMtaSts(...)</c>. One instance is meant to live as long as the process: it owns the cache.
/// </remarks>
public sealed class MtaStsPolicyResolver : IMtaStsPolicyResolver, IDisposable
{
    internal MtaStsPolicyResolver(
        IMtaStsRecordDiscoverer discoverer,
        IPolicyFetcher fetcher,
        MtaStsOptions options,
        TimeProvider timeProvider,
        ILogger logger,
        MtaStsMetrics metrics,
        IDisposable? ownedResources = null)
    {
        throw new NotImplementedException();
    }

    /// <summary>Builds a resolver and everything it needs, without dependency injection (console programs, PowerShell).</summary>
    /// <param name="options">Settings; validated as under DI. <see langword="null"/> means the defaults.</param>
    /// <param name="loggerFactory">Where to log; <see langword="null"/> means nowhere.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> means <see cref="TimeProvider.System"/>.</param>
    /// <returns>A resolver that owns its DNS client, HTTP client and cache. Dispose it when done.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are out of range.</exception>
    public static MtaStsPolicyResolver Create(MtaStsOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null) =>
        throw new NotImplementedException();

    /// <inheritdoc/>
    public Task<MtaStsResolution> ResolveAsync(string domain, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Releases the cache and, for a resolver made by <see cref="Create(MtaStsOptions?, ILoggerFactory?, TimeProvider?)"/>, its clients.</summary>
    public void Dispose() => throw new NotImplementedException();
}
