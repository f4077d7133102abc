using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MtaSts.Cli;
using MtaSts.IntegrationTests.Testing;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary><c>mta-sts plan</c>, parsed and run in-process against the loopback world (real DNS over UDP, real HTTPS).</summary>
public sealed class PlanCliTests(WorldFixture fixture) : IClassFixture<WorldFixture>
{
    private MtaStsTestWorld World => fixture.World;

    private string[] WorldArguments() => CliRunner.WorldArguments(World);

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync(args);

    [Fact]
    public async Task Plan_Json_WritesOneObjectPerDomain_WithTheDocumentedFields()
    {
        // A DANE host (secure TLSA 3 1 1) and an MTA-STS host that does not match the enforce policy.
        var dane = WorldFixture.UniqueDomain("plan-dane");
        var mx1 = "mx1." + dane;
        var rogue = "rogue." + dane;
        World.PublishDaneAndMtaSts(dane, "p1", mx1, rogue);

        var invalid = "not a domain";

        var (exitCode, output, _) = await RunAsync(["plan", "--json", dane, invalid, .. WorldArguments()]);

        Assert.Equal(2, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var plan = first.RootElement;
        Assert.Equal(dane, plan.GetProperty("domain").GetString());
        Assert.Equal("deliver", plan.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, plan.GetProperty("error").ValueKind);
        Assert.True(plan.GetProperty("mx_secure").GetBoolean());
        Assert.Equal("enforce", plan.GetProperty("mta_sts").GetProperty("mode").GetString());
        var mx = plan.GetProperty("mx").EnumerateArray().ToList();
        Assert.Equal(2, mx.Count);
        Assert.Equal(mx1, mx[0].GetProperty("host").GetString());
        Assert.Equal(10, mx[0].GetProperty("preference").GetInt32());
        Assert.True(mx[0].GetProperty("use").GetBoolean());
        Assert.False(mx[0].GetProperty("temporary").GetBoolean());
        Assert.True(mx[0].GetProperty("tls_required").GetBoolean());
        Assert.Equal("dane-ee", mx[0].GetProperty("auth").GetString());
        Assert.Equal(mx1, mx[0].GetProperty("sni").GetString());
        Assert.NotEmpty(mx[0].GetProperty("reasons").EnumerateArray());
        Assert.Equal(rogue, mx[1].GetProperty("host").GetString());
        Assert.False(mx[1].GetProperty("use").GetBoolean());
        Assert.True(mx[1].GetProperty("temporary").GetBoolean());
        Assert.Equal("pkix", mx[1].GetProperty("auth").GetString());
        Assert.Equal("validation-failure", mx[1].GetProperty("report_result_type").GetString());

        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(invalid, second.RootElement.GetProperty("input").GetString());
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("domain").ValueKind);
        Assert.Equal("invalid-input", second.RootElement.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(second.RootElement.GetProperty("error").GetString()));
        Assert.Empty(second.RootElement.GetProperty("mx").EnumerateArray());
    }

