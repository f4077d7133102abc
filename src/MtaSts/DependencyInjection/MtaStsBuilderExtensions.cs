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

    /// <summary>
    /// Records SMTP sessions for TLS-RPT (RFC 8460): registers <see cref="ITlsReportRecorder"/> (a
    /// <see cref="TlsReportRecorder"/> the container flushes and disposes) and <see cref="ITlsRptRecordDiscoverer"/> on the
    /// library's DNS settings. A report store must be registered too (<see cref="AddFileReportStore"/>,
    /// <see cref="AddReportStore(IMtaStsBuilder, Func{IServiceProvider, ITlsReportStore})"/>, or <c>AddRedisReportStore</c>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the recorder; may be <see langword="null"/>.</param>
    /// <returns>The same builder.</returns>
    public static IMtaStsBuilder AddTlsReporting(this IMtaStsBuilder builder, Action<TlsReportRecorderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<TlsReportRecorderOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton<ITlsRptRecordDiscoverer>(static provider => provider.GetRequiredService<MtaStsComposition>().CreateTlsRptRecordDiscoverer());
        builder.Services.TryAddSingleton(static provider => new TlsReportRecorder(
            provider.GetService<ITlsReportStore>() ?? throw new InvalidOperationException(
                "TLS-RPT recording needs a report store: call AddFileReportStore, AddReportStore or AddRedisReportStore."),
            provider.GetRequiredService<ITlsRptRecordDiscoverer>(),
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<TlsReportRecorderOptions>>().Value,
            provider.GetService<TimeProvider>(),
            provider.GetService<ILoggerFactory>()?.CreateLogger<TlsReportRecorder>()));
        builder.Services.TryAddSingleton<ITlsReportRecorder>(static provider => provider.GetRequiredService<TlsReportRecorder>());
        return builder;
    }

    /// <summary>Uses a TLS-RPT report store built from the container (a singleton, disposed by the container when disposable).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Builds the store.</param>
    /// <returns>The same builder.</returns>
    public static IMtaStsBuilder AddReportStore(this IMtaStsBuilder builder, Func<IServiceProvider, ITlsReportStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }

    /// <summary>Uses a <see cref="FileTlsReportStore"/> in <paramref name="directory"/> for TLS-RPT counts of this host.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="directory">The directory (created if missing; writable by this process only).</param>
    /// <returns>The same builder.</returns>
    public static IMtaStsBuilder AddFileReportStore(this IMtaStsBuilder builder, string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return builder.AddReportStore(provider => new FileTlsReportStore(
            directory,
            timeProvider: provider.GetService<TimeProvider>(),
            logger: provider.GetService<ILoggerFactory>()?.CreateLogger<FileTlsReportStore>()));
    }

    /// <summary>
    /// Registers <see cref="TlsReportSender"/>, which sends built reports to every <c>rua</c> of a TLS-RPT record
    /// (RFC 8460 §5): HTTPS built in, e-mail through the registered <see cref="ITlsReportMailer"/> if any (for instance
    /// <c>AddMailKitReportMailer</c> of the <c>MtaSts.MailKit</c> package); without one, <c>mailto:</c> endpoints are skipped.
    /// Endpoint hosts are resolved through the library's name servers and trusted with its extra roots, like policy hosts.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures delivery; may be <see langword="null"/>.</param>
    /// <returns>The same builder.</returns>
    public static IMtaStsBuilder AddTlsReportDelivery(this IMtaStsBuilder builder, Action<TlsReportDeliveryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<TlsReportDeliveryOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton(static provider =>
        {
            // Endpoint hosts are resolved and trusted as policy hosts are: the library's name servers and extra roots.
            var composition = provider.GetRequiredService<MtaStsComposition>();
            var settings = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<TlsReportDeliveryOptions>>().Value.Copy();
            settings.AdditionalTrustedRoots.AddRange(composition.Options.AdditionalTrustedRoots);
            settings.AddressResolver ??= composition.HostAddresses;
            return new TlsReportSender(
                settings,
                provider.GetService<ITlsReportMailer>(),
                provider.GetService<TimeProvider>() ?? TimeProvider.System,
                provider.GetService<ILoggerFactory>()?.CreateLogger<TlsReportSender>(),
                provider.GetService<System.Diagnostics.Metrics.IMeterFactory>(),
                handler: null);
        });
        return builder;
    }

    /// <summary>
    /// Sends each finished day's TLS-RPT reports: registers <see cref="TlsReportScheduler"/> as a singleton and runs it as a
    /// hosted service. It reads the registered report store, looks records up on the library's DNS settings and sends
    /// through <see cref="TlsReportSender"/> (registered here with default settings unless
    /// <see cref="AddTlsReportDelivery"/> configured it). In a fleet, every node may run it: the store's sent mark lets
    /// one node send each report.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configureReports">Sets who the reports are from: organisation, contact and submitter are required (decision R-11).</param>
    /// <param name="configure">Configures the schedule; may be <see langword="null"/>.</param>
    /// <returns>The same builder.</returns>
    public static IMtaStsBuilder AddTlsReportScheduler(
        this IMtaStsBuilder builder,
        Action<TlsReportOptions> configureReports,
        Action<TlsReportSchedulerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureReports);
        builder.Services.AddOptions<TlsReportOptions>().Configure(configureReports);
        var options = builder.Services.AddOptions<TlsReportSchedulerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.AddTlsReportDelivery();
        builder.Services.TryAddSingleton<ITlsRptRecordDiscoverer>(static provider => provider.GetRequiredService<MtaStsComposition>().CreateTlsRptRecordDiscoverer());
        builder.Services.TryAddSingleton(static provider => new TlsReportScheduler(
            provider.GetService<ITlsReportStore>() ?? throw new InvalidOperationException(
                "The TLS-RPT scheduler needs a report store: call AddFileReportStore, AddReportStore or AddRedisReportStore."),
            provider.GetRequiredService<ITlsRptRecordDiscoverer>(),
            provider.GetRequiredService<TlsReportSender>(),
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<TlsReportOptions>>().Value,
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<TlsReportSchedulerOptions>>().Value,
            provider.GetService<TimeProvider>(),
            provider.GetService<ILoggerFactory>()?.CreateLogger<TlsReportScheduler>(),
            provider.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TlsReportScheduler>(static provider => provider.GetRequiredService<TlsReportScheduler>()));
        return builder;
    }
}
