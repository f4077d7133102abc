using System.Diagnostics;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>The samples, built with the solution, run as processes against the loopback world.</summary>
public sealed class SampleTests(WorldFixture fixture) : IClassFixture<WorldFixture>
{
    private MtaStsTestWorld World => fixture.World;

    [Theory]
    [InlineData("QuickStart")]
    [InlineData("Hosting")]
    public async Task Sample_ResolvesAPolicyFromTheTestWorld(string sample)
    {
        var domain = WorldFixture.UniqueDomain("sample");
        World.PublishPolicy(domain, "s1", MtaStsMode.Enforce, 604800, "mx1." + domain);
        var pem = Path.Combine(Path.GetTempPath(), $"mtasts-root-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(pem, World.CertificateAuthority.RootCertificate.ExportCertificatePem());

        var (exitCode, output) = await RunSampleAsync(sample, pem, domain, "mx1." + domain);

        Assert.True(exitCode == 0, output);
        Assert.Contains(domain + ": mode enforce", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mta_DeliversOverTls_AndKeepsTheSessionInTheReportStore()
    {
        var domain = WorldFixture.UniqueDomain("sample-mta");
        var mx = "mx." + domain;
        World.PublishMxHost(domain, 10, mx);
        World.PublishPolicy(domain, "s1", MtaStsMode.Enforce, 604800, mx);
        World.Dns.AddTxt("_smtp._tls." + domain, "v=TLSRPTv1; rua=mailto:tlsrpt@" + domain);
        var pem = Path.Combine(Path.GetTempPath(), $"mtasts-root-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(pem, World.CertificateAuthority.RootCertificate.ExportCertificatePem());
        var store = Directory.CreateTempSubdirectory("mtasts-sample-mta-store-");
        var body = Path.Combine(store.FullName, "body.txt");
        await File.WriteAllTextAsync(body, "Hello " + domain);

        var (exitCode, output) = await RunSampleAsync("Mta", pem, "bob@" + domain, "alice@sender.example", body,
            "--port", World.Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--report-store", store.FullName);

        Assert.True(exitCode == 0, output);
        Assert.Contains("delivered to " + mx, output, StringComparison.Ordinal);
        Assert.Contains("Hello " + domain, Assert.Single(World.Smtp.Messages, m => m.Host == mx).GetText(), StringComparison.Ordinal);
        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);
        var reports = new FileTlsReportStore(store.FullName);
        var counts = await reports.GetAsync(today, domain) ?? await reports.GetAsync(today.AddDays(-1), domain); // a run across midnight
        Assert.Equal(1, counts?.SuccessfulSessions);
        store.Delete(recursive: true);
    }

    private async Task<(int ExitCode, string Output)> RunSampleAsync(string sample, string pem, params string[] args)
    {
        var assembly = LocateSample(sample);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["MTASTS_NAME_SERVER"] = World.Dns.EndPoint.ToString();
        start.Environment["MTASTS_TRUST_ANCHOR"] = pem;
        start.Environment["MTASTS_POLICY_HOST_PORT"] = World.PolicyHost.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The sample's built assembly: samples/&lt;name&gt;/bin/&lt;configuration&gt;/net10.0/&lt;name&gt;.dll, same configuration as this test assembly.</summary>
    private static string LocateSample(string sample)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent!.Name;
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "MtaSts.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var path = Path.Combine(root.FullName, "samples", sample, "bin", configuration, "net10.0", sample + ".dll");
        Assert.True(File.Exists(path), $"The sample is not built at {path}; build the solution first (dotnet test builds it).");
        return path;
    }
}
