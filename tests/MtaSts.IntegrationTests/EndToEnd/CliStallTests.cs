using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>
/// Issue 10 §1: a batch of policy hosts that accept the connection and then say nothing. With --concurrency N the batch
/// takes about (domains / N) × --timeout, as --help says, also when N is above the library's own fetch limit (64).
/// </summary>
public sealed class CliStallTests(WorldFixture fixture) : IClassFixture<WorldFixture>
{
    [Fact]
    public async Task ABatchOfStallingPolicyHosts_TakesOneTimeoutPerWaveOfConcurrency_AboveTheLibraryFetchLimitToo()
    {
        const int domains = 130; // more than twice the library's 64 fetches in flight: three waves if that limit applied
        var world = fixture.World;
        var names = Enumerable.Range(0, domains).Select(i => WorldFixture.UniqueDomain($"stall{i}")).ToArray();
        foreach (var name in names)
        {
            world.PublishPolicy(name, "s1", MtaStsMode.Enforce, 86400, "mx." + name);
        }

        // Connections complete in the kernel's backlog and are never read or answered: every TLS handshake stalls.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(domains * 2);
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var pem = Path.Combine(Path.GetTempPath(), $"mtasts-root-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(pem, world.CertificateAuthority.RootCertificate.ExportCertificatePem());

        var clock = Stopwatch.StartNew();
        var (exitCode, output, error) = await CliRunner.RunAsync(
        [
            "resolve", "--json", "--concurrency", domains.ToString(CultureInfo.InvariantCulture), "--timeout", "2",
            "--name-server", world.Dns.EndPoint.ToString(), "--trust-anchor", pem, "--allow-private-policy-hosts",
            "--policy-host-port", port.ToString(CultureInfo.InvariantCulture), .. names,
        ]);
        var elapsed = clock.Elapsed;

        Assert.True(exitCode == 1, error);
        var records = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement).ToArray();
        Assert.Equal(domains, records.Length);
        Assert.All(records, record =>
        {
            Assert.Equal("fetch-failure", record.GetProperty("outcome").GetString());
            Assert.Equal("sts-policy-fetch-error", record.GetProperty("failure").GetString());
        });

        // One wave is one 2 s timeout; three (the library's limit of 64 applied to 130 domains) would be 6 s or more.
        Assert.True(elapsed < TimeSpan.FromSeconds(4.5), $"130 stalling hosts at --concurrency 130 took {elapsed.TotalSeconds:F1} s");
        Assert.True(elapsed >= TimeSpan.FromSeconds(1.9), $"the fetches ended before their 2 s timeout ({elapsed.TotalSeconds:F1} s)");
    }

    [Fact]
    public async Task AStalledFetch_LeavesNoConnectionBehind_WhenItsAttemptsTimeOut()
    {
        // Three attempts of about 3.3 s each (--timeout 10, two retries; the connect timeout stays 10 s). SocketsHttpHandler would keep each abandoned
        // handshake going for up to 5 s more, for a later request to the same host; mta-sts closes it when the attempt ends.
        const int domains = 10;
        var world = fixture.World;
        var names = Enumerable.Range(0, domains).Select(i => WorldFixture.UniqueDomain($"linger{i}")).ToArray();
        foreach (var name in names)
        {
            world.PublishPolicy(name, "l1", MtaStsMode.Enforce, 86400, "mx." + name);
        }

        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(64);
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var closedAt = new System.Collections.Concurrent.ConcurrentBag<TimeSpan>();
        var accepted = 0;
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            var readers = new List<Task>();
            try
            {
                while (true)
                {
                    var client = await silent.AcceptTcpClientAsync(stop.Token);
                    Interlocked.Increment(ref accepted);
                    readers.Add(Task.Run(async () =>
                    {
                        using (client)
                        {
                            // Read whatever the client sends (its ClientHello) and never answer, until it closes.
                            var buffer = new byte[4096];
                            var stream = client.GetStream();
                            try
                            {
                                while (await stream.ReadAsync(buffer, stop.Token) > 0)
                                {
                                }
                            }
                            catch (Exception e) when (e is IOException or OperationCanceledException)
                            {
                                return;
                            }

                            closedAt.Add(clock.Elapsed);
                        }
                    }));
                }
            }
            catch (OperationCanceledException)
            {
            }

            await Task.WhenAll(readers);
        });

        var pem = Path.Combine(Path.GetTempPath(), $"mtasts-root-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(pem, world.CertificateAuthority.RootCertificate.ExportCertificatePem());
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "mta-sts.dll"), "resolve", "-", "--json", "--concurrency", domains.ToString(CultureInfo.InvariantCulture),
            "--timeout", "10", "--name-server", world.Dns.EndPoint.ToString(), "--trust-anchor", pem, "--allow-private-policy-hosts",
            "--policy-host-port", port.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(arg);
        }

        using var cli = Process.Start(start)!;
        var errors = cli.StandardError.ReadToEndAsync();
        try
        {
            foreach (var name in names)
            {
                await cli.StandardInput.WriteLineAsync(name);
            }

            await cli.StandardInput.FlushAsync();
            for (var i = 0; i < domains; i++)
            {
                // Standard input stays open: the CLI keeps running, so only its own handling can close the connections.
                var line = await cli.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Contains("\"outcome\":\"fetch-failure\"", line, StringComparison.Ordinal);
            }

            var lastAnswer = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.True(closedAt.Count == accepted, $"{accepted - closedAt.Count} of {accepted} connections still open 1.5 s after the last answer");
            Assert.All(closedAt, at => Assert.True(at <= lastAnswer + TimeSpan.FromSeconds(1), $"a connection closed {(at - lastAnswer).TotalSeconds:F1} s after the last answer"));

            // And each retry was an attempt of its own, not a wait on the handshake the first attempt abandoned.
            Assert.True(accepted >= domains * 2, $"{accepted} connections for {domains} domains: the retries reused a stalled handshake");
        }
        finally
        {
            cli.StandardInput.Close();
            await cli.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await stop.CancelAsync();
            silent.Stop();
            await accepting;
            _ = await errors;
        }
    }
}
