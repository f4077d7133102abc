using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.DependencyInjection;

/// <summary>The builder that <c>AddMtaSts</c> returns: a store, the refresher, and the same choices through the facade's options.</summary>
public sealed class MtaStsBuilderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mtasts-di-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void AddFileStore_GivesTheResolverAFileStoreInThatDirectory()
    {
        var services = new ServiceCollection();
        services.AddMtaSts().AddFileStore(_directory);
        using var provider = services.BuildServiceProvider();

        var resolver = (MtaStsPolicyResolver)provider.GetRequiredService<IMtaStsPolicyResolver>();

        var store = Assert.IsType<FilePolicyStore>(resolver.Store);
        Assert.Equal(Path.GetFullPath(_directory), store.Directory);
        Assert.True(Directory.Exists(_directory));
        Assert.Same(store, provider.GetRequiredService<IMtaStsPolicyStore>());
    }

    [Fact]
    public void AddPolicyStore_TakesPrecedenceOverTheOptionsStore_AndTheLastRegistrationWins()
    {
        var fromOptions = new InMemoryPolicyStore();
        var first = new InMemoryPolicyStore();
        var chosen = new InMemoryPolicyStore();
        var services = new ServiceCollection();
        services.AddMtaSts(o => o.Cache.Store = fromOptions).AddPolicyStore(first).AddPolicyStore(chosen);
        using var provider = services.BuildServiceProvider();

        var resolver = (MtaStsPolicyResolver)provider.GetRequiredService<IMtaStsPolicyResolver>();

        Assert.Same(chosen, resolver.Store);
    }

    [Fact]
    public void WithoutABuilderStore_TheOptionsStoreIsUsed_UnderDiAndByTheFacade()
    {
        var store = new InMemoryPolicyStore();
        var services = new ServiceCollection();
        services.AddMtaSts(o => o.Cache.Store = store);
        using var provider = services.BuildServiceProvider();
        using var facade = MtaStsPolicyResolver.Create(new MtaStsOptions { Cache = { Store = store } });

        Assert.Same(store, ((MtaStsPolicyResolver)provider.GetRequiredService<IMtaStsPolicyResolver>()).Store);
        Assert.Same(store, facade.Store);
    }

    [Fact]
    public void ThePlannerUsesTheRegisteredResolver_SoBothShareOneCacheAndStore()
    {
        var services = new ServiceCollection();
        services.AddMtaSts().AddFileStore(_directory);
        using var provider = services.BuildServiceProvider();

        var planner = Assert.IsType<DeliveryPlanner>(provider.GetRequiredService<IDeliveryPlanner>());

        Assert.Same(provider.GetRequiredService<IMtaStsPolicyResolver>(), planner.Resolver);
    }

    [Fact]
    public async Task AddPolicyRefresher_RunsAsAHostedService_WithItsConfiguredOptions()
    {
        var services = new ServiceCollection();
        services.AddMtaSts().AddPolicyRefresher(o => o.Interval = TimeSpan.FromSeconds(30)).AddPolicyRefresher();
        await using var provider = services.BuildServiceProvider();

        var hosted = Assert.Single(provider.GetServices<IHostedService>());
        Assert.Equal(TimeSpan.FromSeconds(30), provider.GetRequiredService<IOptions<PolicyRefresherOptions>>().Value.Interval);

        await hosted.StartAsync(CancellationToken.None);
        await hosted.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void AddPolicyRefresher_OverAForeignResolver_FailsWithAMessageThatSaysWhy()
    {
        var services = new ServiceCollection();
        services.AddMtaSts().AddPolicyRefresher();
        services.AddSingleton<IMtaStsPolicyResolver>(new ForeignResolver());
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetServices<IHostedService>().ToList());

        Assert.Contains(nameof(ForeignResolver), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBuilder_RefusesNulls()
    {
        var builder = new ServiceCollection().AddMtaSts();

        Assert.Throws<ArgumentNullException>(() => builder.AddPolicyStore((IMtaStsPolicyStore)null!));
        Assert.Throws<ArgumentNullException>(() => builder.AddPolicyStore((Func<IServiceProvider, IMtaStsPolicyStore>)null!));
        Assert.ThrowsAny<ArgumentException>(() => builder.AddFileStore(" "));
    }

    private sealed class ForeignResolver : IMtaStsPolicyResolver
    {
        public Task<MtaStsResolution> ResolveAsync(string domain, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<MtaStsResolution> RecheckAsync(string domain, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
