using System.CommandLine;
using System.Text.Json;
using MtaSts.Cli;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>The <c>mta-sts</c> command, parsed and run in-process against the loopback world.</summary>
public sealed class CliTests(WorldFixture fixture) : IClassFixture<WorldFixture>
{
    private MtaStsTestWorld World => fixture.World;

    private string[] WorldArguments() => CliRunner.WorldArguments(World);

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync(args);

    [Fact]
    public async Task Resolve_Json_WritesOneObjectPerDomainWithTheDocumentedFields()
    {
        var good = WorldFixture.UniqueDomain("cli-good");
        var missing = WorldFixture.UniqueDomain("cli-none");
        World.PublishPolicy(good, "cli1", MtaStsMode.Enforce, 604800, "mx1." + good, "*.mx." + good);

        var (exitCode, output, _) = await RunAsync(["resolve", "--json", good, missing, .. WorldArguments()]);

        Assert.Equal(0, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var policy = first.RootElement;
        Assert.Equal(good, policy.GetProperty("domain").GetString());
        Assert.Equal("policy", policy.GetProperty("outcome").GetString());
        Assert.Equal("enforce", policy.GetProperty("mode").GetString());
        Assert.Equal(["mx1." + good, "*.mx." + good], policy.GetProperty("mx").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(604800, policy.GetProperty("max_age").GetInt64());
        Assert.Equal("cli1", policy.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, policy.GetProperty("failure").ValueKind);
        Assert.Equal("fetched", policy.GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Array, policy.GetProperty("warnings").ValueKind);
        Assert.Equal(JsonValueKind.Null, policy.GetProperty("error").ValueKind);
        Assert.True(policy.GetProperty("elapsed_ms").GetInt64() >= 0);
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(missing, second.RootElement.GetProperty("domain").GetString());
        Assert.Equal("no-policy", second.RootElement.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Resolve_FetchFailure_ReportsTheResultTypeAndExitsOne()
    {
        var domain = WorldFixture.UniqueDomain("cli-404");
        World.PublishPolicy(domain, "x1", MtaStsMode.Enforce, 604800, "mx." + domain);
        World.PolicyHost.SetResponse("mta-sts." + domain, new PolicyResponse { StatusCode = 404 });

        var (exitCode, output, _) = await RunAsync(["resolve", "--json", domain, .. WorldArguments()]);

        Assert.Equal(1, exitCode);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("fetch-failure", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal("sts-policy-fetch-error", json.RootElement.GetProperty("failure").GetString());
        Assert.Contains("404", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_InvalidInput_IsReportedPerDomainAndExitsTwo()
    {
        var (exitCode, output, _) = await RunAsync(["resolve", "--json", "not a domain", "192.0.2.1", .. WorldArguments()]);

        Assert.Equal(2, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal("invalid-input", json.RootElement.GetProperty("outcome").GetString());
            Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("error").GetString()));
        }
    }

    [Fact]
    public async Task Resolve_Text_ShowsModePatternsAndWarnings()
    {
        var domain = WorldFixture.UniqueDomain("cli-text");
        World.PublishPolicy(domain, "t1", "version: STSv1\r\nmode: testing\r\nmx: mx." + domain + ".\r\nmax_age: 86400\r\n");

        var (exitCode, output, _) = await RunAsync(["resolve", domain, .. WorldArguments()]);

        Assert.Equal(0, exitCode);
        Assert.Contains("mode=testing", output, StringComparison.Ordinal);
        Assert.Contains("mx=[mx." + domain + "]", output, StringComparison.Ordinal);
        Assert.Contains("warning:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_BadNameServer_IsAClearErrorAndExitsTwo()
    {
        var (exitCode, _, error) = await RunAsync("resolve", "example.test", "--name-server", "not-an-ip");

        Assert.Equal(2, exitCode);
        Assert.Contains("not-an-ip", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_Stdin_ReadsOneDomainPerLineSkippingBlanksAndComments()
    {
        var inputs = ResolveCommand.ReadInputs(["a.example.test", "-", "z.example.test"], new StringReader("b.example.test\n\n# comment\n  c.example.test  \n")).ToList();

        Assert.Equal(["a.example.test", "b.example.test", "c.example.test", "z.example.test"], inputs);
    }

    [Fact]
    public async Task Demo_EveryExampleBehavesAsExpected()
    {
        var (exitCode, output, _) = await RunAsync("demo");

        Assert.True(exitCode == 0, output);
        Assert.Contains("all as expected", output, StringComparison.Ordinal);
        Assert.DoesNotContain("UNEXPECTED", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_ShowsDeliveryPlans_WithDaneDecidingAHostAheadOfMtaSts()
    {
        var (exitCode, output, _) = await RunAsync("demo", "--json");

        Assert.Equal(0, exitCode);
        var plans = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)
            .Where(line => line.TryGetProperty("status", out _)).ToList();
        Assert.Equal(2, plans.Count);
        var dane = plans.Single(p => p.GetProperty("domain").GetString() == "dane.example.test");
        Assert.Equal("dane-ee", dane.GetProperty("mx")[0].GetProperty("auth").GetString());
        Assert.True(dane.GetProperty("mx")[0].GetProperty("use").GetBoolean());
        var enforce = plans.Single(p => p.GetProperty("domain").GetString() == "enforce.example.test");
        Assert.False(enforce.GetProperty("mx")[1].GetProperty("use").GetBoolean());
    }

    [Fact]
    public async Task Concurrency_BoundsWorkInFlight_AndKeepsInputOrder()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        var written = new List<string>();
        var inputs = Enumerable.Range(0, 12).Select(i => $"d{i}.example.test").ToList();

        var exitCode = await DomainBatch.RunAsync(
            inputs,
            concurrency: 3,
            async input =>
            {
                var now = Interlocked.Increment(ref inFlight);
                lock (written)
                {
                    maxInFlight = Math.Max(maxInFlight, now);
                }

                // Later inputs finish first, so completion order differs from input order.
                await Task.Delay(40 - (int.Parse(input[1..input.IndexOf('.', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture) % 3 * 15));
                Interlocked.Decrement(ref inFlight);
                return input;
            },
            record =>
            {
                written.Add(record);
                return 0;
            });

        Assert.Equal(0, exitCode);
        Assert.Equal(inputs, written);
        Assert.Equal(3, maxInFlight);
    }

    [Fact]
    public async Task Batch_WritesAnAnswerAsSoonAsItIsReady_WhileTheInputStaysOpen()
    {
        // Standard input kept open by its writer (a feeder, a person typing): the second name comes only once the first
        // answer is out. Holding answers until the window fills or the input ends would wait here for ever.
        using var firstWritten = new ManualResetEventSlim();
        var waitedForTheFirstAnswer = false;
        IEnumerable<string> Inputs()
        {
            yield return "first.example.test";
            waitedForTheFirstAnswer = firstWritten.Wait(TimeSpan.FromSeconds(20));
            yield return "second.example.test";
        }

        var written = new List<string>();
        var exitCode = await DomainBatch.RunAsync(
            Inputs(),
            concurrency: 8,
            input => Task.FromResult(input),
            record =>
            {
                written.Add(record);
                firstWritten.Set();
                return record.StartsWith("second", StringComparison.Ordinal) ? 1 : 0;
            });

        Assert.True(waitedForTheFirstAnswer, "the first answer was held back until more input came");
        Assert.Equal(["first.example.test", "second.example.test"], written);
        Assert.Equal(1, exitCode);
    }

    [Fact]
    public async Task Resolve_FromAnOpenStandardInput_AnswersEachNameBeforeTheNextArrives()
    {
        var first = WorldFixture.UniqueDomain("cli-stream1");
        var second = WorldFixture.UniqueDomain("cli-stream2");
        World.PublishPolicy(first, "s1", MtaStsMode.Enforce, 86400, "mx." + first);
        World.PublishPolicy(second, "s2", MtaStsMode.Testing, 86400, "mx." + second);
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "mta-sts.dll"), "resolve", "-", "--json", .. WorldArguments()])
        {
            start.ArgumentList.Add(arg);
        }

        using var cli = System.Diagnostics.Process.Start(start)!;
        var errors = cli.StandardError.ReadToEndAsync();
        try
        {
            // One name at a time, standard input left open: each answer must come while the CLI waits for more input.
            foreach (var (domain, mode) in new[] { (first, "enforce"), (second, "testing") })
            {
                await cli.StandardInput.WriteLineAsync(domain);
                await cli.StandardInput.FlushAsync();
                var line = await cli.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
                var answer = CliRunner.JsonLine(line!);
                Assert.Equal(domain, answer.GetProperty("domain").GetString());
                Assert.Equal(mode, answer.GetProperty("mode").GetString());
            }

            cli.StandardInput.Close();
            await cli.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, cli.ExitCode);
            Assert.Null(await cli.StandardOutput.ReadLineAsync());
        }
        finally
        {
            if (!cli.HasExited)
            {
                cli.Kill(entireProcessTree: true);
            }

            _ = await errors;
        }
    }

    [Fact]
    public async Task Batch_AFailingWriter_StopsTheBatch_WithoutWaitingForMoreInput()
    {
        using var never = new ManualResetEventSlim();
        IEnumerable<string> Inputs()
        {
            yield return "a.example.test";
            never.Wait(TimeSpan.FromSeconds(30)); // standard input that stays open and silent
            yield return "b.example.test";
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAsync<IOException>(() => DomainBatch.RunAsync<string>(Inputs(), 4, Task.FromResult, _ => throw new IOException("broken pipe")));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        never.Set();
    }

    [Fact]
    public async Task Timeout_BoundsTheDnsBudgetToo()
    {
        // A silent DNS server: with the library's DNS defaults (5 s, 2 retries) the TXT lookup alone would take 15 s.
        var domain = WorldFixture.UniqueDomain("clidnsbudget");
        World.Dns.SetFault("_mta-sts." + domain, DnsFault.Timeout);
        var args = WorldArguments();
        args[Array.IndexOf(args, "--timeout") + 1] = "1";
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var (exitCode, output, _) = await RunAsync(["resolve", domain, .. args]);

        watch.Stop();
        Assert.NotEqual(0, exitCode);
        Assert.Contains("dns", output, StringComparison.OrdinalIgnoreCase);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the lookup took {watch.Elapsed}");
    }
}
