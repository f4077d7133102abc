// A load generator for socketmap servers (mta-sts postfix, postfix-mta-sts-resolver's mta-sts-daemon): N clients, each
// on its own connection, send the same warm request back to back for a fixed time. Reports requests/s and the server
// process's CPU per request (utime + stime from /proc/<pid>/stat, before and after).
//
//   dotnet run -c Release --project benchmarks/SocketmapLoad                         # starts a loopback world and mta-sts postfix
//   dotnet run -c Release --project benchmarks/SocketmapLoad -- --target inet:127.0.0.1:8461 --pid 1234 --key example.com
//   dotnet run -c Release --project benchmarks/SocketmapLoad -- --world /tmp/root.pem   # just the world, on DNS 53 and HTTPS 443
//
// Options: --clients N (64), --seconds S (10), --name socketmap name (postfix), --key domain, --target, --pid.
// --world <pem> starts only the loopback world, relays 127.0.0.1:53 (UDP and TCP) to its DNS server and 127.0.0.1:443
// to its policy host (the test kit binds random ports), writes the test root as PEM to <pem>, prints the domain and runs
// until SIGTERM or Ctrl-C. Ports below 1024 need root; side-by-side.sh runs it in a private network namespace.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using MtaSts;
using MtaSts.Testing;

var clients = IntOption("--clients", 64);
var seconds = IntOption("--seconds", 10);
var name = Option("--name") ?? "postfix";
var target = Option("--target");
var key = Option("--key");
var pid = Option("--pid") is { } pidText ? int.Parse(pidText, CultureInfo.InvariantCulture) : 0;
const string LoadDomain = "load.example.test";

if (Option("--world") is { } worldPem)
{
    return await ServeWorldAsync(worldPem);
}

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
    var world = await StartWorldAsync();
    const string domain = LoadDomain;
    var pem = Path.Combine(Path.GetTempPath(), $"mtasts-load-root-{Guid.NewGuid():N}.pem");
    await File.WriteAllTextAsync(pem, world.CertificateAuthority.RootCertificate.ExportCertificatePem());

    var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var arg in new[]
    {
        Path.Combine(AppContext.BaseDirectory, "mta-sts.dll"), "postfix", "--listen", "inet:127.0.0.1:0", "--log-level", "warning",
        "--name-server", world.Dns.EndPoint.ToString(), "--trust-anchor", pem, "--policy-host-port",
        world.PolicyHost.Port.ToString(CultureInfo.InvariantCulture), "--allow-private-policy-hosts", "--max-connections", "1000",
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

// The world both modes use: one enforce domain whose policy allows *.<domain>, and two MX hosts under it.
static async Task<MtaStsTestWorld> StartWorldAsync()
{
    var world = await MtaStsTestWorld.StartAsync();
    world.PublishMx(LoadDomain, (10, "mx1." + LoadDomain), (20, "mx2." + LoadDomain));
    world.PublishPolicy(LoadDomain, "load1", MtaStsMode.Enforce, 86400, "*." + LoadDomain);
    return world;
}

// --world: the world alone, reachable at the standard ports through relays, until SIGTERM or SIGINT.
static async Task<int> ServeWorldAsync(string pemPath)
{
    await using var world = await StartWorldAsync();
    await File.WriteAllTextAsync(pemPath, world.CertificateAuthority.RootCertificate.ExportCertificatePem());
    using var stop = new CancellationTokenSource();
    using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
    using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });

    var dnsPort = new IPEndPoint(IPAddress.Loopback, 53);
    var httpsPort = new IPEndPoint(IPAddress.Loopback, 443);
    using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    udp.Bind(dnsPort);
    using var dnsTcp = Listen(dnsPort);
    using var https = Listen(httpsPort);
    var relays = new[]
    {
        RelayUdpAsync(udp, world.Dns.EndPoint, stop.Token),
        RelayTcpAsync(dnsTcp, world.Dns.EndPoint, stop.Token),
        RelayTcpAsync(https, new IPEndPoint(IPAddress.Loopback, world.PolicyHost.Port), stop.Token),
    };
    Console.WriteLine($"world: DNS {dnsPort} -> {world.Dns.EndPoint}, HTTPS {httpsPort} -> 127.0.0.1:{world.PolicyHost.Port}, root {pemPath}");
    Console.WriteLine($"domain {LoadDomain}");
    Console.WriteLine("ready");

    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
    }

    udp.Close();
    dnsTcp.Close();
    https.Close();
    await Task.WhenAll(relays.Select(static relay => relay.ContinueWith(static _ => { }, TaskScheduler.Default)));
    return 0;
}

static Socket Listen(IPEndPoint endPoint)
{
    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
    socket.Bind(endPoint);
    socket.Listen(128);
    return socket;
}

// Each datagram goes to the world's DNS server from a socket of its own; the answer goes back to the asker.
static async Task RelayUdpAsync(Socket listener, IPEndPoint upstream, CancellationToken stop)
{
    var buffer = new byte[65535];
    while (!stop.IsCancellationRequested)
    {
        var received = await listener.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), stop);
        var query = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
        var asker = received.RemoteEndPoint;
        _ = Task.Run(async () =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await socket.ConnectAsync(upstream);
                await socket.SendAsync(query);
                var answer = new byte[65535];
                var length = await socket.ReceiveAsync(answer, SocketFlags.None, timeout.Token);
                await listener.SendToAsync(answer.AsMemory(0, length), asker);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The asker retries or gives up, as with a lost datagram.
            }
        }, CancellationToken.None);
    }
}

// Each accepted connection is piped both ways to a new connection to the upstream.
static async Task RelayTcpAsync(Socket listener, IPEndPoint upstream, CancellationToken stop)
{
    while (!stop.IsCancellationRequested)
    {
        var client = await listener.AcceptAsync(stop);
        _ = Task.Run(async () =>
        {
            using var near = client;
            using var far = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await far.ConnectAsync(upstream);
                await using var nearStream = new NetworkStream(near);
                await using var farStream = new NetworkStream(far);
                await Task.WhenAll(
                    nearStream.CopyToAsync(farStream).ContinueWith(_ => far.Shutdown(SocketShutdown.Send), TaskScheduler.Default),
                    farStream.CopyToAsync(nearStream).ContinueWith(_ => near.Shutdown(SocketShutdown.Send), TaskScheduler.Default));
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
            {
            }
        }, CancellationToken.None);
    }
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
