// Resource use of `mta-sts resolve` over a batch of cold domains (issue 10 §1): a loopback world publishes N domains
// (an enforce policy each, every policy host a distinct name with its own certificate), the CLI reads them from
// standard input at --concurrency C. While it runs, this program samples the process's open file descriptors every
// 100 ms from /proc; after the last answer it keeps standard input open for 3 s (the CLI idles, waiting for more
// names) and counts the descriptors then, by kind; the peak resident set comes from /usr/bin/time (%M) when the CLI
// exits.
//
//   dotnet run -c Release --project benchmarks/CliLoad -- --domains 2000 --concurrency 64
//   dotnet run -c Release --project benchmarks/CliLoad -- --cli artifacts/aot/mta-sts    (a Native AOT build, see README)
//
// --stall points every policy fetch at a port that accepts connections and never answers (each fetch waits out
// --timeout, 10 s here): the peak resident set then shows what a fetch in flight costs (issue 10 §1).
//
// --max-idle-fds N and --max-peak-rss-mb N turn the run into a check: it exits 1 when the CLI holds more descriptors
// 3 s after the batch, or reaches a higher peak resident set, than that (CI runs it on the Native AOT build).
using System.Diagnostics;
using System.Globalization;
using MtaSts;
using MtaSts.Testing;

var domains = Option("--domains", 2000);
var concurrency = Option("--concurrency", 64);
var maxIdleFds = Option("--max-idle-fds", int.MaxValue);
var maxPeakRssMb = Option("--max-peak-rss-mb", int.MaxValue);
var stall = args.Contains("--stall");
var cliIndex = Array.IndexOf(args, "--cli");
string[] command = cliIndex >= 0 && cliIndex + 1 < args.Length
    ? [Path.GetFullPath(args[cliIndex + 1])]
    : ["dotnet", Path.Combine(AppContext.BaseDirectory, "mta-sts.dll")];

await using var world = await MtaStsTestWorld.StartAsync();
var names = Enumerable.Range(0, domains).Select(i => $"d{i:D5}.load.example.test").ToArray();
foreach (var name in names)
{
    world.PublishPolicy(name, "1", MtaStsMode.Enforce, 86400, "mx." + name);
}

// Connections to it complete in the kernel's backlog and are never read: every TLS handshake stalls.
using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
silent.Start(domains + 16);
var policyPort = stall ? ((System.Net.IPEndPoint)silent.LocalEndpoint).Port : world.PolicyHost.Port;
string[] timeout = stall ? ["--timeout", Option("--stall-timeout", 10).ToString(CultureInfo.InvariantCulture)] : [];
var idleSeconds = Option("--idle-seconds", 3);

var pem = Path.Combine(Path.GetTempPath(), $"cliload-root-{Guid.NewGuid():N}.pem");
await File.WriteAllTextAsync(pem, world.CertificateAuthority.RootCertificate.ExportCertificatePem());
var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
string[] timeFormat = ["-f", "peak-rss-kb %M"];
foreach (var arg in timeFormat.Concat(command).Concat(new[]
{
    "resolve", "-", "--json", "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture),
    "--name-server", world.Dns.EndPoint.ToString(), "--trust-anchor", pem, "--allow-private-policy-hosts",
    "--policy-host-port", policyPort.ToString(CultureInfo.InvariantCulture),
}).Concat(timeout))
{
    start.ArgumentList.Add(arg);
}

// CLILOAD_X=v in this process's environment sets X=v for the CLI only (runtime knobs such as DOTNET_GCHeapHardLimit).
foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
{
    if (variable.Key is string key && key.StartsWith("CLILOAD_", StringComparison.Ordinal))
    {
        start.Environment[key["CLILOAD_".Length..]] = variable.Value as string;
    }
}

var clock = Stopwatch.StartNew();
using var cli = Process.Start(start)!;
var errors = cli.StandardError.ReadToEndAsync();
int? child = null;
var allAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
var idleFds = "?";
var idleFdCount = int.MaxValue;
var feeding = Task.Run(async () =>
{
    foreach (var name in names)
    {
        await cli.StandardInput.WriteLineAsync(name);
    }

    await cli.StandardInput.FlushAsync();

    // The batch is answered but the input is still open: what does the idle CLI hold 3 s later?
    await allAnswered.Task;
    await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
    if (child is { } pid)
    {
        (idleFdCount, idleFds) = DescribeDescriptors(pid);
    }

    cli.StandardInput.Close();
});

