using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MtaSts.Cli;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>Runs the <c>mta-sts</c> command in-process or as its own process, and the options that point it at a loopback world.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Runs <c>mta-sts</c> as a separate process (<c>dotnet mta-sts.dll</c>, built next to this test assembly): a fresh
    /// runtime, so nothing but the policy store carries over from one run to the next.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunProcessAsync(params string[] args)
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, "mta-sts.dll");
        Assert.True(File.Exists(assembly), $"mta-sts is not built at {assembly}; build the test project first.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.StandardInput.Close();
        var (stdout, stderr) = await WaitAsync(process, args);
        return (process.ExitCode, stdout, stderr);
    }

    /// <summary>
    /// Runs <c>mta-sts</c> as a separate process on a pseudo-terminal (util-linux <c>script</c>), as a user at a terminal
    /// would, with <c>TERM=xterm-256color</c> and no CI markers, and returns what the terminal received.
    /// </summary>
    public static async Task<(int ExitCode, string Terminal)> RunOnTerminalAsync(params string[] args)
    {
        Assert.True(File.Exists("/usr/bin/script"), "util-linux 'script' is needed to give mta-sts a terminal (apt-get install bsdutils).");
        var assembly = Path.Combine(AppContext.BaseDirectory, "mta-sts.dll");
        var command = string.Join(' ', new[] { "dotnet", assembly }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var start = new ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "--quiet", "--return", "--command", command, "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["TERM"] = "xterm-256color";
        start.Environment["COLUMNS"] = "120";
        foreach (var marker in new[] { "CI", "GITHUB_ACTIONS", "TF_BUILD", "GITLAB_CI", "JENKINS_URL", "TRAVIS", "NO_COLOR", "TEAMCITY_VERSION", "APPVEYOR" })
        {
            start.Environment.Remove(marker);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("script did not start");
        var (stdout, stderr) = await WaitAsync(process, args);
        return (process.ExitCode, stdout + stderr);
    }

    private static async Task<(string Output, string Error)> WaitAsync(Process process, string[] args)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mta-sts {string.Join(' ', args)} did not finish within 60 s");
        }

        return (await stdout, await stderr);
    }

    /// <summary>--name-server, --trust-anchor (the world's root written to a PEM file), --policy-host-port, --allow-private-policy-hosts and --timeout.</summary>
    /// <summary>
    /// The restart scenario (RFC 8461 §3.3): process 1 fetches an <c>enforce</c> policy; process 2, a fresh runtime with
    /// the same <paramref name="storeArguments"/>, resolves while discovery answers SERVFAIL and the policy host 500.
    /// Returns process 2's exit code and JSON line.
    /// </summary>
    public static async Task<(int ExitCode, System.Text.Json.JsonElement Json)> RestartWhileDiscoveryFailsAsync(MtaStsTestWorld world, string label, string[] storeArguments)
    {
        var domain = WorldFixture.UniqueDomain(label);
        world.PublishPolicy(domain, "r1", MtaStsMode.Enforce, 604800, "mx1." + domain);
        var first = await RunProcessAsync(["resolve", "--json", .. storeArguments, domain, .. WorldArguments(world)]);
        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.Equal("fetched", JsonLine(first.Output).GetProperty("source").GetString());

        world.Dns.SetFault("_mta-sts." + domain, DnsFault.ServerFailure);
        world.PolicyHost.SetResponse("mta-sts." + domain, new PolicyResponse { StatusCode = 500 });
        try
        {
            var second = await RunProcessAsync(["resolve", "--json", .. storeArguments, domain, .. WorldArguments(world)]);
            Assert.True(second.Error.Length == 0, second.Error);
            return (second.ExitCode, JsonLine(second.Output));
        }
        finally
        {
            world.Dns.ClearFault("_mta-sts." + domain);
        }
    }

    /// <summary>The one JSON object of a single-line output.</summary>
    public static System.Text.Json.JsonElement JsonLine(string output)
    {
        using var document = System.Text.Json.JsonDocument.Parse(output.Trim());
        return document.RootElement.Clone();
    }

    public static string[] WorldArguments(MtaStsTestWorld world)
    {
        var pem = Path.Combine(Path.GetTempPath(), $"mtasts-root-{Guid.NewGuid():N}.pem");
        File.WriteAllText(pem, world.CertificateAuthority.RootCertificate.ExportCertificatePem());
        return ["--name-server", world.Dns.EndPoint.ToString(), "--trust-anchor", pem, "--policy-host-port", world.PolicyHost.Port.ToString(CultureInfo.InvariantCulture), "--allow-private-policy-hosts", "--timeout", "5"];
    }
}
