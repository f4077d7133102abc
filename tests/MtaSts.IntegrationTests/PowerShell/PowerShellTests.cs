using System.Text.Json;
using System.Text.RegularExpressions;
using MtaSts.IntegrationTests.Testing;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.PowerShell;

/// <summary>
/// The PowerShell 7 path administrators use: samples/PowerShell/Resolve-MtaStsPolicy.ps1 loads the net8.0 publish
/// output with Assembly.LoadFrom, calls the facade and writes one object per domain. Here pwsh 7.6 (.NET 10) runs it
/// against the loopback world; pwsh 7.4 (.NET 8) is not available on the project's machines.
/// </summary>
public sealed class PowerShellTests(PowerShellFixture fixture) : IClassFixture<PowerShellFixture>
{
    private const string AssemblyPrefix = "assembly: ";

    private MtaStsTestWorld World => fixture.World;

    [Fact]
    public async Task Script_RunWithFile_ResolvesAPolicyFromTheTestWorld()
    {
        var domain = UniqueDomain("file");
        World.PublishPolicy(domain, "20240601T000000", MtaStsMode.Enforce, 604800, "mx1." + domain, "*.mx." + domain);

        var result = await fixture.RunPwshAsync(["-File", fixture.Script, "-Domain", domain, .. fixture.WorldArguments(), "-AsJson"]);

        Assert.True(result.ExitCode == 0, result.Output);
        var record = Assert.Single(JsonLines(result));
        Assert.Equal(domain, record.GetProperty("Input").GetString());
        Assert.Equal(domain, record.GetProperty("Domain").GetString());
        Assert.Equal("policy", record.GetProperty("Outcome").GetString());
        Assert.Equal("enforce", record.GetProperty("Mode").GetString());
        Assert.Equal<string>(["mx1." + domain, "*.mx." + domain], Strings(record.GetProperty("Mx")));
        Assert.Equal(604800, record.GetProperty("MaxAge").GetInt64());
        Assert.Equal("20240601T000000", record.GetProperty("Id").GetString());
        Assert.Equal("fetched", record.GetProperty("Source").GetString());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("Failure").ValueKind);
        Assert.Equal(JsonValueKind.Null, record.GetProperty("ResultType").ValueKind);
        Assert.Empty(Strings(record.GetProperty("Warnings")));
        Assert.StartsWith(domain + ": mode enforce", record.GetProperty("Summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_FromThePipeline_WritesOneResultPerDomainInOrder_AndLoadsNoHttpOrDependencyInjectionAssembly()
    {
        var testing = UniqueDomain("testing");
        World.PublishPolicy(testing, "t1", MtaStsMode.Testing, 86400, "mx." + testing);
        var none = UniqueDomain("none");
        var expired = UniqueDomain("expired");
        World.PublishPolicy(expired, "e1", MtaStsMode.Enforce, 86400, "mx." + expired);
        World.PolicyHost.SetCertificate("mta-sts." + expired, TestCertificateKind.Expired);

        // Blank lines are skipped, a malformed name is an error that does not stop the others; afterwards the process
        // lists what it loaded, so the facade path can be checked for the DI stack.
        var arguments = string.Join(' ', fixture.WorldParameters().Select(p => p.Name + " " + Quote(p.Value)));
        var command =
            $"'{testing}', '', 'bad..name', '{none}', '{expired}' | & {Quote(fixture.Script)} {arguments} -AsJson; " +
            "$code = $LASTEXITCODE; " +
            $"[AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object {{ '{AssemblyPrefix}' + $_.GetName().Name }}; " +
            "exit $code";

        var result = await fixture.RunPwshAsync(["-Command", command]);

        Assert.True(result.ExitCode == 2, "a malformed name must make the exit code 2 (invalid input)\n" + result.Output);
        Assert.Contains("bad..name", result.StandardError, StringComparison.Ordinal);
        var records = JsonLines(result);
        Assert.Equal([testing, none, expired], records.Select(r => r.GetProperty("Domain").GetString()));

        Assert.Equal("policy", records[0].GetProperty("Outcome").GetString());
        Assert.Equal("testing", records[0].GetProperty("Mode").GetString());
        Assert.Equal<string>(["mx." + testing], Strings(records[0].GetProperty("Mx"))); // one pattern is still an array

        Assert.Equal("no-policy", records[1].GetProperty("Outcome").GetString());
        Assert.Equal("none", records[1].GetProperty("Source").GetString());
        Assert.Equal("record-not-found", records[1].GetProperty("Failure").GetString());
        Assert.Equal(JsonValueKind.Null, records[1].GetProperty("ResultType").ValueKind);
        Assert.Equal(JsonValueKind.Null, records[1].GetProperty("Mode").ValueKind);
        Assert.Empty(Strings(records[1].GetProperty("Mx")));

        Assert.Equal("fetch-failure", records[2].GetProperty("Outcome").GetString());
        Assert.Equal("sts-webpki-invalid", records[2].GetProperty("Failure").GetString());
        Assert.Equal("sts-webpki-invalid", records[2].GetProperty("ResultType").GetString());
        Assert.Equal("e1", records[2].GetProperty("Id").GetString());
        Assert.False(string.IsNullOrEmpty(records[2].GetProperty("Message").GetString()), result.Output);

        var loaded = result.StandardOutput.Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.StartsWith(AssemblyPrefix, StringComparison.Ordinal))
            .Select(line => line[AssemblyPrefix.Length..])
            .ToHashSet(StringComparer.Ordinal);

        // What the facade needs came from the publish folder (this also shows the listing works) ...
        Assert.Superset(new HashSet<string>(["MtaSts", "DnsClient", "Polly.Core", "Microsoft.Extensions.Caching.Memory"], StringComparer.Ordinal), loaded);

        // ... and nothing of the dependency-injection stack that only AddMtaSts needs, though its DLLs are in the folder.
        Assert.True(File.Exists(Path.Combine(fixture.LibraryPath, "Microsoft.Extensions.Http.dll")), "publish no longer copies Microsoft.Extensions.Http");
        Assert.DoesNotContain("Microsoft.Extensions.Http", loaded);
        Assert.DoesNotContain(loaded, name => name.StartsWith("Microsoft.Extensions.DependencyInjection", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Script_WithoutThePublishedLibrary_ExitsWith2AndSaysHowToPublishIt()
    {
        var result = await fixture.RunPwshAsync(["-File", fixture.Script, "-Domain", "example.test", "-LibraryPath", fixture.EmptyFolder]);

        Assert.True(result.ExitCode == 2, result.Output);
        Assert.Empty(result.StandardOutput.Trim());
        Assert.Contains("dotnet publish src/MtaSts -f net8.0", Unwrapped(result.StandardError), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Script_ByDefault_WritesATableThroughTheFormatFile_WithoutEscWhenRedirected()
    {
        // Run as from a colour terminal whose output is redirected to a file: PowerShell's default rendering would
        // colour the table header and the error; the module switches to plain text.
        var domain = ShortDomain(); // fits the Domain column
        World.PublishPolicy(domain, "tab1", MtaStsMode.Enforce, 86400, "mx." + domain);

        var result = await fixture.RunPwshAsync(["-File", fixture.Script, domain, "bad..name", .. fixture.WorldArguments()], colourTerminal: true);

        Assert.True(result.ExitCode == 2, result.Output);
        Assert.DoesNotContain('\x1b', result.StandardOutput);
        Assert.DoesNotContain('\x1b', result.StandardError);
        var lines = Lines(result.StandardOutput);
        var header = lines.FindIndex(line => Regex.IsMatch(line, @"^Domain\s+Outcome\s+Mode\s+Failure\s+Mx$"));
        Assert.True(header >= 0, "no table header row\n" + result.Output);
        Assert.Matches(@"^-+\s+-+\s+-+\s+-+\s+-+$", lines[header + 1]);
        Assert.Matches($@"^{Regex.Escape(domain)}\s+policy\s+enforce\s+mx\.", lines[header + 2]);
        Assert.DoesNotContain(lines, line => line.StartsWith("Summary", StringComparison.Ordinal)); // a table, not a list
        Assert.Contains("bad..name", result.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("definite", 0)]
    [InlineData("dns-failure", 1)]
    [InlineData("malformed", 2)]
    [InlineData("unknown-option", 2)]
    [InlineData("out-of-range", 2)]
    [InlineData("no-domain", 2)]
    public async Task Script_ExitCode_IsTheCliOne(string scenario, int expected)
    {
        // 0: a policy and no policy are definite; 1: a temporary DNS failure; 2: invalid input or bad usage.
        var withPolicy = UniqueDomain("exit-policy");
        World.PublishPolicy(withPolicy, "x1", MtaStsMode.Testing, 86400, "mx." + withPolicy);
        var failing = UniqueDomain("exit-servfail");
        World.Dns.SetFault("_mta-sts." + failing, DnsFault.ServerFailure);
        string[] arguments = scenario switch
        {
            "definite" => [withPolicy, UniqueDomain("exit-none")],
            "dns-failure" => [withPolicy, failing],
            "malformed" => [withPolicy, "bad..name.test"],
            "unknown-option" => [withPolicy, "-NoSuchOption"],
            "out-of-range" => [withPolicy, "-ThrottleLimit", "0"],
            "no-domain" => [],
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };

        var result = await fixture.RunPwshAsync(["-File", fixture.Script, .. arguments, .. fixture.WorldArguments(), "-AsJson"]);

        Assert.True(result.ExitCode == expected, result.Output);
        var records = JsonLines(result);
        switch (scenario)
        {
            case "definite":
                Assert.Equal(["policy", "no-policy"], records.Select(r => r.GetProperty("Outcome").GetString()));
                break;
            case "dns-failure":
                Assert.Equal(["policy", "dns-failure"], records.Select(r => r.GetProperty("Outcome").GetString()));
                Assert.Equal("dns-failure", records[1].GetProperty("Failure").GetString());
                break;
            case "malformed":
                Assert.Equal([withPolicy], records.Select(r => r.GetProperty("Domain").GetString())); // the others still resolve
                Assert.Contains("is not a domain name", Unwrapped(result.StandardError), StringComparison.Ordinal);
                break;
            case "unknown-option":
                Assert.Empty(records); // never taken for a domain
                Assert.Contains("Unknown parameter: -NoSuchOption", Unwrapped(result.StandardError), StringComparison.Ordinal);
                break;
            case "out-of-range":
                Assert.Empty(records);
                Assert.Contains("ThrottleLimit", result.StandardError, StringComparison.Ordinal);
                break;
            default:
                Assert.Empty(records);
                Assert.Contains("at least one domain", result.StandardError, StringComparison.Ordinal);
                break;
        }
    }

    [Fact]
    public async Task DANE_2_2_Plan_DaneHostFirst_MtaStsMismatchSkipped_AsJsonAndTable_WithTheCliExitCodes()
    {
        // mx1 has a secure TLSA 3 1 1 record (DANE decides); rogue has none and matches no pattern of the enforce
        // policy (MTA-STS skips it). The loopback server is a trusted resolver (loopback) and sets the AD bit.
        var domain = ShortDomain(); // mx1.<domain> fits the Host column
        var mx1 = "mx1." + domain;
        var rogue = "rogue." + domain;
        World.PublishDaneAndMtaSts(domain, "pl1", mx1, rogue);

        // An MTA-STS-only domain, and one whose MX lookup fails (deferred: exit code 1).
        var sts = UniqueDomain("plan-sts");
        World.PublishMx(sts, (5, "mx." + sts));
        World.PublishPolicy(sts, "ps1", MtaStsMode.Enforce, 604800, "mx." + sts);
        var deferred = UniqueDomain("plan-defer");
        World.Dns.SetFault(deferred, DnsRecordType.MX, DnsFault.ServerFailure);

        var parameters = string.Join(' ', fixture.WorldParameters().Select(p => p.Name + " " + Quote(p.Value)));
        var command =
            $"Import-Module {Quote(fixture.Module)}; " +
            $"Get-MtaStsDeliveryPlan '{domain}', '{sts}' {parameters} -AsJson; 'exit: ' + (Get-MtaStsExitCode); " +
            $"Get-MtaStsDeliveryPlan '{domain}' {parameters} | Out-String -Width 200; " +
            $"Get-MtaStsDeliveryPlan '{deferred}' {parameters} -AsJson; 'exit: ' + (Get-MtaStsExitCode)";

        var result = await fixture.RunPwshAsync(["-Command", command], colourTerminal: true);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.DoesNotContain('\x1b', result.StandardOutput);
        var records = JsonLines(result);
        Assert.Equal([mx1, rogue, "mx." + sts, null], records.Select(r => r.GetProperty("Host").GetString()));
        Assert.All(records.Take(2), r => Assert.Equal("deliver", r.GetProperty("Status").GetString()));
        Assert.All(records.Take(2), r => Assert.Equal("enforce", r.GetProperty("MtaSts").GetString()));
        Assert.True(records[0].GetProperty("MxSecure").GetBoolean());

        var dane = records[0];
        Assert.Equal(10, dane.GetProperty("Preference").GetInt32());
        Assert.True(dane.GetProperty("Usable").GetBoolean());
        Assert.True(dane.GetProperty("TlsRequired").GetBoolean());
        Assert.Equal("dane-ee", dane.GetProperty("Auth").GetString());
        Assert.Equal("usable", dane.GetProperty("Dane").GetString());
        Assert.Equal(mx1, dane.GetProperty("Sni").GetString());
        Assert.Equal(["127.0.0.1"], Strings(dane.GetProperty("Addresses")));
        Assert.NotEmpty(Strings(dane.GetProperty("Reasons")));

        var skipped = records[1];
        Assert.False(skipped.GetProperty("Usable").GetBoolean());
        Assert.Equal("pkix", skipped.GetProperty("Auth").GetString());
        Assert.False(skipped.GetProperty("MtaStsMatch").GetBoolean());
        Assert.Equal("validation-failure", skipped.GetProperty("ResultType").GetString());

        var pkix = records[2];
        Assert.True(pkix.GetProperty("Usable").GetBoolean());
        Assert.True(pkix.GetProperty("TlsRequired").GetBoolean());
        Assert.Equal("pkix", pkix.GetProperty("Auth").GetString());
        Assert.Equal("none", pkix.GetProperty("Dane").GetString());

        var defer = records[3];
        Assert.Equal("defer", defer.GetProperty("Status").GetString());
        Assert.False(defer.GetProperty("Usable").GetBoolean());
        Assert.False(string.IsNullOrEmpty(defer.GetProperty("Reason").GetString()), result.Output);
        Assert.Equal(["exit: 0", "exit: 1"], Lines(result.StandardOutput).Where(l => l.StartsWith("exit: ", StringComparison.Ordinal)));

        // The table view: one group per domain, a header row with the columns, one row per host.
        var lines = Lines(result.StandardOutput);
        Assert.Contains($"Domain: {domain} (deliver, MTA-STS enforce, MX secure)", lines.Select(l => l.Trim()));
        var header = lines.FindIndex(line => Regex.IsMatch(line, @"^Pref\s+Host\s+Usable\s+TlsRequired\s+Auth\s+Dane\s+Reason$"));
        Assert.True(header >= 0, "no table header row\n" + result.Output);
        Assert.Matches($@"^\s*10\s+{Regex.Escape(mx1)}\s+True\s+True\s+dane-ee\s+usable\s+\S", lines[header + 2]);
        Assert.Matches($@"^\s*20\s+{Regex.Escape(rogue)}\s+False\s+\w+\s+pkix\s+", lines[header + 3]);
    }

    private static string UniqueDomain(string label) => $"pwsh-{label}-{Guid.NewGuid().ToString("N")[..8]}.example.test";

    /// <summary>A unique name short enough for the table columns (t1234abcd.test).</summary>
    private static string ShortDomain() => $"t{Guid.NewGuid().ToString("N")[..8]}.test";

    /// <summary>A PowerShell single-quoted string literal.</summary>
    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>An error as PowerShell prints it, with its line wrapping and "|" margins taken out.</summary>
    private static string Unwrapped(string error) =>
        string.Join(' ', error.Split('\n').Select(line => line.Trim().TrimStart('|').Trim()).Where(line => line.Length > 0));

    private static List<string> Lines(string text) => text.Split('\n').Select(line => line.TrimEnd('\r', ' ')).ToList();

    private static List<JsonElement> JsonLines(ProcessResult result) =>
        result.StandardOutput.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString() ?? "(null)").ToArray();
}
