using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MtaSts;
using MtaSts.Dane;
using MtaSts.DependencyInjection;
using MtaSts.Diagnostics;
using MtaSts.Discovery;
using MtaSts.Fetching;

#pragma warning disable IDE0130 // Extension classes live where IServiceCollection does, as in dotnet/extensions.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers MtaSts in a service collection.</summary>
public static class MtaStsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IMtaStsPolicyResolver"/> and <see cref="IDeliveryPlanner"/> as singletons with validated
    /// <see cref="MtaStsOptions"/>, a named HTTP client from <c>IHttpClientFactory</c> (<see cref="HttpClientName"/>),
    /// <see cref="TimeProvider"/>, logging and metrics.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The options are checked by the same validator as <see cref="MtaStsPolicyResolver.Create(MtaStsOptions?, ILoggerFactory?, TimeProvider?)"/>,
    /// at start-up (<c>ValidateOnStart</c>) and again when the resolver is first built. The resolver works on a copy
    /// of the options taken then; later changes are not seen.
    /// </para>
    /// <para>
    /// <see cref="TimeProvider"/> defaults to <see cref="TimeProvider.System"/> (registered with <c>TryAdd</c>, so an
    /// application's own registration wins). <see cref="ILoggerFactory"/> and <see cref="IMeterFactory"/> are used when
    /// registered. Calling this method again only adds <paramref name="configure"/>; nothing is registered twice.
    /// </para>
    /// <para>
    /// The delivery planner uses the registered <see cref="IMtaStsPolicyResolver"/> (so both share one policy cache) and
    /// the same DNS client for its MX and TLSA lookups. Only the library's own resolver lets it re-check the TXT record
    /// at once before deferring under <c>enforce</c> (RFC 8461 §5.1); with an application's own resolver it asks that
    /// resolver again.
    /// </para>
    /// <para>
    /// The policy host handler is built by the library and is strict (TLS 1.2+, no redirects, certificate valid for
    /// <c>mta-sts.&lt;domain&gt;</c>). Message handlers may be added to the named client (for example a resilience
    /// handler), but must not bypass those rules.
    /// </para>
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; may be <see langword="null"/>.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddMtaSts(this IServiceCollection services, Action<MtaStsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<MtaStsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(static descriptor => descriptor.ServiceType == typeof(MtaStsRegistration)))
        {
            return services;
        }

        services.AddSingleton<MtaStsRegistration>();
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MtaStsOptions>, MtaStsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MtaStsSharedServices>();

        services.AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static provider =>
            {
                var shared = provider.GetRequiredService<MtaStsSharedServices>();
                return PolicyHttpHandlerFactory.Create(shared.Options, shared.HostAddresses);
            })
            .ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan) // the fetcher's pipeline owns the time budget
            .SetHandlerLifetime(HandlerLifetime);

        services.TryAddSingleton<IMtaStsPolicyResolver>(static provider => CreateResolver(provider));
        services.TryAddSingleton<IDeliveryPlanner>(static provider => CreatePlanner(provider));
        return services;
    }

    /// <summary>The name of the HTTP client used for policy fetches: <c>MtaSts.PolicyFetcher</c>.</summary>
    public const string HttpClientName = "MtaSts.PolicyFetcher";

    /// <summary>
    /// How long IHttpClientFactory keeps one primary handler. Policy fetches are rare (once per domain per refresh), and
    /// the handler itself recycles pooled connections so DNS changes are seen; a long lifetime avoids building new TLS
    /// handlers for nothing.
    /// </summary>
    internal static readonly TimeSpan HandlerLifetime = TimeSpan.FromMinutes(30);

    private static DeliveryPlanner CreatePlanner(IServiceProvider provider)
    {
        var shared = provider.GetRequiredService<MtaStsSharedServices>();
        var resolver = provider.GetRequiredService<IMtaStsPolicyResolver>();
        var timeProvider = provider.GetRequiredService<TimeProvider>();
        var loggerFactory = provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var metrics = new MtaStsMetrics(provider.GetService<IMeterFactory>());
        try
        {
            var query = new DnssecQuery(shared.Dns, shared.Options);
            return new DeliveryPlanner(
                resolver,
                new MxLookup(query, loggerFactory.CreateLogger<MxLookup>()),
                new TlsaLookup(query, shared.Options, loggerFactory.CreateLogger<TlsaLookup>()),
                shared.Options,
                timeProvider,
                loggerFactory.CreateLogger<DeliveryPlanner>(),
                metrics,
                ownedResources: metrics);
        }
        catch
        {
            metrics.Dispose();
            throw;
        }
    }

    private static MtaStsPolicyResolver CreateResolver(IServiceProvider provider)
    {
        var shared = provider.GetRequiredService<MtaStsSharedServices>();
        var timeProvider = provider.GetRequiredService<TimeProvider>();
        var loggerFactory = provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var httpClientFactory = provider.GetRequiredService<IHttpClientFactory>();
        var metrics = new MtaStsMetrics(provider.GetService<IMeterFactory>());
        try
        {
            var discoverer = new DnsRecordDiscoverer(shared.Dns, loggerFactory.CreateLogger<DnsRecordDiscoverer>());
            var fetcher = new PolicyFetcher(
                () => httpClientFactory.CreateClient(HttpClientName),
                shared.Options,
                timeProvider,
                loggerFactory.CreateLogger<PolicyFetcher>(),
                metrics);
            return new MtaStsPolicyResolver(
                discoverer,
                fetcher,
                shared.Options,
                timeProvider,
                loggerFactory.CreateLogger<MtaStsPolicyResolver>(),
                metrics,
                ownedResources: metrics);
        }
        catch
        {
            metrics.Dispose();
            throw;
        }
    }
}
