using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MtaSts;
using MtaSts.DependencyInjection;
using MtaSts.Fetching;

#pragma warning disable IDE0130 // Extension classes live where IServiceCollection does, as in dotnet/extensions.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers MtaSts in a service collection.</summary>
public static class MtaStsServiceCollectionExtensions
{
    /// <summary>The name of the HTTP client used for policy fetches: <c>MtaSts.PolicyFetcher</c>.</summary>
    public const string HttpClientName = "MtaSts.PolicyFetcher";

    /// <summary>
    /// How long IHttpClientFactory keeps one primary handler. Policy fetches are rare (once per domain per refresh), and
    /// the handler itself recycles pooled connections so DNS changes are seen; a long lifetime avoids building new TLS
    /// handlers for nothing.
    /// </summary>
    internal static readonly TimeSpan HandlerLifetime = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Registers <see cref="IMtaStsPolicyResolver"/> and <see cref="IDeliveryPlanner"/> as singletons with validated
    /// <see cref="MtaStsOptions"/>, a named HTTP client from <c>IHttpClientFactory</c> (<see cref="HttpClientName"/>),
    /// <see cref="TimeProvider"/>, logging and metrics; the returned builder adds a policy store
    /// (<see cref="MtaStsBuilderExtensions.AddFileStore"/>, <c>AddRedisStore</c> from <c>MtaSts.Redis</c>) and the
    /// <see cref="PolicyRefresher"/> (<see cref="MtaStsBuilderExtensions.AddPolicyRefresher"/>).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The graph is built by the same composition root as <see cref="MtaStsPolicyResolver.Create(MtaStsOptions?, ILoggerFactory?, TimeProvider?)"/>,
    /// and the options are checked by the same validator, at start-up (<c>ValidateOnStart</c>) and again when the graph
    /// is first built. The resolver works on a copy of the options taken then; later changes are not seen.
    /// </para>
    /// <para>
    /// <see cref="TimeProvider"/> defaults to <see cref="TimeProvider.System"/> (registered with <c>TryAdd</c>, so an
    /// application's own registration wins). <see cref="ILoggerFactory"/> and <see cref="IMeterFactory"/> are used when
    /// registered. A registered <see cref="IMtaStsPolicyStore"/> is used, else <see cref="MtaStsCacheOptions.Store"/>.
    /// Calling this method again only adds <paramref name="configure"/>; nothing is registered twice.
    /// </para>
    /// <para>
    /// The delivery planner uses the registered <see cref="IMtaStsPolicyResolver"/> (so both share one policy cache) and
    /// the same DNS client for its MX and TLSA lookups.
    /// </para>
    /// <para>
    /// The policy host handler is built by the library and is strict (TLS 1.2+, no redirects, certificate valid for
    /// <c>mta-sts.&lt;domain&gt;</c>). Message handlers may be added to the named client (for example a resilience
    /// handler), but must not bypass those rules.
    /// </para>
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; may be <see langword="null"/>.</param>
    /// <returns>A builder for the optional parts.</returns>
    public static IMtaStsBuilder AddMtaSts(this IServiceCollection services, Action<MtaStsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<MtaStsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        var builder = new MtaStsBuilder(services);
        if (services.Any(static descriptor => descriptor.ServiceType == typeof(MtaStsRegistration)))
        {
            return builder;
        }

        services.AddSingleton<MtaStsRegistration>();
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MtaStsOptions>, MtaStsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static provider => CreateComposition(provider));

        services.AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static provider =>
            {
                var composition = provider.GetRequiredService<MtaStsComposition>();
                return PolicyHttpHandlerFactory.Create(composition.Options, composition.HostAddresses);
            })
            .ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan) // the fetcher's pipeline owns the time budget
            .SetHandlerLifetime(HandlerLifetime);

        services.TryAddSingleton<IMtaStsPolicyResolver>(static provider => provider.GetRequiredService<MtaStsComposition>().CreateResolver(ownsComposition: false));
        services.TryAddSingleton<IDeliveryPlanner>(static provider =>
            provider.GetRequiredService<MtaStsComposition>().CreatePlanner(provider.GetRequiredService<IMtaStsPolicyResolver>(), owned: null));
        return builder;
    }

    private static MtaStsComposition CreateComposition(IServiceProvider provider)
    {
        // IOptions<T>.Value has run the registered validators; check the copy as well, which also covers a host that
        // builds the graph without ValidateOnStart having run.
        var settings = provider.GetRequiredService<IOptions<MtaStsOptions>>().Value.Clone();
        MtaStsOptionsValidator.ThrowIfInvalid(settings);
        var httpClientFactory = provider.GetRequiredService<IHttpClientFactory>();
        return new MtaStsComposition(
            settings,
            provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<IMeterFactory>(),
            _ => () => httpClientFactory.CreateClient(HttpClientName),
            provider.GetService<IMtaStsPolicyStore>());
    }
}
