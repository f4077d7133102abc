using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace MtaSts.Tests.DependencyInjection;

/// <summary>The DI registration, the facade, and the one options validator both of them run.</summary>
public class AddMtaStsTests
{
    /// <summary>Each row breaks one documented range or rule; the name is what the failure message must mention.</summary>
    public static TheoryData<string, string> BadOptions => new()
    {
        { "DnsTimeout below 100 ms", nameof(MtaStsOptions.DnsTimeout) },
        { "DnsTimeout above 1 minute", nameof(MtaStsOptions.DnsTimeout) },
        { "DnsRetries negative", nameof(MtaStsOptions.DnsRetries) },
        { "DnsRetries above 5", nameof(MtaStsOptions.DnsRetries) },
        { "PolicyFetchTimeout below 1 s", nameof(MtaStsOptions.PolicyFetchTimeout) },
        { "PolicyFetchTimeout above 5 minutes", nameof(MtaStsOptions.PolicyFetchTimeout) },
        { "ConnectTimeout below 100 ms", nameof(MtaStsOptions.ConnectTimeout) },
        { "ConnectTimeout above PolicyFetchTimeout", nameof(MtaStsOptions.ConnectTimeout) },
        { "PolicyFetchRetries above 5", nameof(MtaStsOptions.PolicyFetchRetries) },
        { "MaxPolicyBodyBytes below 1024", nameof(MtaStsOptions.MaxPolicyBodyBytes) },
        { "MaxPolicyBodyBytes above 1 MiB", nameof(MtaStsOptions.MaxPolicyBodyBytes) },
        { "PolicyHostPort 0", nameof(MtaStsOptions.PolicyHostPort) },
        { "PolicyHostPort 65536", nameof(MtaStsOptions.PolicyHostPort) },
        { "MaxCachedDomains 0", nameof(MtaStsOptions.MaxCachedDomains) },
        { "MaxCachedDomains above 10 million", nameof(MtaStsOptions.MaxCachedDomains) },
        { "MinRecordRecheckInterval negative", nameof(MtaStsOptions.MinRecordRecheckInterval) },
        { "MaxRecordRecheckInterval above 1 day", nameof(MtaStsOptions.MaxRecordRecheckInterval) },
        { "MinRecordRecheckInterval above MaxRecordRecheckInterval", nameof(MtaStsOptions.MinRecordRecheckInterval) },
        { "FailedFetchBackoff below 5 minutes", nameof(MtaStsOptions.FailedFetchBackoff) },
        { "FailedFetchBackoff above 1 day", nameof(MtaStsOptions.FailedFetchBackoff) },
        { "RefreshAfter below 1 minute", nameof(MtaStsOptions.RefreshAfter) },
        { "RefreshAfter above 365 days", nameof(MtaStsOptions.RefreshAfter) },
        { "NameServers with a null entry", nameof(MtaStsOptions.NameServers) },
        { "SmtpPort 0", nameof(MtaStsOptions.SmtpPort) },
        { "TrustedDnssecResolvers with a null entry", nameof(MtaStsOptions.TrustedDnssecResolvers) },
        { "DaneRequiredDomains with a null entry", nameof(MtaStsOptions.DaneRequiredDomains) },
        { "DaneRequiredDomains with an address literal", nameof(MtaStsOptions.DaneRequiredDomains) },
        { "DaneRequiredDomains with a single-label name", nameof(MtaStsOptions.DaneRequiredDomains) },
        { "DaneRequiredDomains with DANE switched off", nameof(MtaStsOptions.DaneEnabled) },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void FacadeAndDi_RejectTheSameBadOptions_WithTheSameMessages(string breakage, string property)
    {
        var facade = Assert.Throws<OptionsValidationException>(() => MtaStsPolicyResolver.Create(Break(new MtaStsOptions(), breakage)));

        var services = new ServiceCollection();
        services.AddMtaSts(options => Break(options, breakage));
        using var provider = services.BuildServiceProvider();
        var di = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MtaStsOptions>>().Value);

        Assert.Contains(facade.Failures, failure => failure.Contains(property, StringComparison.Ordinal));
        Assert.Equal(facade.Failures, di.Failures);
        Assert.Equal(typeof(MtaStsOptions), facade.OptionsType);
    }

