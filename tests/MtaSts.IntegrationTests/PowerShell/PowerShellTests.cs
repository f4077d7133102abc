using System.Text.Json;
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
        Assert.Equal(domain, record.GetProperty("Domain").GetString());
        Assert.Equal("Policy", record.GetProperty("Outcome").GetString());
        Assert.Equal("Enforce", record.GetProperty("Mode").GetString());
        Assert.Equal<string>(["mx1." + domain, "*.mx." + domain], Strings(record.GetProperty("Mx")));
        Assert.Equal(604800, record.GetProperty("MaxAge").GetInt64());
        Assert.Equal("20240601T000000", record.GetProperty("Id").GetString());
        Assert.Equal("Fetched", record.GetProperty("Source").GetString());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("Failure").ValueKind);
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

        Assert.True(result.ExitCode == 1, "a malformed name must make the exit code 1\n" + result.Output);
        Assert.Contains("bad..name", result.StandardError, StringComparison.Ordinal);
        var records = JsonLines(result);
        Assert.Equal([testing, none, expired], records.Select(r => r.GetProperty("Domain").GetString()));

        Assert.Equal("Policy", records[0].GetProperty("Outcome").GetString());
        Assert.Equal("Testing", records[0].GetProperty("Mode").GetString());
        Assert.Equal<string>(["mx." + testing], Strings(records[0].GetProperty("Mx"))); // one pattern is still an array

        Assert.Equal("NoPolicy", records[1].GetProperty("Outcome").GetString());
        Assert.Equal("None", records[1].GetProperty("Source").GetString());
        Assert.Equal(JsonValueKind.Null, records[1].GetProperty("Mode").ValueKind);
        Assert.Empty(Strings(records[1].GetProperty("Mx")));

        Assert.Equal("FetchFailure", records[2].GetProperty("Outcome").GetString());
        Assert.Equal("sts-webpki-invalid", records[2].GetProperty("Failure").GetString());
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
    public async Task Script_WithoutThePublishedLibrary_ExitsWith1AndSaysHowToPublishIt()
    {
        var result = await fixture.RunPwshAsync(["-File", fixture.Script, "-Domain", "example.test", "-LibraryPath", fixture.EmptyFolder]);

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Empty(result.StandardOutput.Trim());
        Assert.Contains("dotnet publish src/MtaSts -f net8.0", Unwrapped(result.StandardError), StringComparison.Ordinal);
    }

    private static string UniqueDomain(string label) => $"pwsh-{label}-{Guid.NewGuid().ToString("N")[..8]}.example.test";

    /// <summary>A PowerShell single-quoted string literal.</summary>
    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>An error as PowerShell prints it, with its line wrapping and "|" margins taken out.</summary>
    private static string Unwrapped(string error) =>
        string.Join(' ', error.Split('\n').Select(line => line.Trim().TrimStart('|').Trim()).Where(line => line.Length > 0));

    private static List<JsonElement> JsonLines(ProcessResult result) =>
        result.StandardOutput.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString() ?? "(null)").ToArray();
}