// /usr/bin/time's child is the CLI: sample its descriptors.
var maxFds = 0;
var lastFds = 0;
var peakParts = new Dictionary<string, long>(StringComparer.Ordinal);
using var sampling = new CancellationTokenSource();
var sampler = Task.Run(async () =>
{
    while (!sampling.IsCancellationRequested)
    {
        try
        {
            child ??= int.Parse(File.ReadAllText($"/proc/{cli.Id}/task/{cli.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
            lastFds = Directory.GetFileSystemEntries($"/proc/{child}/fd").Length;
            maxFds = Math.Max(maxFds, lastFds);

            // What the resident memory is made of: anonymous (heaps, stacks) against file-backed (code, mapped libraries).
            foreach (var status in File.ReadLines($"/proc/{child}/status"))
            {
                if (status.StartsWith("RssAnon:", StringComparison.Ordinal) || status.StartsWith("RssFile:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(status.AsSpan(8).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                    var key = status[..7];
                    peakParts[key] = Math.Max(peakParts.GetValueOrDefault(key), kb);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
        }

        await Task.Delay(100);
    }
});

var answered = 0;
var policies = 0;
var fdsAtLastAnswer = 0;
var elapsed = TimeSpan.Zero;
while (await cli.StandardOutput.ReadLineAsync() is { } line)
{
    answered++;
    if (line.Contains(stall ? "\"outcome\":\"fetch-failure\"" : "\"outcome\":\"policy\"", StringComparison.Ordinal))
    {
        policies++;
    }

    if (answered == domains)
    {
        fdsAtLastAnswer = lastFds;
        elapsed = clock.Elapsed;
        allAnswered.TrySetResult();
    }
}

await feeding;
await cli.WaitForExitAsync();
await sampling.CancelAsync();
await sampler;
var stderr = await errors;
var peak = stderr.Split('\n').LastOrDefault(l => l.StartsWith("peak-rss-kb ", StringComparison.Ordinal))?["peak-rss-kb ".Length..];
var peakMb = peak is null ? (long?)null : long.Parse(peak, CultureInfo.InvariantCulture) / 1024;

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{answered} domains answered ({policies} {(stall ? "with a fetch failure" : "with a policy")}) in {elapsed.TotalSeconds:F1} s at concurrency {concurrency}; file descriptors: at most {maxFds} while running, {fdsAtLastAnswer} at the last answer, {idleFds} 3 s later; peak RSS {(peakMb is null ? "?" : peakMb.Value.ToString(CultureInfo.InvariantCulture))} MB (sampled peaks: anonymous {peakParts.GetValueOrDefault("RssAnon") / 1024} MB, file-backed {peakParts.GetValueOrDefault("RssFile") / 1024} MB); exit {cli.ExitCode}"));
var curlOk = true;
if (args.Contains("--curl"))
{
    curlOk = await RunCurlAsync();
}

var withinBudget = true;
if (maxIdleFds != int.MaxValue && idleFdCount > maxIdleFds)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAIL: {(idleFdCount == int.MaxValue ? "?" : idleFdCount.ToString(CultureInfo.InvariantCulture))} file descriptors open 3 s after the batch; the budget is {maxIdleFds}"));
    withinBudget = false;
}

if (maxPeakRssMb != int.MaxValue && (peakMb is null || peakMb > maxPeakRssMb))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAIL: peak RSS {peakMb?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} MB; the budget is {maxPeakRssMb} MB"));
    withinBudget = false;
}

if (policies != domains)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAIL: {policies} of {domains} domains got the expected answer (exit {cli.ExitCode}); the CLI said: {stderr[..Math.Min(stderr.Length, 2000)]}"));
}

return policies == domains && curlOk && withinBudget ? 0 : 1;

// The open descriptors of a process, counted by what they are.
static (int Total, string Description) DescribeDescriptors(int pid)
{
    var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
    var total = 0;
    foreach (var fd in Directory.GetFileSystemEntries($"/proc/{pid}/fd"))
    {
        string target;
        try
        {
            target = new FileInfo(fd).LinkTarget ?? "?";
        }
        catch (IOException)
        {
            continue;
        }

        var kind = target switch
        {
            _ when target.EndsWith(".dll", StringComparison.Ordinal) => "assemblies",
            _ when target.StartsWith('/') && !target.StartsWith("/dev/", StringComparison.Ordinal) => "files",
            _ when target.StartsWith("socket:", StringComparison.Ordinal) => "sockets",
            _ when target.StartsWith("pipe:", StringComparison.Ordinal) => "pipes",
            _ when target.StartsWith("anon_inode:", StringComparison.Ordinal) => target["anon_inode:".Length..].Trim('[', ']'),
            _ => "other",
        };
        kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        total++;
    }

    return (total, string.Create(CultureInfo.InvariantCulture, $"{total} ({string.Join(", ", kinds.Select(k => $"{k.Value} {k.Key}"))})"));
}

// The yardstick of issue 10 §4: curl (a C client) fetching the same 2,000 policies over HTTPS at the same concurrency,
// one new TLS connection per host as the CLI makes. curl is told where each host is (no DNS), so it does less work
// than the CLI, which also looks up the TXT record and the policy host's addresses.
async Task<bool> RunCurlAsync()
{
    var config = Path.Combine(Path.GetTempPath(), $"cliload-curl-{Guid.NewGuid():N}.txt");
    await File.WriteAllLinesAsync(config, names.SelectMany(name => new[]
    {
        $"url = \"https://mta-sts.{name}:{world.PolicyHost.Port}/.well-known/mta-sts.txt\"",
        "output = \"/dev/null\"",
    }));
    var curl = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var arg in new[]
    {
        "--parallel", "--parallel-max", concurrency.ToString(CultureInfo.InvariantCulture), "--http1.1", "--silent",
        "--cacert", pem, "--connect-to", "::127.0.0.1:", "--write-out", "%{http_code}\n", "--config", config,
    })
    {
        curl.ArgumentList.Add(arg);
    }

    var watch = Stopwatch.StartNew();
    using var process = Process.Start(curl)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    var curlTime = watch.Elapsed;
    var fetched = output.Split('\n').Count(code => code == "200");
    File.Delete(config);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"curl: {fetched} of {domains} policies fetched in {curlTime.TotalSeconds:F1} s at --parallel-max {concurrency}; the CLI took {elapsed.TotalSeconds / curlTime.TotalSeconds:F2}x curl's time"));
    return fetched == domains;
}

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