    [Fact]
    public void Di_ValidatesOnStart()
    {
        var services = new ServiceCollection();
        services.AddMtaSts(options => options.DnsRetries = 9);
        using var provider = services.BuildServiceProvider();

        var startup = provider.GetRequiredService<IStartupValidator>();

        Assert.Throws<OptionsValidationException>(startup.Validate);
    }

    [Fact]
    public void Validator_ListsEveryProblem_AtOnce()
    {
        var options = new MtaStsOptions
        {
            DnsRetries = -1,
            MaxCachedDomains = 0,
            FailedFetchBackoff = TimeSpan.FromMinutes(1),
        };

        var result = MtaStsOptionsValidator.Instance.Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
        var facade = Assert.Throws<OptionsValidationException>(() => MtaStsPolicyResolver.Create(options));
        Assert.Equal(3, facade.Failures.Count());
        Assert.Contains("DnsRetries", facade.Message, StringComparison.Ordinal);
        Assert.Contains("MaxCachedDomains", facade.Message, StringComparison.Ordinal);
        Assert.Contains("FailedFetchBackoff", facade.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_AcceptsTheDefaults_AndTheEdgesOfEachRange()
    {
        var edges = new MtaStsOptions
        {
            DnsTimeout = TimeSpan.FromMinutes(1),
            DnsRetries = 0,
            PolicyFetchTimeout = TimeSpan.FromSeconds(1),
            ConnectTimeout = TimeSpan.FromSeconds(1),
            PolicyFetchRetries = 5,
            MaxPolicyBodyBytes = 1024,
            PolicyHostPort = 65535,
            MaxCachedDomains = 1,
            MinRecordRecheckInterval = TimeSpan.Zero,
            MaxRecordRecheckInterval = TimeSpan.FromDays(1),
            FailedFetchBackoff = TimeSpan.FromMinutes(5),
            RefreshAfter = TimeSpan.FromDays(365),
        };
        edges.DaneRequiredDomains.Add("Bücher.EXAMPLE.test."); // any case, Unicode, trailing dot: normalised, not rejected

        Assert.True(MtaStsOptionsValidator.Instance.Validate(null, new MtaStsOptions()).Succeeded);
        Assert.True(MtaStsOptionsValidator.Instance.Validate(null, edges).Succeeded);
    }

    [Fact]
    public void Snapshot_CopiesEverySetting()
    {
        var original = new MtaStsOptions
        {
            DnsTimeout = TimeSpan.FromSeconds(3),
            DnsRetries = 4,
            PolicyFetchTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PolicyFetchRetries = 1,
            MaxPolicyBodyBytes = 2048,
            PolicyHostPort = 8443,
            ResolvePolicyHostWithNameServers = false,
            MaxCachedDomains = 77,
            MinRecordRecheckInterval = TimeSpan.FromSeconds(1),
            MaxRecordRecheckInterval = TimeSpan.FromMinutes(2),
            FailedFetchBackoff = TimeSpan.FromMinutes(6),
            RefreshAfter = TimeSpan.FromHours(3),
            DaneEnabled = false,
            SmtpPort = 2525,
            RequireMtaStsWithDane = true,
            AllowPrivatePolicyHostAddresses = true,
            ExcludeNonPublicMxAddresses = true,
            PolicyStore = new FilePolicyStore(Path.Combine(Path.GetTempPath(), "mtasts-snapshot-test")),
            StoreTimeout = TimeSpan.FromSeconds(1),
            MaxConcurrentPolicyFetches = 3,
        };
        original.NameServers.Add(new IPEndPoint(IPAddress.Loopback, 5353));
        original.Overrides["testing.example.test"] = MtaStsPolicyOverride.Enforce;
        original.TrustedDnssecResolvers.Add(IPAddress.Parse("192.0.2.53"));
        original.DaneRequiredDomains.Add("Example.TEST.");

        var copy = MtaStsOptionsValidator.Snapshot(original);
        original.NameServers.Clear();
        original.DaneRequiredDomains.Add("other.example.test");
        original.DnsRetries = 0;

        // Every public property is either compared here or is a collection checked below; a new option fails this
        // test until Snapshot copies it.
        var fresh = new MtaStsOptions();
        foreach (var property in typeof(MtaStsOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            Assert.NotEqual(property.GetValue(fresh), property.GetValue(copy));
        }

        Assert.Equal(4, copy.DnsRetries);
        Assert.Same(original.PolicyStore, copy.PolicyStore);
        Assert.Same(original.Events, copy.Events); // handlers attached to the caller's options reach the resolver
        Assert.Same(MtaStsPolicyOverride.Enforce, copy.Overrides["testing.example.test"]);
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 5353)], copy.NameServers);
        Assert.Equal([IPAddress.Parse("192.0.2.53")], copy.TrustedDnssecResolvers);
        Assert.Equal(["Example.TEST."], copy.DaneRequiredDomains); // as given; the planner normalises
        Assert.NotSame(original.AdditionalTrustedRoots, copy.AdditionalTrustedRoots);
    }

