using MtaSts.IntegrationTests.EndToEnd;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Postfix;

/// <summary>
/// One loopback world and two <c>mta-sts postfix</c> processes pointed at it: <see cref="Default"/> on TCP with the
/// default answers, and <see cref="Configured"/> on a Unix-domain socket with <c>--testing-answer secure --match
/// patterns</c>, a second map name, a 1 s request timeout and at most 3 connections.
/// </summary>
public sealed class PostfixServerFixture : IAsyncLifetime
{
    private MtaStsTestWorld? _world;
    private PostfixServerProcess? _default;
    private PostfixServerProcess? _configured;

    public MtaStsTestWorld World => _world ?? throw new InvalidOperationException("The world has not started.");

    internal PostfixServerProcess Default => _default ?? throw new InvalidOperationException("The server has not started.");

    internal PostfixServerProcess Configured => _configured ?? throw new InvalidOperationException("The server has not started.");

    public string SocketPath { get; } = Path.Combine(Path.GetTempPath(), $"mtasts-pf-{Guid.NewGuid():N}.sock");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Postmap.Path), $"{Postmap.Path} is missing: install Debian's postfix package (bash .ci/run does, without starting the service).");
        _world = await MtaStsTestWorld.StartAsync();
        var world = CliRunner.WorldArguments(_world);
        _default = await PostfixServerProcess.StartAsync(["--listen", "inet:127.0.0.1:0", "--log-level", "debug", .. world]);
        _configured = await PostfixServerProcess.StartAsync(
            ["--listen", "unix:" + SocketPath, "--testing-answer", "secure", "--match", "patterns", "--map-name", "postfix", "--map-name", "mta-sts",
             "--request-timeout", "1", "--max-connections", "3", .. world]);
    }

    public async Task DisposeAsync()
    {
        foreach (var server in new[] { _default, _configured })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        if (_world is not null)
        {
            await _world.DisposeAsync();
        }

        File.Delete(SocketPath);
    }
}
