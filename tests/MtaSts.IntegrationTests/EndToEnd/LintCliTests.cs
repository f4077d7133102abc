using System.Text.Json;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary><c>mta-sts lint</c> (issue 9 §2): the sender's own parsers and codes on a candidate policy and record, and the live MX set.</summary>
public sealed class LintCliTests(WorldFixture fixture) : IClassFixture<WorldFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mtasts-lint-").FullName;

    private MtaStsTestWorld World => fixture.World;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Lint_ABrokenPolicy_NamesEachProblemAtItsLine_WithTheParsersCodes_AndExitsOne()
    {
        var path = Write("version: STSv1\r\nmode: enfroce\r\nmx: mx.example.test\r\nmax_age: 86400 \r\n");

        var (exitCode, output, _) = await CliRunner.RunAsync(["lint", path]);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{path}:2: error {MtaStsDiagnosticCodes.ModeInvalid}: ", output, StringComparison.Ordinal);
        Assert.Contains($"{path}:4: warning {MtaStsDiagnosticCodes.TrailingWhitespace}: ", output, StringComparison.Ordinal);
        Assert.Contains("not ok: 1 error, 1 warning", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_AFileThatIsNotUtf8_SaysSo_NotThatItIsTooLarge()
    {
        var path = Path.Combine(_folder, "latin1.txt");
        await File.WriteAllBytesAsync(path, [.. "version: STSv1\nmode: enforce\nmx: m"u8, 0xFF, .. ".x\nmax_age: 86400\n"u8]);

        var (exitCode, output, _) = await CliRunner.RunAsync(["lint", path]);

        Assert.Equal(1, exitCode);
        Assert.Contains($"error {TlsRptReasonCodes.InvalidUtf8}: The file is not valid UTF-8", output, StringComparison.Ordinal);
        Assert.DoesNotContain("64 KiB", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_AGoodPolicyAndRecord_ExitZero_AndTheJsonSaysOk()
    {
        var path = Write(MtaStsTestWorld.BuildPolicy(MtaStsMode.Enforce, 604800, "mx.example.test"));

        var (exitCode, output, _) = await CliRunner.RunAsync(["lint", "--json", "--record", "v=STSv1; id=20261202", path]);

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("enforce", json.RootElement.GetProperty("mode").GetString());
        Assert.Empty(json.RootElement.GetProperty("findings").EnumerateArray());
    }

    [Fact]
    public async Task Lint_ABadRecord_IsAnError_WithItsCode()
    {
        var (exitCode, output, _) = await CliRunner.RunAsync(["lint", "--json", "--record", "v=STSv1; id=not valid!"]);

        Assert.Equal(1, exitCode);
        using var json = JsonDocument.Parse(output);
        var finding = Assert.Single(json.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("record", finding.GetProperty("source").GetString());
        Assert.Equal("error", finding.GetProperty("severity").GetString());
        Assert.Contains(finding.GetProperty("code").GetString(), MtaStsDiagnosticCodes.All);

        // The documented members are there even when empty: no policy, and a record finding has no line.
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("mode").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("max_age").ValueKind);
        Assert.Equal(JsonValueKind.Null, finding.GetProperty("line").ValueKind);
    }

    [Fact]
    public async Task STS_4_1_Lint_MxOf_NamesTheMxAnEnforceSenderWouldRefuse_AWildcardMeantDeeper_AndAStalePattern()
    {
        var domain = WorldFixture.UniqueDomain("lint");
        World.PublishMx(domain, (10, "mx1." + domain), (20, "x.y.z." + domain));
        var path = Write(MtaStsTestWorld.BuildPolicy(MtaStsMode.Enforce, 604800, "mx1." + domain, "*.z." + domain, "old." + domain));

        var (exitCode, output, _) = await CliRunner.RunAsync(["lint", "--json", path, "--mx-of", domain, .. CliRunner.WorldArguments(World)]);

        Assert.Equal(1, exitCode);
        using var json = JsonDocument.Parse(output);
        var findings = json.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => (Severity: f.GetProperty("severity").GetString(), Code: f.GetProperty("code").GetString(), Message: f.GetProperty("message").GetString()!))
            .ToList();
        Assert.Equal(3, findings.Count);
        Assert.Contains(findings, f => f is { Severity: "error", Code: "mx-not-covered" } && f.Message.Contains("x.y.z." + domain, StringComparison.Ordinal));
        Assert.Contains(findings, f => f is { Severity: "warning", Code: "wildcard-one-label-only" } && f.Message.Contains("*.z." + domain, StringComparison.Ordinal));
        Assert.Contains(findings, f => f is { Severity: "warning", Code: "pattern-matches-no-mx" } && f.Message.Contains("old." + domain, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lint_APolicyOver64KiB_IsAnError_ReadInBoundedMemory()
    {
        var path = Write("version: STSv1\r\n" + new string('#', 200_000));

        var (exitCode, output, _) = await CliRunner.RunAsync(["lint", path]);

        Assert.Equal(1, exitCode);
        Assert.Contains("error body-too-large", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "needs a policy file")]
    [InlineData(new[] { "--mx-of", "example.test", "--record", "v=STSv1; id=1" }, "needs a policy file")]
    [InlineData(new[] { "/nonexistent/policy.txt" }, "does not exist")]
    public async Task Lint_UsageErrors_ExitTwo_WithAMessage(string[] args, string message)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync(["lint", .. args]);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