    [Fact]
    public void AddMtaSts_Twice_RegistersOnce_AndAppliesBothConfigurations()
    {
        var services = new ServiceCollection();

        services.AddMtaSts(options => options.DnsRetries = 1);
        var count = services.Count;
        services.AddMtaSts(options => options.PolicyFetchRetries = 4);

        Assert.Single(services, d => d.ServiceType == typeof(IMtaStsPolicyResolver));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<MtaStsOptions>));
        Assert.Equal(count + 1, services.Count); // only the second configure action
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<MtaStsOptions>>().Value;
        Assert.Equal(1, options.DnsRetries);
        Assert.Equal(4, options.PolicyFetchRetries);
    }

    [Fact]
    public void AddMtaSts_KeepsTheApplicationsTimeProvider()
    {
        var services = new ServiceCollection();
        var fake = new FakeTimeProvider();
        services.AddSingleton<TimeProvider>(fake);

        services.AddMtaSts();

        using var provider = services.BuildServiceProvider();
        Assert.Same(fake, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void AddMtaSts_RegistersTheNamedClient_WithNoClientTimeout()
    {
        var services = new ServiceCollection();
        services.AddMtaSts();
        using var provider = services.BuildServiceProvider();

        var factoryOptions = provider.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get(MtaStsServiceCollectionExtensions.HttpClientName);
        using var client = new HttpClient();
        foreach (var action in factoryOptions.HttpClientActions)
        {
            action(client);
        }

        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(30), factoryOptions.HandlerLifetime);
        Assert.NotEmpty(factoryOptions.HttpMessageHandlerBuilderActions);
    }

    [Fact]
    public async Task Facade_BuildsTheWholeGraph_AndASilentServerGivesADnsFailure()
    {
        // Also: A-1 end to end. The server is a bound UDP socket that never answers.
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var options = SilentServerOptions((IPEndPoint)silent.Client.LocalEndPoint!);

        using var resolver = MtaStsPolicyResolver.Create(options);
        options.NameServers.Clear(); // the resolver works on its own copy
        var result = await resolver.ResolveAsync("example.test").WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(MtaStsOutcome.DnsFailure, result.Outcome);
        Assert.Equal(MtaStsFailure.DnsFailure, result.Failure);
    }

    [Fact]
    public async Task Di_BuildsTheResolverGraph_AsASingleton_OwnedByTheProvider()
    {
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var endPoint = (IPEndPoint)silent.Client.LocalEndPoint!;
        var services = new ServiceCollection();
        services.AddMtaSts(options =>
        {
            var silentOptions = SilentServerOptions(endPoint);
            options.DnsTimeout = silentOptions.DnsTimeout;
            options.DnsRetries = silentOptions.DnsRetries;
            options.NameServers.Add(endPoint);
        });
        var provider = services.BuildServiceProvider();

        var resolver = provider.GetRequiredService<IMtaStsPolicyResolver>();
        Assert.Same(resolver, provider.GetRequiredService<IMtaStsPolicyResolver>());
        Assert.IsType<MtaStsPolicyResolver>(resolver);
        var result = await resolver.ResolveAsync("example.test").WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(MtaStsOutcome.DnsFailure, result.Outcome);

        provider.Dispose();
        Assert.Throws<ObjectDisposedException>(() => { _ = resolver.ResolveAsync("example.test"); });
    }

    [Fact]
    public void Di_CreatesAWorkingPrimaryHandler_ForTheNamedClient()
    {
        var services = new ServiceCollection();
        services.AddMtaSts(options => options.NameServers.Add(new IPEndPoint(IPAddress.Loopback, 53)));
        using var provider = services.BuildServiceProvider();

        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(MtaStsServiceCollectionExtensions.HttpClientName);

        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
    }

    [Fact]
    public void AddMtaSts_NullServices_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => MtaStsServiceCollectionExtensions.AddMtaSts(null!));
    }

    private static MtaStsOptions SilentServerOptions(IPEndPoint server)
    {
        var options = new MtaStsOptions { DnsTimeout = TimeSpan.FromMilliseconds(200), DnsRetries = 0 };
        options.NameServers.Add(server);
        return options;
    }

    private static MtaStsOptions Break(MtaStsOptions options, string breakage)
    {
        switch (breakage)
        {
            case "DnsTimeout below 100 ms": options.DnsTimeout = TimeSpan.FromMilliseconds(99); break;
            case "DnsTimeout above 1 minute": options.DnsTimeout = TimeSpan.FromSeconds(61); break;
            case "DnsRetries negative": options.DnsRetries = -1; break;
            case "DnsRetries above 5": options.DnsRetries = 6; break;
            case "PolicyFetchTimeout below 1 s": options.PolicyFetchTimeout = TimeSpan.FromMilliseconds(999); options.ConnectTimeout = TimeSpan.FromMilliseconds(500); break;
            case "PolicyFetchTimeout above 5 minutes": options.PolicyFetchTimeout = TimeSpan.FromMinutes(5) + TimeSpan.FromTicks(1); break;
            case "ConnectTimeout below 100 ms": options.ConnectTimeout = TimeSpan.FromMilliseconds(50); break;
            case "ConnectTimeout above PolicyFetchTimeout": options.PolicyFetchTimeout = TimeSpan.FromSeconds(5); options.ConnectTimeout = TimeSpan.FromSeconds(6); break;
            case "PolicyFetchRetries above 5": options.PolicyFetchRetries = 6; break;
            case "MaxPolicyBodyBytes below 1024": options.MaxPolicyBodyBytes = 1023; break;
            case "MaxPolicyBodyBytes above 1 MiB": options.MaxPolicyBodyBytes = 1024 * 1024 + 1; break;
            case "PolicyHostPort 0": options.PolicyHostPort = 0; break;
            case "PolicyHostPort 65536": options.PolicyHostPort = 65536; break;
            case "MaxCachedDomains 0": options.MaxCachedDomains = 0; break;
            case "MaxCachedDomains above 10 million": options.MaxCachedDomains = 10_000_001; break;
            case "MinRecordRecheckInterval negative": options.MinRecordRecheckInterval = TimeSpan.FromSeconds(-1); break;
            case "MaxRecordRecheckInterval above 1 day": options.MaxRecordRecheckInterval = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1); break;
            case "MinRecordRecheckInterval above MaxRecordRecheckInterval": options.MinRecordRecheckInterval = TimeSpan.FromMinutes(2); options.MaxRecordRecheckInterval = TimeSpan.FromMinutes(1); break;
            case "FailedFetchBackoff below 5 minutes": options.FailedFetchBackoff = TimeSpan.FromMinutes(4); break;
            case "FailedFetchBackoff above 1 day": options.FailedFetchBackoff = TimeSpan.FromDays(2); break;
            case "RefreshAfter below 1 minute": options.RefreshAfter = TimeSpan.FromSeconds(59); break;
            case "RefreshAfter above 365 days": options.RefreshAfter = TimeSpan.FromDays(366); break;
            case "NameServers with a null entry": options.NameServers.Add(null!); break;
            case "SmtpPort 0": options.SmtpPort = 0; break;
            case "TrustedDnssecResolvers with a null entry": options.TrustedDnssecResolvers.Add(null!); break;
            case "DaneRequiredDomains with a null entry": options.DaneRequiredDomains.Add(null!); break;
            case "DaneRequiredDomains with an address literal": options.DaneRequiredDomains.Add("[192.0.2.1]"); break;
            case "DaneRequiredDomains with a single-label name": options.DaneRequiredDomains.Add("localhost"); break;
            case "DaneRequiredDomains with DANE switched off": options.DaneRequiredDomains.Add("example.test"); options.DaneEnabled = false; break;
            default: throw new ArgumentOutOfRangeException(nameof(breakage), breakage, null);
        }

        return options;
    }
}
