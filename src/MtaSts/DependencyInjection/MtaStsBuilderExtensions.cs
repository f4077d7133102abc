using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MtaSts;
using MtaSts.DependencyInjection;

#pragma warning disable IDE0130 // Extension classes live where IServiceCollection does, as in dotnet/extensions.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>The optional parts of MtaSts: a policy store and the background refresher.</summary>
public static class MtaStsBuilderExtensions
{
    /// <summary>Uses a policy store instance (owned by the caller) for the resolver's memory beyond the process.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="store">The store.</param>
    /// <returns>The same builder.</returns>
    public static IMtaStsBuilder AddPolicyStore(this IMtaStsBuilder builder, IMtaStsPolicyStore store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        builder.Services.Replace(ServiceDescriptor.Singleton(store));
        return builder;
    }

    /// <summary>Uses a policy store built from the container (a singleton, disposed by the container when disposable).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Builds the store.</param>
    /// <returns>The same builder.</returns>
    public static IMtaStsBuilder AddPolicyStore(this IMtaStsBuilder builder, Func<IServiceProvider, IMtaStsPolicyStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }

    /// <summary>Uses a <see cref="FilePolicyStore"/> in <paramref name="directory"/>: what the resolver learns survives restarts of this host.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The directory of the entries (created if missing; writable by this process only).</param>
    /// <returns>The same builder.</returns>
    public static IMtaStsBuilder AddFileStore(this IMtaStsBuilder builder, string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return builder.AddPolicyStore(provider => new FilePolicyStore(
            directory,
            provider.GetService<TimeProvider>(),
            provider.GetService<ILoggerFactory>()?.CreateLogger<FilePolicyStore>()));
    }

    /// <summary>Runs a <see cref="PolicyRefresher"/> as a hosted service: recently used policies are fetched again before they expire.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the refresher; may be <see langword="null"/>.</param>
    /// <returns>The same builder.</returns>
    public static IMtaStsBuilder AddPolicyRefresher(this IMtaStsBuilder builder, Action<PolicyRefresherOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<PolicyRefresherOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PolicyRefresherService>());
        return builder;
    }
}
