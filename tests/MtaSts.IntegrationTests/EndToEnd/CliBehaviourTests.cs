using System.Text.Json;
using MtaSts.Cli;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>Issue 9 §4, a CLI that behaves: usage errors exit 2, no exception text, input beside domain, one failure word, readable JSON, bounded stdin.</summary>
public sealed class CliBehaviourTests(WorldFixture fixture) : IClassFixture<WorldFixture>
{
    private MtaStsTestWorld World => fixture.World;

    [Theory]
    [InlineData("resolve")]
    [InlineData("plan")]
    public async Task AnUnknownOption_IsAUsageError_NeverADomain(string command)
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(command, "--bogus", "x.test");

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Contains("unknown option '--bogus'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("resolve", "--concurrency", "abc")]
    [InlineData("plan", "--dns-retries", "many")]
    [InlineData("postfix", "--lookup-timeout", "soon")]
    [InlineData("frobnicate", "x", "y")]
    public async Task ACommandLineThatDoesNotParse_IsAUsageError_ExitTwo(string command, string option, string value)
    {
        var (exitCode, output, error) = await CliRunner.RunAsync(command, option, value, "x.test");

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Contains("see mta-sts --help", error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.Int32", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1e300")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("NaN")]
    [InlineData("86401")]
    [InlineData("0.5")]
    [InlineData("1e-300")]
    [InlineData("301")]
    public async Task AnOutOfRangeTimeout_IsAUsageError_NotACrash(string value)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("resolve", "--timeout", value, "x.test");

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains("--timeout must be between 1 and 300 seconds", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain("PolicyFetch.", error, StringComparison.Ordinal); // the library's option names are not the tool's words
    }

    [Theory]
    [InlineData("--dns-timeout", "0.01", "--dns-timeout must be between 0.1 and 60 seconds")]
    [InlineData("--dns-timeout", "1e300", "--dns-timeout must be between 0.1 and 60 seconds")]
    [InlineData("--dns-retries", "9", "--dns-retries must be between 0 and 5")]
    public async Task DnsOptionsOutOfRange_AreUsageErrors(string option, string value, string message)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("resolve", option, value, "x.test");

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDnsOptions_BoundHowLongADeadServerIsWaitedFor()
    {
        using var silent = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var server = silent.Client.LocalEndPoint!.ToString()!;
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var (exitCode, output, _) = await CliRunner.RunAsync("resolve", "--json", "--name-server", server, "--dns-timeout", "0.3", "--dns-retries", "0", "x.test");

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("\"outcome\":\"dns-failure\"", output, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed} (the default would be 3 × 5 s)");
    }

    [Theory]
    [InlineData(1, "--dns-retries", "5")]
    [InlineData(1, "--dns-timeout", "3")]
    [InlineData(3)]
    public async Task TheTimeout_BoundsADnsLookup_WhateverTheDnsOptions(int servers, params string[] dnsOptions)
    {
        // Silent servers: every try waits its whole timeout. With --timeout 2 and no bound after every DNS option these
        // take 3.5 s (seven tries of 0.5 s), 12 s (four of 3 s) and about 4.5 s (three servers).
        var silent = Enumerable.Range(0, servers)
            .Select(_ => new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0)))
            .ToList();
        try
        {
            string[] arguments = ["resolve", "--json", "--timeout", "2", .. dnsOptions, .. silent.SelectMany(s => new[] { "--name-server", s.Client.LocalEndPoint!.ToString()! }), "x.test"];
            var watch = System.Diagnostics.Stopwatch.StartNew();

            var (exitCode, output, _) = await CliRunner.RunAsync(arguments);

            Assert.Equal(ExitCodes.Failure, exitCode);
            Assert.Contains("\"outcome\":\"dns-failure\"", output, StringComparison.Ordinal);
            // Two seconds of budget and some scheduling slack.
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.8), $"took {watch.Elapsed}");
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
        }
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("-x")]
    public async Task Lint_AnUnknownOption_IsAUsageError_NotAFileName(string option)
    {
        var (exitCode, _, error) = await CliRunner.RunAsync("lint", option);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains($"unknown option '{option}'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot read the policy file", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("resolve")]
    [InlineData("plan")]
    [InlineData("check")]
    [InlineData("probe")]
    public async Task HostileInput_IsEchoedInTextOutput_Escaped(string command)
    {
        // An ESC sequence and a right-to-left override, as a line of a domain list may hold: shown, never obeyed.
        var (exitCode, output, error) = await CliRunner.RunAsync([command, "x\u001b[31mred\u202eok.test", .. CliRunner.WorldArguments(World)]);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        var shown = output + error;
        Assert.Contains("x\\u001b[31mred\\u202eok.test", shown, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', shown);
        Assert.DoesNotContain('\u202e', shown);
    }

    [Fact]
    public async Task AnInvalidDomain_IsReportedInTheToolsWords_WithItsInput()
    {
        var (exitCode, output, _) = await CliRunner.RunAsync(["resolve", "--json", "bad..name", .. CliRunner.WorldArguments(World)]);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("bad..name", json.RootElement.GetProperty("input").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("domain").ValueKind);
        var message = json.RootElement.GetProperty("error").GetString()!;
        Assert.Contains("empty label", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInternationalisedInput_ComesBackBesideItsALabel()
    {
        var domain = "bücher-" + WorldFixture.UniqueDomain("idn");
        var aLabel = DomainName.Normalize(domain);
        World.PublishPolicy(aLabel, "idn1", MtaStsMode.Testing, 86400, "mx." + aLabel);

        var (_, output, _) = await CliRunner.RunAsync(["resolve", "--json", domain, .. CliRunner.WorldArguments(World)]);

        using var json = JsonDocument.Parse(output);
        Assert.Equal(domain, json.RootElement.GetProperty("input").GetString());
        Assert.Equal(aLabel, json.RootElement.GetProperty("domain").GetString());
        Assert.Contains("\"input\":\"bücher-", output, StringComparison.Ordinal); // UTF-8, not \u00FC
    }

    [Fact]
    public async Task TheFailureWord_IsTheSameInTextAndJson_BesideTheRfc8460ResultType()
    {
        var missing = WorldFixture.UniqueDomain("cli-word");

        var (_, text, _) = await CliRunner.RunAsync(["resolve", missing, .. CliRunner.WorldArguments(World)]);
        var (_, jsonText, _) = await CliRunner.RunAsync(["resolve", "--json", missing, .. CliRunner.WorldArguments(World)]);

        using var json = JsonDocument.Parse(jsonText);
        Assert.Equal("record-not-found", json.RootElement.GetProperty("failure").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("result_type").ValueKind);
        Assert.Contains("failure: record-not-found", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_EscapesOnlyWhatJsonRequires()
    {
        var (_, output, _) = await CliRunner.RunAsync("resolve", "--json", "a'§>.test");

        Assert.Contains("a'§>.test", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00A7", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\\u003E", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void StdinLines_AreReadInBoundedMemory_AndAnOverlongLineIsInvalidInput()
    {
        var huge = new string('a', 5_000_000);
        var inputs = DomainBatch.ReadInputs(["-"], new StringReader($"first.test\r\n{huge}\nsecond.test\n")).ToList();

        Assert.Equal(3, inputs.Count);
        Assert.Equal("first.test", inputs[0]);
        Assert.Equal(DomainBatch.MaxLineLength + 1, inputs[1].Length); // kept only far enough to be refused
        Assert.False(DomainName.TryNormalize(inputs[1], out _, out _));
        Assert.Equal("second.test", inputs[2]);
    }
}
