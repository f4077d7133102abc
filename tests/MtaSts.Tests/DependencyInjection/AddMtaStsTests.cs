using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Extensions.Configuration;
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
        { "DnsTimeout below 100 ms", "Dns.Timeout" },
        { "DnsTimeout above 1 minute", "Dns.Timeout" },
        { "DnsRetries negative", "Dns.Retries" },
        { "DnsRetries above 5", "Dns.Retries" },
        { "PolicyFetchTimeout below 1 s", "PolicyFetch.Timeout" },
        { "PolicyFetchTimeout above 5 minutes", "PolicyFetch.Timeout" },
        { "ConnectTimeout below 100 ms", "PolicyFetch.ConnectTimeout" },
        { "ConnectTimeout above PolicyFetchTimeout", "PolicyFetch.ConnectTimeout" },
        { "PolicyFetchRetries above 5", "PolicyFetch.Retries" },
        { "MaxPolicyBodyBytes below 1024", "PolicyFetch.MaxBodyBytes" },
        { "MaxPolicyBodyBytes above 1 MiB", "PolicyFetch.MaxBodyBytes" },
        { "PolicyHostPort 0", "PolicyFetch.Port" },
        { "PolicyHostPort 65536", "PolicyFetch.Port" },
        { "MaxCachedDomains 0", "Cache.MaxDomains" },
        { "MaxCachedDomains above 10 million", "Cache.MaxDomains" },
        { "MinRecordRecheckInterval negative", "Cache.MinRecordRecheckInterval" },
        { "MaxRecordRecheckInterval above 1 day", "Cache.MaxRecordRecheckInterval" },
        { "MinRecordRecheckInterval above MaxRecordRecheckInterval", "Cache.MinRecordRecheckInterval" },
        { "FailedFetchBackoff below 5 minutes", "Cache.FailedFetchBackoff" },
        { "FailedFetchBackoff above 1 day", "Cache.FailedFetchBackoff" },
        { "RefreshAfter below 1 minute", "Cache.RefreshAfter" },
        { "RefreshAfter above 365 days", "Cache.RefreshAfter" },
        { "NameServers with a null entry", "Dns.NameServers" },
        { "SmtpPort 0", "Delivery.SmtpPort" },
        { "TrustedDnssecResolvers with a null entry", "Dane.TrustedResolvers" },
        { "DaneRequiredDomains with a null entry", "Dane.RequiredDomains" },
        { "DaneRequiredDomains with an address literal", "Dane.RequiredDomains" },
        { "DaneRequiredDomains with a single-label name", "Dane.RequiredDomains" },
        { "DaneRequiredDomains with DANE switched off", "Dane.Enabled" },
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
        services.AddMtaSts(options => options.Dns.Retries = 9);
        using var provider = services.BuildServiceProvider();

        var startup = provider.GetRequiredService<IStartupValidator>();

        Assert.Throws<OptionsValidationException>(startup.Validate);
    }

    [Fact]
    public void Validator_ListsEveryProblem_AtOnce()
    {
        var options = new MtaStsOptions
        {
            Dns = { Retries = -1 },
            Cache = { MaxDomains = 0, FailedFetchBackoff = TimeSpan.FromMinutes(1) },
        };

        var result = MtaStsOptionsValidator.Instance.Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
        var facade = Assert.Throws<OptionsValidationException>(() => MtaStsPolicyResolver.Create(options));
        Assert.Equal(3, facade.Failures.Count());
        Assert.Contains("Dns.Retries", facade.Message, StringComparison.Ordinal);
        Assert.Contains("Cache.MaxDomains", facade.Message, StringComparison.Ordinal);
        Assert.Contains("Cache.FailedFetchBackoff", facade.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_AcceptsTheDefaults_AndTheEdgesOfEachRange()
    {
        var edges = new MtaStsOptions
        {
            Dns = { Timeout = TimeSpan.FromMinutes(1), Retries = 0 },
            PolicyFetch =
            {
                Timeout = TimeSpan.FromSeconds(1),
                ConnectTimeout = TimeSpan.FromSeconds(1),
                Retries = 5,
                MaxBodyBytes = 1024,
                Port = 65535,
            },
            Cache =
            {
                MaxDomains = 1,
                MinRecordRecheckInterval = TimeSpan.Zero,
                MaxRecordRecheckInterval = TimeSpan.FromDays(1),
                FailedFetchBackoff = TimeSpan.FromMinutes(5),
                RefreshAfter = TimeSpan.FromDays(365),
            },
        };
        edges.Dane.RequiredDomains.Add("Bücher.EXAMPLE.test."); // any case, Unicode, trailing dot: normalised, not rejected

        Assert.True(MtaStsOptionsValidator.Instance.Validate(null, new MtaStsOptions()).Succeeded);
        Assert.True(MtaStsOptionsValidator.Instance.Validate(null, edges).Succeeded);
    }

    [Fact]
    public void Clone_CopiesEverySetting_AndSharesNoMutableState()
    {
        var original = new MtaStsOptions
        {
            Dns = { Timeout = TimeSpan.FromSeconds(3), Retries = 4 },
            PolicyFetch =
            {
                Timeout = TimeSpan.FromSeconds(30),
                ConnectTimeout = TimeSpan.FromSeconds(2),
                Retries = 1,
                MaxBodyBytes = 2048,
                Port = 8443,
                ResolveHostWithNameServers = false,
                AllowPrivateAddresses = true,
                MaxConcurrentFetches = 3,
            },
            Cache =
            {
                MaxDomains = 77,
                MinRecordRecheckInterval = TimeSpan.FromSeconds(1),
                MaxRecordRecheckInterval = TimeSpan.FromMinutes(2),
                FailedFetchBackoff = TimeSpan.FromMinutes(6),
                RefreshAfter = TimeSpan.FromHours(3),
                Store = new FilePolicyStore(Path.Combine(Path.GetTempPath(), "mtasts-snapshot-test")),
                StoreTimeout = TimeSpan.FromSeconds(1),
            },
            Dane = { Enabled = false, RequireMtaSts = true },
            Delivery = { SmtpPort = 2525, ExcludeNonPublicAddresses = true },
        };
        original.Dns.NameServers.Add(new IPEndPoint(IPAddress.Loopback, 5353));
        original.Overrides["testing.example.test"] = MtaStsPolicyOverride.Enforce;
        original.Dane.TrustedResolvers.Add(IPAddress.Parse("192.0.2.53"));
        original.Dane.RequiredDomains.Add("Example.TEST.");

        var copy = original.Clone();
        original.Dns.NameServers.Clear();
        original.Dane.RequiredDomains.Add("other.example.test");
        original.Dns.Retries = 0;

        // Every settable property of every group is set above to a value other than its default and must arrive in the
        // copy; a new option fails this test until Clone copies it. The groups themselves are new objects.
        var fresh = new MtaStsOptions();
        foreach (var group in typeof(MtaStsOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType.Name.EndsWith("Options", StringComparison.Ordinal)))
        {
            Assert.NotSame(group.GetValue(original), group.GetValue(copy));
            foreach (var property in group.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
            {
                Assert.NotEqual(property.GetValue(group.GetValue(fresh)), property.GetValue(group.GetValue(copy)));
            }
        }

        Assert.Equal(5, typeof(MtaStsOptions).GetProperties().Count(p => p.PropertyType.Name.EndsWith("Options", StringComparison.Ordinal)));

        Assert.Equal(4, copy.Dns.Retries);
        Assert.Same(original.Cache.Store, copy.Cache.Store);
        Assert.Same(original.Events, copy.Events); // handlers attached to the caller's options reach the resolver
        Assert.Same(MtaStsPolicyOverride.Enforce, copy.Overrides["testing.example.test"]);
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 5353)], copy.Dns.NameServers);
        Assert.Equal([IPAddress.Parse("192.0.2.53")], copy.Dane.TrustedResolvers);
        Assert.Equal(["Example.TEST."], copy.Dane.RequiredDomains); // as given; the planner normalises
        Assert.NotSame(original.AdditionalTrustedRoots, copy.AdditionalTrustedRoots);
    }

    [Fact]
    public void GroupedOptions_BindFromConfiguration_AsNestedSections()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["MtaSts:Dns:Timeout"] = "00:00:03",
                ["MtaSts:Dns:NameServers:0"] = "127.0.0.1:5353",
                ["MtaSts:PolicyFetch:MaxConcurrentFetches"] = "7",
                ["MtaSts:Cache:RefreshAfter"] = "12:00:00",
                ["MtaSts:Dane:RequiredDomains:0"] = "example.test",
                ["MtaSts:Delivery:ExcludeNonPublicAddresses"] = "true",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddMtaSts(_ => { });
        services.Configure<MtaStsOptions>(options => configuration.GetSection("MtaSts").Bind(options));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MtaStsOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(3), options.Dns.Timeout);
        Assert.Equal(7, options.PolicyFetch.MaxConcurrentFetches);
        Assert.Equal(TimeSpan.FromHours(12), options.Cache.RefreshAfter);
        Assert.Equal(["example.test"], options.Dane.RequiredDomains);
        Assert.True(options.Delivery.ExcludeNonPublicAddresses);
        Assert.Equal(2, options.Dns.Retries); // untouched settings keep their defaults
    }

    [Fact]
    public void AddMtaSts_Twice_RegistersOnce_AndAppliesBothConfigurations()
    {
        var services = new ServiceCollection();

        services.AddMtaSts(options => options.Dns.Retries = 1);
        var count = services.Count;
        services.AddMtaSts(options => options.PolicyFetch.Retries = 4);

        Assert.Single(services, d => d.ServiceType == typeof(IMtaStsPolicyResolver));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<MtaStsOptions>));
        Assert.Equal(count + 1, services.Count); // only the second configure action
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<MtaStsOptions>>().Value;
        Assert.Equal(1, options.Dns.Retries);
        Assert.Equal(4, options.PolicyFetch.Retries);
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
        options.Dns.NameServers.Clear(); // the resolver works on its own copy
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
            options.Dns.Timeout = silentOptions.Dns.Timeout;
            options.Dns.Retries = silentOptions.Dns.Retries;
            options.Dns.NameServers.Add(endPoint);
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
        services.AddMtaSts(options => options.Dns.NameServers.Add(new IPEndPoint(IPAddress.Loopback, 53)));
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
        var options = new MtaStsOptions { Dns = { Timeout = TimeSpan.FromMilliseconds(200), Retries = 0 } };
        options.Dns.NameServers.Add(server);
        return options;
    }

    private static MtaStsOptions Break(MtaStsOptions options, string breakage)
    {
        switch (breakage)
        {
            case "DnsTimeout below 100 ms": options.Dns.Timeout = TimeSpan.FromMilliseconds(99); break;
            case "DnsTimeout above 1 minute": options.Dns.Timeout = TimeSpan.FromSeconds(61); break;
            case "DnsRetries negative": options.Dns.Retries = -1; break;
            case "DnsRetries above 5": options.Dns.Retries = 6; break;
            case "PolicyFetchTimeout below 1 s": options.PolicyFetch.Timeout = TimeSpan.FromMilliseconds(999); options.PolicyFetch.ConnectTimeout = TimeSpan.FromMilliseconds(500); break;
            case "PolicyFetchTimeout above 5 minutes": options.PolicyFetch.Timeout = TimeSpan.FromMinutes(5) + TimeSpan.FromTicks(1); break;
            case "ConnectTimeout below 100 ms": options.PolicyFetch.ConnectTimeout = TimeSpan.FromMilliseconds(50); break;
            case "ConnectTimeout above PolicyFetchTimeout": options.PolicyFetch.Timeout = TimeSpan.FromSeconds(5); options.PolicyFetch.ConnectTimeout = TimeSpan.FromSeconds(6); break;
            case "PolicyFetchRetries above 5": options.PolicyFetch.Retries = 6; break;
            case "MaxPolicyBodyBytes below 1024": options.PolicyFetch.MaxBodyBytes = 1023; break;
            case "MaxPolicyBodyBytes above 1 MiB": options.PolicyFetch.MaxBodyBytes = 1024 * 1024 + 1; break;
            case "PolicyHostPort 0": options.PolicyFetch.Port = 0; break;
            case "PolicyHostPort 65536": options.PolicyFetch.Port = 65536; break;
            case "MaxCachedDomains 0": options.Cache.MaxDomains = 0; break;
            case "MaxCachedDomains above 10 million": options.Cache.MaxDomains = 10_000_001; break;
            case "MinRecordRecheckInterval negative": options.Cache.MinRecordRecheckInterval = TimeSpan.FromSeconds(-1); break;
            case "MaxRecordRecheckInterval above 1 day": options.Cache.MaxRecordRecheckInterval = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1); break;
            case "MinRecordRecheckInterval above MaxRecordRecheckInterval": options.Cache.MinRecordRecheckInterval = TimeSpan.FromMinutes(2); options.Cache.MaxRecordRecheckInterval = TimeSpan.FromMinutes(1); break;
            case "FailedFetchBackoff below 5 minutes": options.Cache.FailedFetchBackoff = TimeSpan.FromMinutes(4); break;
            case "FailedFetchBackoff above 1 day": options.Cache.FailedFetchBackoff = TimeSpan.FromDays(2); break;
            case "RefreshAfter below 1 minute": options.Cache.RefreshAfter = TimeSpan.FromSeconds(59); break;
            case "RefreshAfter above 365 days": options.Cache.RefreshAfter = TimeSpan.FromDays(366); break;
            case "NameServers with a null entry": options.Dns.NameServers.Add(null!); break;
            case "SmtpPort 0": options.Delivery.SmtpPort = 0; break;
            case "TrustedDnssecResolvers with a null entry": options.Dane.TrustedResolvers.Add(null!); break;
            case "DaneRequiredDomains with a null entry": options.Dane.RequiredDomains.Add(null!); break;
            case "DaneRequiredDomains with an address literal": options.Dane.RequiredDomains.Add("[192.0.2.1]"); break;
            case "DaneRequiredDomains with a single-label name": options.Dane.RequiredDomains.Add("localhost"); break;
            case "DaneRequiredDomains with DANE switched off": options.Dane.RequiredDomains.Add("example.test"); options.Dane.Enabled = false; break;
            default: throw new ArgumentOutOfRangeException(nameof(breakage), breakage, null);
        }

        return options;
    }
}
