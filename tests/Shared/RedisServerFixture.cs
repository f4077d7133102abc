using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace MtaSts.Redis.Tests;

/// <summary>
/// A real Redis on loopback: Debian's <c>redis-server</c>, started by the tests on a free port of 127.0.0.1 with no
/// persistence (<c>--save "" --appendonly no</c>) in a temporary directory of its own, and killed on dispose.
/// </summary>
/// <remarks>
/// A missing binary or a server that does not answer <c>PING</c> is an error, not a skip: <c>.ci/run</c> installs the
/// package. Tests isolate themselves with a key prefix of their own (<see cref="UniquePrefix"/>), so one server serves a
/// test class.
/// </remarks>
public sealed class RedisServerFixture : IAsyncLifetime, IDisposable
{
    private static readonly string[] SearchDirectories = ["/usr/bin", "/usr/local/bin", "/usr/sbin", "/opt/homebrew/bin"];

    private readonly StringBuilder _output = new();
    private Process? _server;
    private string? _directory;
    private ConnectionMultiplexer? _connection;

    /// <summary>The port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>One connection shared by the tests of a class (the fixture owns it).</summary>
    public ConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("The Redis server has not started.");

    /// <summary>Sends a signal to the server with <c>kill -&lt;name&gt;</c>: <c>STOP</c> freezes it (it accepts nothing and answers nothing), <c>CONT</c> thaws it.</summary>
    public async Task SignalAsync(string name)
    {
        var pid = _server?.Id ?? throw new InvalidOperationException("The Redis server has not started.");
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + name, pid.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run kill.");
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{name} {pid} failed with exit code {kill.ExitCode}.");
        }
    }

    /// <summary>What redis-server printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>A key prefix no other test uses.</summary>
    public static string UniquePrefix(string label) => $"test-{label}-{Guid.NewGuid().ToString("N")[..8]}:";

    public async Task InitializeAsync()
    {
        var binary = FindServer();
        _directory = Directory.CreateTempSubdirectory("mtasts-redis-").FullName;

        // A port can be taken between choosing and binding it; try a few.
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Port = FreePort();
            try
            {
                await StartAsync(binary);
                _connection = await ConnectionMultiplexer.ConnectAsync(Configuration);
                return;
            }
            catch (InvalidOperationException ex) when (_server is { HasExited: true })
            {
                last = ex;
                _server.Dispose();
                _server = null;
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        Dispose();
        throw new InvalidOperationException("redis-server did not start after 3 attempts.", last);
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Kills the server at once (as a crash would) and keeps the fixture's directory until dispose.</summary>
    public void Kill()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit(5000);
        }
    }

    /// <summary>Kills redis-server, closes the connection and deletes the directory; safe to call more than once.</summary>
    public void Dispose()
    {
        _connection?.Dispose();
        _connection = null;
        if (_server is not null)
        {
            try
            {
                if (!_server.HasExited)
                {
                    _server.Kill(entireProcessTree: true);
                    _server.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            _server.Dispose();
            _server = null;
        }

        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // a leftover temporary directory is harmless
            }

            _directory = null;
        }
    }

    private static string FindServer()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(SearchDirectories))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"The Redis store tests need 'redis-server', which is not installed (looked in PATH and {string.Join(", ", SearchDirectories)}). " +
            "Install the Debian package 'redis-server' (apt-get install redis-server); .ci/run does this on CI.");
    }

    private async Task StartAsync(string binary)
    {
        lock (_output)
        {
            _output.Clear();
        }

        var start = new ProcessStartInfo(binary)
        {
            // No configuration file: everything on the command line, nothing written to disk, loopback only.
            ArgumentList =
            {
                "--port", Port.ToString(CultureInfo.InvariantCulture),
                "--bind", "127.0.0.1",
                "--save", string.Empty,
                "--appendonly", "no",
                "--dir", _directory!,
                "--daemonize", "no",
                "--logfile", string.Empty,
            },
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _server = new Process { StartInfo = start };
        _server.OutputDataReceived += (_, e) => Append(e.Data);
        _server.ErrorDataReceived += (_, e) => Append(e.Data);
        _server.Start();
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();

        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_server.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {_server.ExitCode}:\n{Output}");
            }

            if (await PingAsync(Port))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"redis-server did not answer PING on 127.0.0.1:{Port} within 10 s:\n{Output}");
    }

    /// <summary>Sends <c>PING</c> over a plain socket (no client library involved) and expects <c>+PONG</c>.</summary>
    private static async Task<bool> PingAsync(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
            await socket.SendAsync("PING\r\n"u8.ToArray(), SocketFlags.None, timeout.Token);
            var buffer = new byte[16];
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false; // not listening yet
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>A TCP port free on 127.0.0.1 (at the moment of asking).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
