using System.Text;
using System.Text.Json;
using MtaSts.Cli;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>
/// <c>--store</c>, <c>--override</c> and <c>mta-sts cache</c> against the loopback world: restarts and a fleet as separate
/// processes sharing a file store, the cache subcommands in-process, and the spec parsers.
/// </summary>
public sealed class CliStoreTests(WorldFixture fixture) : IClassFixture<WorldFixture>, IDisposable
{
    private readonly List<string> _paths = [];

    private MtaStsTestWorld World => fixture.World;

    public void Dispose()
    {
        foreach (var path in _paths)
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }
    }

    // ---- restart and fleet, each run its own process ----

    [Fact]
    public async Task STS_3_3_m_Cli_Restart_AppliesTheStoredEnforcePolicyWhenDnsAndHttpsFail()
    {
        var (exitCode, json) = await RestartWhileDiscoveryFailsAsync("cli-restart", ["--store", "file:" + NewDirectory()]);

        Assert.Equal(0, exitCode);
        Assert.Equal("policy", json.GetProperty("outcome").GetString());
        Assert.Equal("enforce", json.GetProperty("mode").GetString());
        Assert.Equal("r1", json.GetProperty("id").GetString());
        Assert.Equal("cache-after-failure", json.GetProperty("source").GetString());
    }

    [Fact]
    public async Task STS_3_3_m_Cli_WithoutStore_ARestartHasForgottenThePolicy()
    {
        // The control for the restart test: memory alone does not survive the process.
        var (exitCode, json) = await RestartWhileDiscoveryFailsAsync("cli-nostore", []);

        Assert.Equal(1, exitCode);
        Assert.Equal("dns-failure", json.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task S_2_Cli_Fleet_TwoProcessesShareAFileStore_TheSecondDoesNotFetch()
    {
        var domain = WorldFixture.UniqueDomain("cli-fleet");
        World.PublishPolicy(domain, "f1", MtaStsMode.Enforce, 604800, "mx1." + domain);
        var store = "file:" + NewDirectory();

        var first = await CliRunner.RunProcessAsync(["resolve", "--json", "--store", store, domain, .. WorldArguments()]);
        var second = await CliRunner.RunProcessAsync(["resolve", "--json", "--store", store, domain, .. WorldArguments()]);

        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, first.Output + first.Error + second.Output + second.Error);
        Assert.Equal("fetched", Json(first.Output).GetProperty("source").GetString());
        Assert.Equal("cache", Json(second.Output).GetProperty("source").GetString());
        Assert.Equal("enforce", Json(second.Output).GetProperty("mode").GetString());
        Assert.Equal(1, World.PolicyHost.RequestCount("mta-sts." + domain));
    }

    // ---- cache list / show / purge / export / import ----

    [Fact]
    public async Task Cache_AStoreOrFileThatFails_ExitsWithTheToolsWords_NeverAStackTrace()
    {
        // Port 1 on loopback: nothing listens, so the Redis store cannot connect.
        foreach (var args in new[] { ["cache", "list", "--store", "redis:127.0.0.1:1"], new[] { "cache", "show", "x.test", "--store", "redis:127.0.0.1:1" } })
        {
            var (exitCode, output, error) = await CliRunner.RunAsync(args);
            Assert.True(exitCode == 1, $"{string.Join(' ', args)} exited {exitCode}: {error}");
            Assert.Contains("the store failed: the Redis server ", error, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", output + error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);
        }

        var missing = Path.Combine(NewDirectory(), "no-such-directory", "export.jsonl");
        var (exportExit, exportOutput, exportError) = await CliRunner.RunAsync(["cache", "export", missing, "--store", "file:" + NewDirectory()]);
        Assert.Equal(2, exportExit);
        Assert.Contains($"cannot write '{missing}': its directory does not exist", exportOutput + exportError, StringComparison.Ordinal);

        var (importExit, _, importError) = await CliRunner.RunAsync(["cache", "import", missing, "--store", "file:" + NewDirectory()]);
        Assert.Equal(2, importExit);
        Assert.Contains($"cannot read '{missing}': its directory does not exist", importError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_ListShowExportImport_RoundTripsIntoAnotherStore()
    {
        var enforce = WorldFixture.UniqueDomain("cache-e");
        var testing = WorldFixture.UniqueDomain("cache-t");
        World.PublishPolicy(enforce, "e1", MtaStsMode.Enforce, 604800, "mx1." + enforce, "*.mx." + enforce);
        World.PublishPolicy(testing, "t1", MtaStsMode.Testing, 86400, "mx." + testing);
        var a = "file:" + NewDirectory();
        var b = "file:" + NewDirectory();
        var resolved = await CliRunner.RunAsync(["resolve", "--store", a, enforce, testing, .. WorldArguments()]);
        Assert.True(resolved.ExitCode == 0, resolved.Output + resolved.Error);

        var list = await CliRunner.RunAsync("cache", "list", "--json", "--store", a);
        Assert.Equal(0, list.ExitCode);
        var rows = Lines(list.Output);
        Assert.Equal(2, rows.Length);
        var row = Json(rows.Single(r => r.Contains(enforce, StringComparison.Ordinal)));
        Assert.Equal("e1", row.GetProperty("id").GetString());
        Assert.Equal("enforce", row.GetProperty("mode").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("backoff").ValueKind);
        Assert.True(row.GetProperty("expires").GetDateTimeOffset() > row.GetProperty("fetched").GetDateTimeOffset());

        var table = await CliRunner.RunAsync("cache", "list", "--store", a);
        Assert.Contains("DOMAIN", table.Output, StringComparison.Ordinal);
        Assert.Contains("BACK-OFF", table.Output, StringComparison.Ordinal);
        Assert.Contains(testing, table.Output, StringComparison.Ordinal);

        var show = await CliRunner.RunAsync("cache", "show", "--json", "--store", a, enforce.ToUpperInvariant());
        Assert.Equal(0, show.ExitCode);
        var entry = Json(show.Output);
        Assert.Equal(enforce, entry.GetProperty("domain").GetString());
        Assert.Equal("enforce", entry.GetProperty("mode").GetString());
        Assert.Equal(604800, entry.GetProperty("max_age").GetInt64());
        Assert.Equal(["mx1." + enforce, "*.mx." + enforce], entry.GetProperty("mx").EnumerateArray().Select(e => e.GetString()));
        var showText = await CliRunner.RunAsync("cache", "show", "--store", a, testing);
        Assert.Contains("mode:     testing", showText.Output, StringComparison.Ordinal);
        Assert.Contains("max_age:  86400", showText.Output, StringComparison.Ordinal);

        var exportFile = NewFile();
        var export = await CliRunner.RunAsync("cache", "export", "--store", a, exportFile);
        Assert.Equal(0, export.ExitCode);
        Assert.Contains("exported 2 entries", export.Output, StringComparison.Ordinal);
        var exported = File.ReadAllLines(exportFile);
        Assert.Equal(2, exported.Length);
        Assert.All(exported, line => Assert.True(StoredPolicyFormat.TryDeserialize(Encoding.UTF8.GetBytes(line), out _, out var error), error));

        var import = await CliRunner.RunAsync("cache", "import", "--json", "--store", b, exportFile);
        Assert.Equal(0, import.ExitCode);
        Assert.Equal(2, Json(import.Output).GetProperty("written").GetInt32());

        var listB = await CliRunner.RunAsync("cache", "list", "--json", "--store", b);
        Assert.Equal(rows.Order(StringComparer.Ordinal), Lines(listB.Output).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Cache_Export_ToStandardOutput_WritesJsonLinesAndCountsOnStandardError()
    {
        var domain = WorldFixture.UniqueDomain("cache-out");
        World.PublishPolicy(domain, "o1", MtaStsMode.Enforce, 604800, "mx." + domain);
        var store = "file:" + NewDirectory();
        await CliRunner.RunAsync(["resolve", "--store", store, domain, .. WorldArguments()]);

        var (exitCode, output, error) = await CliRunner.RunAsync("cache", "export", "--store", store, "-");

        Assert.Equal(0, exitCode);
        var line = Assert.Single(Lines(output));
        Assert.Equal(StoredPolicyFormat.FormatName, Json(line).GetProperty("format").GetString());
        Assert.Contains("exported 1 entry", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task S_4_CacheImport_KeepsANewerStoredEntry_AndReportsBadLinesWithoutStopping()
    {
        var directory = NewDirectory();
        var store = new FilePolicyStore(directory);
        var now = TimeProvider.System.GetUtcNow();
        var newer = Entry("newer.example.test", "n2", now.AddHours(-1));
        Assert.True(await store.SetAsync(newer));
        var older = Entry("newer.example.test", "n1", now.AddHours(-2));
        var fresh = Entry("fresh.example.test", "f1", now.AddHours(-1));
        var expired = Entry("old.example.test", "o1", now.AddDays(-30));
        var file = NewFile();
        File.WriteAllLines(file,
        [
            "# an export",
            Encoding.UTF8.GetString(StoredPolicyFormat.Serialize(older)),
            "{\"format\":\"something-else\"}",
            Encoding.UTF8.GetString(StoredPolicyFormat.Serialize(fresh)),
            Encoding.UTF8.GetString(StoredPolicyFormat.Serialize(expired)),
            "{ truncated",
        ]);

        var (exitCode, output, _) = await CliRunner.RunAsync("cache", "import", "--json", "--store", "file:" + directory, file);

        Assert.Equal(2, exitCode);
        var result = Json(output);
        Assert.Equal(1, result.GetProperty("written").GetInt32());
        Assert.Equal(1, result.GetProperty("kept").GetInt32());
        Assert.Equal(1, result.GetProperty("expired").GetInt32());
        Assert.Equal(2, result.GetProperty("invalid").GetInt32());
        Assert.Equal([3, 6], result.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()));
        Assert.Equal("n2", (await store.GetAsync("newer.example.test"))?.RecordId);
        Assert.Equal("f1", (await store.GetAsync("fresh.example.test"))?.RecordId);
    }

    [Fact]
    public async Task Cache_ImportOfADomainList_ResolvesEachIntoTheStore_WarmStart()
    {
        var plain = WorldFixture.UniqueDomain("warm");
        var label = "bücher-" + Guid.NewGuid().ToString("N")[..6];
        var unicode = label + ".example.test";
        var aLabel = DomainName.Normalize(unicode);
        World.PublishPolicy(plain, "w1", MtaStsMode.Enforce, 604800, "mx." + plain);
        World.PublishPolicy(aLabel, "w2", MtaStsMode.Testing, 86400, "mx." + aLabel);
        var list = NewFile();
        File.WriteAllLines(list, ["# domains to warm", plain, "", unicode, "not a domain"]);
        var store = "file:" + NewDirectory();

        var (exitCode, output, _) = await CliRunner.RunAsync(["cache", "import", "--json", "--store", store, list, .. WorldArguments()]);

        Assert.Equal(2, exitCode);
        var records = Lines(output).Select(Json).ToList();
        Assert.Equal(3, records.Count);
        Assert.Equal("fetched", records[0].GetProperty("source").GetString());
        Assert.Equal(aLabel, records[1].GetProperty("domain").GetString());
        Assert.Equal("invalid-input", records[2].GetProperty("outcome").GetString());

        var listed = await CliRunner.RunAsync("cache", "list", "--json", "--store", store);
        Assert.Equal(new[] { aLabel, plain }.Order(StringComparer.Ordinal), Lines(listed.Output).Select(l => Json(l).GetProperty("domain").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Cache_Purge_OneDomainThenAll_ReportsTheCount()
    {
        var directory = NewDirectory();
        var store = new FilePolicyStore(directory);
        var now = TimeProvider.System.GetUtcNow();
        foreach (var name in new[] { "a.example.test", "b.example.test", "c.example.test" })
        {
            await store.SetAsync(Entry(name, "p1", now.AddMinutes(-5)));
        }

        var one = await CliRunner.RunAsync("cache", "purge", "--json", "--store", "file:" + directory, "B.example.test", "bad domain");
        Assert.Equal(2, one.ExitCode);
        var result = Json(one.Output);
        Assert.Equal(1, result.GetProperty("removed").GetInt32());
        Assert.Equal(["b.example.test"], result.GetProperty("domains").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("bad domain", result.GetProperty("errors")[0].GetProperty("input").GetString());

        var all = await CliRunner.RunAsync("cache", "purge", "--store", "file:" + directory);
        Assert.Equal(0, all.ExitCode);
        Assert.Contains("removed 2 entries", all.Output, StringComparison.Ordinal);
        var left = await CliRunner.RunAsync("cache", "list", "--json", "--store", "file:" + directory);
        Assert.Empty(Lines(left.Output));
    }

    [Fact]
    public async Task Cache_Show_WithoutAnEntry_ExitsOne()
    {
        var (exitCode, output, error) = await CliRunner.RunAsync("cache", "show", "--store", "file:" + NewDirectory(), "nothing.example.test");

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Contains("nothing.example.test: no entry", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("purge")]
    [InlineData("export", "-")]
    [InlineData("show", "a.example.test")]
    [InlineData("import", "-")]
    public async Task Cache_WithoutStore_IsAUsageErrorNamingTheOption(params string[] args)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["cache", .. args]);

        Assert.Equal(2, exitCode);
        Assert.Contains("needs --store", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_List_OfAMissingDirectory_IsAUsageError()
    {
        var missing = Path.Combine(Path.GetTempPath(), "mtasts-missing-" + Guid.NewGuid().ToString("N"));

        var (exitCode, _, error) = await CliRunner.RunAsync("cache", "list", "--store", "file:" + missing);

        Assert.Equal(2, exitCode);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    // ---- overrides ----

    [Fact]
    public async Task Override_Enforce_AppliesATestingPolicyAsEnforce_AndSaysSo()
    {
        var domain = WorldFixture.UniqueDomain("ovr-enforce");
        World.PublishPolicy(domain, "t1", MtaStsMode.Testing, 86400, "mx." + domain);

        var json = await CliRunner.RunAsync(["resolve", "--json", "--override", domain + "=enforce", domain, .. WorldArguments()]);
        var text = await CliRunner.RunAsync(["resolve", "--override", domain + "=enforce", domain, .. WorldArguments()]);

        Assert.Equal(0, json.ExitCode);
        var record = Json(json.Output);
        Assert.Equal("enforce", record.GetProperty("mode").GetString());
        Assert.Equal("enforce", record.GetProperty("override").GetString());
        Assert.NotEqual("override", record.GetProperty("source").GetString());
        Assert.Contains("override: enforce", text.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Override_Disable_LooksNothingUp_AndSaysSo()
    {
        var domain = WorldFixture.UniqueDomain("ovr-disable");
        World.PublishPolicy(domain, "d1", MtaStsMode.Enforce, 604800, "mx." + domain);

        var (exitCode, output, _) = await CliRunner.RunAsync(["resolve", "--json", "--override", domain.ToUpperInvariant() + "=disable", domain, .. WorldArguments()]);

        Assert.Equal(0, exitCode);
        var record = Json(output);
        Assert.Equal("no-policy", record.GetProperty("outcome").GetString());
        Assert.Equal("disable", record.GetProperty("override").GetString());
        Assert.Equal(0, World.PolicyHost.RequestCount("mta-sts." + domain));
    }

    [Fact]
    public async Task Override_Policy_PinsTheFilesPolicy_WithSourceOverride()
    {
        var domain = WorldFixture.UniqueDomain("ovr-pin");
        World.PublishPolicy(domain, "p1", MtaStsMode.Testing, 86400, "mx." + domain);
        var file = NewFile();
        File.WriteAllText(file, MtaStsTestWorld.BuildPolicy(MtaStsMode.Enforce, 1209600, "pinned." + domain));

        var json = await CliRunner.RunAsync(["resolve", "--json", "--override", $"{domain}=policy:{file}", domain, .. WorldArguments()]);
        var text = await CliRunner.RunAsync(["resolve", "--override", $"{domain}=policy:{file}", domain, .. WorldArguments()]);

        Assert.Equal(0, json.ExitCode);
        var record = Json(json.Output);
        Assert.Equal("override", record.GetProperty("source").GetString());
        Assert.Equal("policy", record.GetProperty("override").GetString());
        Assert.Equal("enforce", record.GetProperty("mode").GetString());
        Assert.Equal(["pinned." + domain], record.GetProperty("mx").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1209600, record.GetProperty("max_age").GetInt64());
        Assert.Contains("source=override", text.Output, StringComparison.Ordinal);
        Assert.Contains("override: policy", text.Output, StringComparison.Ordinal);
        Assert.Equal(0, World.PolicyHost.RequestCount("mta-sts." + domain));
    }

    [Fact]
    public async Task Override_IsVisibleInPlanOutput()
    {
        var domain = WorldFixture.UniqueDomain("ovr-plan");
        World.PublishMx(domain, (10, "mx." + domain));
        World.PublishPolicy(domain, "p1", MtaStsMode.Enforce, 604800, "mx." + domain);

        var json = await CliRunner.RunAsync(["plan", "--json", "--no-dane", "--override", domain + "=disable", domain, .. WorldArguments()]);
        var text = await CliRunner.RunAsync(["plan", "--no-dane", "--override", domain + "=disable", domain, .. WorldArguments()]);

        Assert.True(json.ExitCode == 0, json.Output + json.Error);
        Assert.Equal("disable", Json(json.Output).GetProperty("mta_sts").GetProperty("override").GetString());
        Assert.Contains("MTA-STS override: disable", text.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("example.test", "expected <domain>=")]
    [InlineData("not a domain=enforce", "'not a domain' is not a domain name")]
    [InlineData("x.example.test=sometimes", "'sometimes' is not enforce, disable or policy:<file>")]
    [InlineData("x.example.test=policy:/nonexistent/mtasts-policy.txt", "policy file '/nonexistent/mtasts-policy.txt' does not exist")]
    [InlineData("x.example.test=policy:", "does not exist")]
    public async Task Override_BadSpec_IsAUsageErrorNamingTheProblem(string spec, string message)
    {
        await AssertUsageErrorAsync(["resolve", "--override", spec, "a.example.test"], message);
        await AssertUsageErrorAsync(["plan", "--override", spec, "a.example.test"], message);
    }

    [Fact]
    public async Task Override_InvalidPolicyFileOrTwiceForOneDomain_IsAUsageError()
    {
        var file = NewFile();
        File.WriteAllText(file, "version: STSv1\nmode: sometimes\n");

        var invalid = await CliRunner.RunAsync("resolve", "--override", $"x.example.test=policy:{file}", "a.example.test");
        var twice = await CliRunner.RunAsync("resolve", "--override", "x.example.test=enforce", "--override", "X.example.test.=disable", "a.example.test");

        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("not valid", invalid.Error, StringComparison.Ordinal);
        Assert.Equal(2, twice.ExitCode);
        Assert.Contains("x.example.test has more than one override", twice.Error, StringComparison.Ordinal);
    }

    // ---- --store specs ----

    [Theory]
    [InlineData("/tmp/somewhere", "unknown store kind")]
    [InlineData("s3:bucket", "unknown store kind")]
    [InlineData("file:", "needs a directory")]
    [InlineData("redis:", "needs a server")]
    [InlineData("redis:host:0", "'0' is not a TCP port")]
    [InlineData("redis:host:http", "'http' is not a TCP port")]
    [InlineData("redis:::1", "IPv6 address in brackets")]
    [InlineData("redis:[::1", "not an IPv6 address in brackets")]
    [InlineData("redis:bad_host!", "is not a host name or IP address")]
    [InlineData("redis:host,,ssl=true", "an empty option")]
    [InlineData("redis:host,colour=blue", "unknown option 'colour'")]
    [InlineData("redis:host,ssl=yes", "option 'ssl' needs true or false")]
    [InlineData("redis:host,connectTimeout=0", "option 'connectTimeout' needs a whole number of milliseconds")]
    [InlineData("redis:host,prefix=a,Prefix=b", "option 'prefix' is given twice")]
    [InlineData("redis:host,prefix", "option 'prefix' needs a value")]
    public async Task Store_BadSpec_IsAUsageErrorNamingTheProblem(string spec, string message)
    {
        await AssertUsageErrorAsync(["resolve", "a.example.test", "--store", spec], message);
        await AssertUsageErrorAsync(["plan", "a.example.test", "--store", spec], message);
        await AssertUsageErrorAsync(["cache", "list", "--store", spec], message);
    }

    [Fact]
    public async Task Store_PasswordIsNeverEchoed()
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("resolve", "a.example.test", "--store", "redis:h,password=s3cret,ssl=maybe");
        var unreachable = await CliRunner.RunAsync(["resolve", "a.example.test", "--store", "redis:127.0.0.1:1,password=s3cret,connectTimeout=200", .. WorldArguments()]);
        var typo = await CliRunner.RunAsync("resolve", "a.example.test", "--store", "rediss:h,password=s3cret");

        Assert.Equal(2, exitCode);
        Assert.DoesNotContain("s3cret", error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", unreachable.Output + unreachable.Error, StringComparison.Ordinal); // a store that is down degrades, silently about its secrets
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("unknown store kind", typo.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", typo.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_FileIsAFile_IsAUsageError()
    {
        var file = NewFile();
        File.WriteAllText(file, "x");

        var (exitCode, _, error) = await CliRunner.RunAsync("resolve", "a.example.test", "--store", "file:" + file);

        Assert.Equal(2, exitCode);
        Assert.Contains("is a file, not a directory", error, StringComparison.Ordinal);
    }

    [Fact]
    public void StoreSpec_File_TakesEverythingAfterThePrefix()
    {
        Assert.Equal(new FileStoreSpec("/var/lib/mta-sts,v1"), StoreSpec.Parse("file:/var/lib/mta-sts,v1"));
        Assert.Equal(new FileStoreSpec("relative/dir"), StoreSpec.Parse("FILE:relative/dir"));
    }

    [Fact]
    public void StoreSpec_Redis_HostDefaultsToPort6379()
    {
        var spec = Assert.IsType<RedisStoreSpec>(StoreSpec.Parse("redis:cache-1"));

        Assert.Equal("cache-1", spec.Host);
        Assert.Equal(RedisStoreSpec.DefaultPort, spec.Port);
        Assert.Null(spec.KeyPrefix);
        Assert.Equal("cache-1:6379", spec.Configuration);
    }

    [Fact]
    public void StoreSpec_Redis_OptionsBecomeTheConnectionString_PrefixApart()
    {
        var spec = Assert.IsType<RedisStoreSpec>(StoreSpec.Parse("redis:[::1]:6380,prefix=mtasts:,SSL=TRUE,connecttimeout=500,password=pw"));

        Assert.Equal("::1", spec.Host);
        Assert.Equal(6380, spec.Port);
        Assert.Equal("mtasts:", spec.KeyPrefix);
        Assert.Equal("[::1]:6380,ssl=true,connectTimeout=500,password=pw", spec.Configuration);
        Assert.Equal("redis:[::1]:6380,prefix=mtasts:", spec.ToString());
    }

    [Fact]
    public void StoreSpec_Redis_IPv4WithPort()
    {
        var spec = Assert.IsType<RedisStoreSpec>(StoreSpec.Parse("redis:127.0.0.1:7000,defaultDatabase=2"));

        Assert.Equal("127.0.0.1", spec.Host);
        Assert.Equal(7000, spec.Port);
        Assert.Equal("127.0.0.1:7000,defaultDatabase=2", spec.Configuration);
    }

    [Fact]
    public void OverrideSpec_ReadsEachKind_NormalisingTheDomain()
    {
        var file = NewFile();
        File.WriteAllText(file, MtaStsTestWorld.BuildPolicy(MtaStsMode.Testing, 86400, "mx.example.test"));

        var (domain, rule) = OverrideSpec.Parse("Bücher.Example.Test.=enforce");
        Assert.Equal("xn--bcher-kva.example.test", domain);
        Assert.Equal(MtaStsOverrideKind.Enforce, rule.Kind);
        Assert.Equal(MtaStsOverrideKind.Disable, OverrideSpec.Parse("a.example.test=disable").Override.Kind);
        var pinned = OverrideSpec.Parse($"a.example.test=policy:{file}").Override;
        Assert.Equal(MtaStsOverrideKind.StaticPolicy, pinned.Kind);
        Assert.Equal(MtaStsMode.Testing, pinned.Policy?.Mode);
    }

    [Fact]
    public void ImportForm_IsToldByTheFirstSignificantLine()
    {
        Assert.Equal(CacheCommand.ImportForm.Entries, CacheCommand.DetectForm(["", "# export", "  {\"format\":\"mta-sts-store\"}"]));
        Assert.Equal(CacheCommand.ImportForm.Domains, CacheCommand.DetectForm(["# list", "example.com", "{"]));
        Assert.Equal(CacheCommand.ImportForm.Empty, CacheCommand.DetectForm(["", "# nothing"]));
    }

    private Task<(int ExitCode, JsonElement Json)> RestartWhileDiscoveryFailsAsync(string label, string[] storeArguments) =>
        CliRunner.RestartWhileDiscoveryFailsAsync(World, label, storeArguments);

    /// <summary>Exit code 2, nothing on standard output, and a message on standard error that names the problem.</summary>
    private static async Task AssertUsageErrorAsync(string[] args, string message)
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    private static StoredPolicy Entry(string domain, string id, DateTimeOffset fetched) => new()
    {
        Domain = domain,
        RecordId = id,
        PolicyText = MtaStsTestWorld.BuildPolicy(MtaStsMode.Enforce, 604800, "mx." + domain),
        FetchedAt = fetched,
        ExpiresAt = fetched.AddSeconds(604800),
    };

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static JsonElement Json(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    private string[] WorldArguments() => CliRunner.WorldArguments(World);

    private string NewDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "mtasts-cli-store-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        _paths.Add(path);
        return path;
    }

    private string NewFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "mtasts-cli-" + Guid.NewGuid().ToString("N") + ".txt");
        _paths.Add(path);
        return path;
    }
}
