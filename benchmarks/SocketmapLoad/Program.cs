// A load generator for socketmap servers (mta-sts postfix, postfix-mta-sts-resolver's mta-sts-daemon): N clients, each
// on its own connection, send the same warm request back to back for a fixed time. Reports requests/s and the server
// process's CPU per request (utime + stime from /proc/<pid>/stat, before and after).
//
//   dotnet run -c Release --project benchmarks/SocketmapLoad                         # starts a loopback world and mta-sts postfix
//   dotnet run -c Release --project benchmarks/SocketmapLoad -- --target inet:127.0.0.1:8461 --pid 1234 --key example.com
//
// Options: --clients N (64), --seconds S (10), --name socketmap name (postfix), --key domain, --target, --pid.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MtaSts;
using MtaSts.Testing;

var clients = IntOption("--clients", 64);
var seconds = IntOption("--seconds", 10);
var name = Option("--name") ?? "postfix";
var target = Option("--target");
var key = Option("--key");
var pid = Option("--pid") is { } pidText ? int.Parse(pidText, CultureInfo.InvariantCulture) : 0;

MtaStsTestWorld? world = null;
Process? server = null;
try
{
    if (target is null)
    {
        (world, server, target, key) = await StartOwnServerAsync();
        pid = server.Id;
    }

    if (key is null || pid == 0)
    {
        Console.Error.WriteLine("--target needs --pid and --key");
        return 2;
    }

    var endPoint = ParseTarget(target);
    var request = Encode($"{name} {key}");

    // Warm-up: the first answer may look things up; then every client connects.
    using (var warm = await ConnectAsync(endPoint))
    {
        Console.WriteLine($"warm-up answer: {await AskAsync(warm, request, new byte[4096])}");
    }

    var sockets = new List<Socket>();
    for (var i = 0; i < clients; i++)
    {
        sockets.Add(await ConnectAsync(endPoint));
    }

    // Three seconds of the same load first, so the server's JIT tiers and thread pool have settled before measuring.
    using (var warmUp = new CancellationTokenSource(TimeSpan.FromSeconds(3)))
    {
        await Task.WhenAll(sockets.Select(socket => Task.Run(() => RunClientAsync(socket, request, warmUp.Token))));
    }

    var cpuBefore = CpuTicks(pid);
    var stopwatch = Stopwatch.StartNew();
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    var counts = await Task.WhenAll(sockets.Select(socket => Task.Run(() => RunClientAsync(socket, request, stop.Token))));
    var elapsed = stopwatch.Elapsed;
    var cpuAfter = CpuTicks(pid);
    sockets.ForEach(static s => s.Dispose());

    var total = counts.Sum();
    var ticksPerSecond = ClockTicksPerSecond();
    var cpuSeconds = (cpuAfter - cpuBefore) / (double)ticksPerSecond;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"clients {clients}, {elapsed.TotalSeconds:F1} s, {total} requests: {total / elapsed.TotalSeconds:F0} requests/s; " +
        $"server CPU {cpuSeconds:F2} s = {cpuSeconds * 1e6 / Math.Max(total, 1):F1} µs per request ({Environment.ProcessorCount} cores)"));
    return 0;
}
finally
{
    if (server is not null)
    {
        server.Kill(entireProcessTree: true);
        await server.WaitForExitAsync();
        server.Dispose();
    }

    if (world is not null)
    {
        await world.DisposeAsync();
    }
}

static async Task<int> RunClientAsync(Socket socket, byte[] request, CancellationToken stop)
{
    var buffer = new byte[4096];
    var count = 0;
    while (!stop.IsCancellationRequested)
    {
        await AskAsync(socket, request, buffer);
        count++;
    }

    return count;
}

