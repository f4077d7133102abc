using Microsoft.Extensions.Logging;
using MtaSts;
using StackExchange.Redis;

#pragma warning disable IDE0130 // Extension classes live where IServiceCollection does, as in dotnet/extensions.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>The Redis policy store for <c>AddMtaSts</c>: one memory of policies and back-offs for a fleet of MTAs.</summary>
public static class MtaStsRedisBuilderExtensions
{
    /// <summary>Uses a <see cref="RedisPolicyStore"/> that opens (and owns) a connection from a StackExchange.Redis configuration string.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">The configuration string, for example <c>redis1:6379,redis2:6379,ssl=true</c>.</param>
    /// <param name="configure">Sets the other options (key prefix, database); may be <see langword="null"/>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The configuration or the options are invalid.</exception>
    public static IMtaStsBuilder AddRedisStore(this IMtaStsBuilder builder, string configuration, Action<RedisPolicyStoreOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        var options = new RedisPolicyStoreOptions { Configuration = configuration };
        configure?.Invoke(options);
        return builder.AddRedisStore(options);
    }

    /// <summary>
    /// Uses a <see cref="RedisPolicyStore"/> with these options. Without <see cref="RedisPolicyStoreOptions.Configuration"/>
    /// or <see cref="RedisPolicyStoreOptions.Connection"/>, the store uses the <see cref="IConnectionMultiplexer"/>
    /// registered in the container (and does not dispose it).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options; copied, so later changes have no effect.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static IMtaStsBuilder AddRedisStore(this IMtaStsBuilder builder, RedisPolicyStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(connectionFromContainer: true);
        var copy = options.Clone();
        if (copy.Configuration is not null)
        {
            _ = MtaSts.Redis.RedisConnection.ParseConfiguration(copy.Configuration); // a bad string fails here, not at the first resolution
        }

        return builder.AddPolicyStore(provider =>
        {
            var storeOptions = copy.Clone();
            if (storeOptions.Configuration is null && storeOptions.Connection is null)
            {
                storeOptions.Connection = provider.GetRequiredService<IConnectionMultiplexer>();
            }

            return new RedisPolicyStore(
                storeOptions,
                provider.GetService<TimeProvider>(),
                provider.GetService<ILoggerFactory>()?.CreateLogger<RedisPolicyStore>());
        });
    }

    /// <summary>
    /// Keeps TLS-RPT counts in Redis (<see cref="RedisTlsReportStore"/>), so every node of a fleet adds to one report; with
    /// neither <see cref="RedisTlsReportStoreOptions.Configuration"/> nor a connection, the container's
    /// <see cref="IConnectionMultiplexer"/> is used.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the store (connection, prefix, retention).</param>
    /// <returns>The same builder.</returns>
    public static IMtaStsBuilder AddRedisReportStore(this IMtaStsBuilder builder, Action<RedisTlsReportStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new RedisTlsReportStoreOptions();
        configure?.Invoke(options);
        return builder.AddReportStore(provider =>
        {
            var copy = new RedisTlsReportStoreOptions
            {
                Configuration = options.Configuration,
                Connection = options.Connection ?? (options.Configuration is null ? provider.GetRequiredService<IConnectionMultiplexer>() : null),
                KeyPrefix = options.KeyPrefix,
                Database = options.Database,
                Retention = options.Retention,
            };
            return new RedisTlsReportStore(copy, provider.GetService<ILoggerFactory>()?.CreateLogger<RedisTlsReportStore>());
        });
    }
}
