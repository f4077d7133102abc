using System.Diagnostics.Metrics;
using DnsClient;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Dane;
using MtaSts.Diagnostics;
using MtaSts.Discovery;
using MtaSts.Dns;
using MtaSts.Fetching;

namespace MtaSts.DependencyInjection;

/// <summary>
/// The one composition root: builds the object graph of a resolver and a planner from validated options, a clock,
/// logging, metrics, an HTTP client source and an optional policy store. <see cref="MtaStsPolicyResolver.Create"/>,
/// <see cref="DeliveryPlanner.Create"/> and <c>AddMtaSts</c> all go through it, so a console program, a PowerShell
/// script and a hosted service get the same library.
/// </summary>
/// <remarks>
/// It owns what it builds for the graph: the metrics, the DNS client and, when it made one, the HTTP client. The facade
/// hands itself to the resolver or planner it creates, which dispose it; under DI the container disposes it. The
/// facade path never touches DI or IHttpClientFactory types.
/// </remarks>
internal sealed class MtaStsComposition : IDisposable
{
    private readonly HttpClient? _ownedClient;
    private readonly Func<HttpClient> _clients;

    public MtaStsComposition(
        MtaStsOptions settings,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider,
        IMeterFactory? meterFactory,
        Func<IHostAddressResolver?, Func<HttpClient>>? clientSource,
        IMtaStsPolicyStore? store)
    {
        Options = settings;
        LoggerFactory = loggerFactory;
        TimeProvider = timeProvider;
        Store = store ?? settings.Cache.Store;
        Metrics = new MtaStsMetrics(meterFactory);
        try
        {
            Dns = DnsClientFactory.Create(settings);
            HostAddresses = settings.PolicyFetch.ResolveHostWithNameServers ? new DnsHostAddressResolver(Dns) : null;
            if (clientSource is null)
            {
                // One long-lived client over one SocketsHttpHandler (its PooledConnectionLifetime picks up DNS changes).
                // No HttpClient timeout: the fetcher's resilience pipeline owns the time budget.
                var client = new HttpClient(PolicyHttpHandlerFactory.Create(settings, HostAddresses), disposeHandler: true)
                {
                    Timeout = Timeout.InfiniteTimeSpan,
                };
                _ownedClient = client;
                _clients = () => client;
            }
            else
            {
                _clients = clientSource(HostAddresses);
            }
        }
        catch
        {
            Metrics.Dispose();
            throw;
        }
    }

    /// <summary>The validated options snapshot every component uses.</summary>
    public MtaStsOptions Options { get; }

    public ILoggerFactory LoggerFactory { get; }

    public TimeProvider TimeProvider { get; }

    public MtaStsMetrics Metrics { get; }

    /// <summary>The one DNS client (TXT, MX, TLSA and the policy host's addresses see one DNS view).</summary>
    public ILookupClient Dns { get; }

    /// <summary>Resolves the policy host through <see cref="Dns"/>, or <see langword="null"/> to let the operating system do it.</summary>
    public IHostAddressResolver? HostAddresses { get; }

    /// <summary>The policy store, if any (not owned).</summary>
    public IMtaStsPolicyStore? Store { get; }

    /// <summary>The facade's composition: the options copied and validated as under DI, its own HTTP client.</summary>
    public static MtaStsComposition ForFacade(MtaStsOptions? options, ILoggerFactory? loggerFactory, TimeProvider? timeProvider)
    {
        // A copy, validated by the same validator DI uses: later changes to the caller's object do not reach us.
        var settings = (options ?? new MtaStsOptions()).Clone();
        MtaStsOptionsValidator.ThrowIfInvalid(settings);
        return new MtaStsComposition(settings, loggerFactory ?? NullLoggerFactory.Instance, timeProvider ?? TimeProvider.System, meterFactory: null, clientSource: null, store: null);
    }

    /// <summary>The resolver of this graph.</summary>
    /// <param name="ownsComposition">Whether disposing the resolver disposes this composition (the facade).</param>
    public MtaStsPolicyResolver CreateResolver(bool ownsComposition)
    {
        var discoverer = new MtaStsRecordDiscoverer(Dns, LoggerFactory.CreateLogger<MtaStsRecordDiscoverer>());
        var fetcher = new PolicyFetcher(_clients, Options, TimeProvider, LoggerFactory.CreateLogger<PolicyFetcher>(), Metrics);
        return new MtaStsPolicyResolver(
            discoverer,
            fetcher,
            Options,
            TimeProvider,
            LoggerFactory.CreateLogger<MtaStsPolicyResolver>(),
            Metrics,
            ownsComposition ? this : null,
            Store);
    }

    /// <summary>The planner of this graph, over <paramref name="resolver"/> (which it owns when <paramref name="owned"/> says so).</summary>
    public DeliveryPlanner CreatePlanner(IMtaStsPolicyResolver resolver, IDisposable? owned)
    {
        var query = new DnssecQuery(Dns, Options);
        return new DeliveryPlanner(
            resolver,
            new MxLookup(query, LoggerFactory.CreateLogger<MxLookup>()),
            new MxHostLookup(query, Options, LoggerFactory.CreateLogger<MxHostLookup>()),
            Options,
            TimeProvider,
            LoggerFactory.CreateLogger<DeliveryPlanner>(),
            Metrics,
            owned);
    }

    public TlsRptRecordDiscoverer CreateTlsRptRecordDiscoverer() =>
        new(Dns, TimeProvider, LoggerFactory.CreateLogger<TlsRptRecordDiscoverer>());

    public void Dispose()
    {
        _ownedClient?.Dispose();
        Metrics.Dispose();
    }
}