static async Task<string> AskAsync(Socket socket, byte[] request, byte[] buffer)
{
    await socket.SendAsync(request);
    var filled = 0;
    while (true)
    {
        var read = await socket.ReceiveAsync(buffer.AsMemory(filled));
        if (read == 0)
        {
            throw new IOException("the server closed the connection");
        }

        filled += read;
        var colon = Array.IndexOf(buffer, (byte)':', 0, filled);
        if (colon > 0)
        {
            var length = int.Parse(Encoding.ASCII.GetString(buffer, 0, colon), CultureInfo.InvariantCulture);
            if (filled >= colon + length + 2)
            {
                return Encoding.UTF8.GetString(buffer, colon + 1, length);
            }
        }
    }
}

static byte[] Encode(string payload) => Encoding.UTF8.GetBytes($"{Encoding.UTF8.GetByteCount(payload)}:{payload},");

static async Task<Socket> ConnectAsync(EndPoint endPoint)
{
    var socket = endPoint is UnixDomainSocketEndPoint
        ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
        : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    await socket.ConnectAsync(endPoint);
    return socket;
}

static EndPoint ParseTarget(string text) => text.StartsWith("unix:", StringComparison.Ordinal)
    ? new UnixDomainSocketEndPoint(text[5..])
    : IPEndPoint.Parse(text["inet:".Length..]);

// utime + stime of a process, in clock ticks (/proc/[pid]/stat fields 14 and 15).
static long CpuTicks(int pid)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
}

static long ClockTicksPerSecond()
{
    using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true })!;
    var text = getconf.StandardOutput.ReadToEnd().Trim();
    getconf.WaitForExit();
    return long.TryParse(text, CultureInfo.InvariantCulture, out var ticks) ? ticks : 100;
}

// A loopback world with one enforce domain, and `mta-sts postfix` on a free port pointed at it.
static async Task<(MtaStsTestWorld World, Process Server, string Target, string Key)> StartOwnServerAsync()
{
    var world = await MtaStsTestWorld.StartAsync();
    const string domain = "load.example.test";
    world.PublishMx(domain, (10, "mx1." + domain), (20, "mx2." + domain));
    world.PublishPolicy(domain, "load1", MtaStsMode.Enforce, 86400, "*." + domain);
    var pem = Path.Combine(Path.GetTempPath(), $"mtasts-load-root-{Guid.NewGuid():N}.pem");
    await File.WriteAllTextAsync(pem, world.CertificateAuthority.RootCertificate.ExportCertificatePem());

    var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var arg in new[]
    {
        Path.Combine(AppContext.BaseDirectory, "mta-sts.dll"), "postfix", "--listen", "inet:127.0.0.1:0", "--log-level", "warning",
        "--name-server", world.Dns.EndPoint.ToString(), "--trust-anchor", pem, "--policy-host-port",
        world.PolicyHost.Port.ToString(CultureInfo.InvariantCulture), "--max-connections", "1000",
    })
    {
        start.ArgumentList.Add(arg);
    }

    // Listening is logged at information; with --log-level warning the port is found from the socket table instead.
    var server = Process.Start(start)!;
    server.OutputDataReceived += (_, _) => { };
    server.ErrorDataReceived += (_, e) =>
    {
        if (e.Data is not null)
        {
            Console.Error.WriteLine("server: " + e.Data);
        }
    };
    server.BeginOutputReadLine();
    server.BeginErrorReadLine();
    var port = await FindListeningPortAsync(server.Id);
    return (world, server, $"inet:127.0.0.1:{port}", domain);
}

// The TCP port a process listens on, from /proc/net/tcp and its file descriptors.
static async Task<int> FindListeningPortAsync(int pid)
{
    for (var attempt = 0; attempt < 300; attempt++)
    {
        var inodes = new HashSet<string>();
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                if (new FileInfo(fd).LinkTarget is { } link && link.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(link[8..^1]);
                }
            }
        }
        catch (IOException)
        {
        }

        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts[3] == "0A" && inodes.Contains(parts[9]))
            {
                return int.Parse(parts[1][(parts[1].IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }

        await Task.Delay(100);
    }

    throw new InvalidOperationException("mta-sts postfix did not start listening");
}

string? Option(string optionName)
{
    var index = Array.IndexOf(args, optionName);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

int IntOption(string optionName, int fallback) => Option(optionName) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
