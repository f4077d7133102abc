using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>One loopback world shared by a test class; tests use their own domain names so they do not interfere.</summary>
public sealed class WorldFixture : IAsyncLifetime
{
    private MtaStsTestWorld? _world;

    public MtaStsTestWorld World => _world ?? throw new InvalidOperationException("The world has not started.");

    public async Task InitializeAsync() => _world = await MtaStsTestWorld.StartAsync();

    public async Task DisposeAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }
    }

    /// <summary>A fresh resolver (empty cache) pointed at the world.</summary>
    public MtaStsPolicyResolver CreateResolver(Action<MtaStsOptions>? configure = null, TimeProvider? timeProvider = null)
    {
        var options = World.CreateOptions();
        configure?.Invoke(options);
        return MtaStsPolicyResolver.Create(options, timeProvider: timeProvider);
    }

    /// <summary>A domain name no other test uses.</summary>
    public static string UniqueDomain(string label) => $"{label}-{Guid.NewGuid().ToString("N")[..8]}.example.test";
}