    [Fact]
    public async Task Plan_EveryHostFailsEnforce_IsDeferred_ExitOne_AndNullMxIsDefinite()
    {
        var deferred = WorldFixture.UniqueDomain("plan-defer");
        World.PublishMx(deferred, (10, "mx." + deferred));
        World.PublishPolicy(deferred, "d1", MtaStsMode.Enforce, 604800, "other." + deferred);
        var nullMx = WorldFixture.UniqueDomain("plan-nullmx");
        World.Dns.AddMx(nullMx, 0, ".");

        var (exitCode, output, _) = await RunAsync(["plan", "--json", nullMx, deferred, .. WorldArguments()]);

        Assert.Equal(1, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var none = JsonDocument.Parse(lines[0]);
        Assert.Equal("no-mail-service", none.RootElement.GetProperty("status").GetString());
        using var defer = JsonDocument.Parse(lines[1]);
        Assert.Equal("defer", defer.RootElement.GetProperty("status").GetString());
        Assert.Contains("checked again", defer.RootElement.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()).Last(r => r!.Contains("TXT", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("retry", defer.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DANE_2_2_f_Plan_DaneRequired_OnlyDaneHostsAreUsed_AndAnInsecureMxDefers()
    {
        // Also: DANE-6-a, DANE-2.2.1-e. Secure MX: mx1 has a usable TLSA record, mx2 none; both match enforce.
        var secure = WorldFixture.UniqueDomain("plan-required");
        var mx1 = "mx1." + secure;
        var mx2 = "mx2." + secure;
        World.PublishMx(secure, (10, mx1), (20, mx2));
        World.PublishPolicy(secure, "r1", MtaStsMode.Enforce, 604800, mx1, mx2);
        World.Dns.AddTlsa("_25._tcp." + mx1, 3, 1, 1, Enumerable.Repeat((byte)0xAB, 32).ToArray());
        foreach (var name in new[] { secure, mx1, "_25._tcp." + mx1 })
        {
            World.Dns.SetAuthenticatedData(name, true);
        }

        // Insecure MX whose host has secure TLSA: usable without the requirement (DANE-2.2.1-g), deferred with it.
        var insecure = WorldFixture.UniqueDomain("plan-required-insecure");
        var mx = "mx." + insecure;
        World.PublishMx(insecure, (10, mx));
        World.Dns.AddTlsa("_25._tcp." + mx, 3, 1, 1, Enumerable.Repeat((byte)0xCD, 32).ToArray());
        World.Dns.SetAuthenticatedData(mx, true);
        World.Dns.SetAuthenticatedData("_25._tcp." + mx, true);

        var (exitCode, output, _) = await RunAsync(["plan", "--json", "--dane-required", secure.ToUpperInvariant() + ".", "--dane-required", insecure, secure, insecure, .. WorldArguments()]);
        var (freeExitCode, freeOutput, _) = await RunAsync(["plan", "--json", insecure, .. WorldArguments()]);

        Assert.Equal(1, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("deliver", first.RootElement.GetProperty("status").GetString());
        var hosts = first.RootElement.GetProperty("mx").EnumerateArray().ToList();
        Assert.True(hosts[0].GetProperty("use").GetBoolean());
        Assert.Equal("dane-ee", hosts[0].GetProperty("auth").GetString());
        Assert.False(hosts[1].GetProperty("use").GetBoolean());
        Assert.True(hosts[1].GetProperty("temporary").GetBoolean());
        Assert.Equal("dane-required", hosts[1].GetProperty("report_result_type").GetString());
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal("defer", second.RootElement.GetProperty("status").GetString());
        Assert.Equal("dane-required", second.RootElement.GetProperty("mx")[0].GetProperty("report_result_type").GetString());

        Assert.Equal(0, freeExitCode);
        using var free = JsonDocument.Parse(freeOutput);
        Assert.Equal("dane-ee", free.RootElement.GetProperty("mx")[0].GetProperty("auth").GetString());
    }

    [Theory]
    [InlineData("--dane-required", "not a domain", "--dane-required")]
    [InlineData("--no-dane", "--dane-required=example.test", "cannot be combined with --no-dane")]
    public async Task Plan_DaneRequired_BadUse_ExitsTwo_WithAMessage(string first, string second, string mentioned)
    {
        var (exitCode, output, error) = await RunAsync(["plan", first, second, "example.test", .. WorldArguments()]);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains(mentioned, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_Text_PrintsATablePerDomain()
    {
        var domain = WorldFixture.UniqueDomain("plan-text");
        World.PublishMx(domain, (10, "mx1." + domain));

        var (exitCode, output, _) = await RunAsync(["plan", "--no-dane", domain, .. WorldArguments()]);

        Assert.Equal(0, exitCode);
        Assert.StartsWith($"{domain}: deliver (MX insecure, no MTA-STS policy)", output, StringComparison.Ordinal);
        Assert.Matches(@"\n  10\s+mx1\.\S+\s+yes\s+opportunistic\s+none\s+mx1\.\S+\s+unavailable", output);
    }
}
