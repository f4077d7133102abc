using System.Text.Json;
using MtaSts.Redis.Tests;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>
/// The CLI on a real Redis (Debian's redis-server on a free loopback port): restart and fleet as separate processes
/// sharing one Redis, and the cache command against it (issue 6 §2, §4).
/// </summary>
public sealed class CliRedisTests(WorldFixture world, RedisServerFixture redis) : IClassFixture<WorldFixture>, IClassFixture<RedisServerFixture>
{
    private string[] WorldArguments() => CliRunner.WorldArguments(world.World);

    private string Store(string label) => $"redis:{redis.Configuration},prefix={RedisServerFixture.UniquePrefix(label)}";

    [Fact]
    public async Task STS_3_3_m_Cli_Restart_OnRedis_AppliesTheStoredEnforcePolicyWhenDnsAndHttpsFail()
    {
        var (exitCode, json) = await CliRunner.RestartWhileDiscoveryFailsAsync(world.World, "cli-redis-restart", ["--store", Store("restart")]);

        Assert.Equal(0, exitCode);
        Assert.Equal("enforce", json.GetProperty("mode").GetString());
        Assert.Equal("cache-after-failure", json.GetProperty("source").GetString());
    }

    [Fact]
    public async Task S_2_Cli_Fleet_TwoProcessesSharingRedis_TheSecondDoesNotFetch()
    {
        var domain = WorldFixture.UniqueDomain("cli-redis-fleet");
        var store = Store("fleet");
        world.World.PublishPolicy(domain, "rf1", MtaStsMode.Enforce, 604800, "mx1." + domain);

        var first = await CliRunner.RunProcessAsync(["resolve", "--json", "--store", store, domain, .. WorldArguments()]);
        var second = await CliRunner.RunProcessAsync(["plan", "--json", "--store", store, domain, .. WorldArguments()]);

        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.Equal("fetched", Json(first.Output).GetProperty("source").GetString());
        Assert.Equal("enforce", Json(second.Output).GetProperty("mta_sts").GetProperty("mode").GetString());
        Assert.Equal(1, world.World.PolicyHost.RequestCount("mta-sts." + domain));
    }

    [Fact]
    public async Task Cache_ListAndPurge_WorkAgainstRedis()
    {
        var domain = WorldFixture.UniqueDomain("cli-redis-cache");
        var store = Store("cache");
        world.World.PublishPolicy(domain, "rc1", MtaStsMode.Testing, 86400, "mx1." + domain);
        await CliRunner.RunAsync(["resolve", "--store", store, domain, .. WorldArguments()]);

        var listed = await CliRunner.RunAsync("cache", "list", "--json", "--store", store);
        var purged = await CliRunner.RunAsync("cache", "purge", "--store", store, domain);
        var after = await CliRunner.RunAsync("cache", "list", "--json", "--store", store);

        Assert.True(listed.ExitCode == 0, listed.Error);
        Assert.Equal(domain, Json(listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single()).GetProperty("domain").GetString());
        Assert.Equal(0, purged.ExitCode);
        Assert.Equal(string.Empty, after.Output.Trim());
    }

    [Fact]
    public async Task S_2_Cli_ARedisThatIsDown_CostsAtMostTheStoreTimeout_AndTheResolutionGoesOn()
    {
        var domain = WorldFixture.UniqueDomain("cli-redis-down");
        world.World.PublishPolicy(domain, "rd1", MtaStsMode.Enforce, 604800, "mx1." + domain);
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there now

        var result = await CliRunner.RunAsync(["resolve", "--json", "--store", $"redis:127.0.0.1:{port}", domain, .. WorldArguments()]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Equal("fetched", Json(result.Output).GetProperty("source").GetString());
        Assert.DoesNotContain("Exception", result.Output + result.Error, StringComparison.Ordinal);
    }

    private static JsonElement Json(string output) => CliRunner.JsonLine(output);
}
