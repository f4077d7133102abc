using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DnsClient;

namespace MtaSts.IntegrationTests.Dnssec;

/// <summary>
/// A real validating resolver on loopback: Debian's <c>unbound</c>, serving three zones signed (or not) on the spot with
/// <c>ldns-keygen</c> and <c>ldns-signzone</c>. Shared by the tests of one class.
/// </summary>
/// <remarks>
/// <para>How it works. In a temporary directory the fixture writes the zones of <see cref="DnssecTestZones"/>, makes a
/// KSK and a ZSK (ECDSA P-256) for each signed zone, signs them (NSEC, signatures valid from now for four weeks), alters
/// three RRsets of <c>bogus.test</c> after signing, and writes an <c>unbound.conf</c> that</para>
/// <list type="bullet">
/// <item>listens on 127.0.0.1 at a free port, runs in the foreground, no chroot, no privilege drop, no pid file;</item>
/// <item>loads each zone as an <c>auth-zone</c> with <c>for-upstream: yes</c> and <c>for-downstream: no</c>, so the
/// zones are the "upstream" of the recursion and the validator checks them like any answer from the internet;</item>
/// <item>has the DS of each signed zone as a trust anchor, and <c>domain-insecure</c> for the unsigned one;</item>
/// <item>refuses every name outside the three zones (<c>local-zone: "." refuse</c>; the zones are <c>transparent</c>,
/// which also replaces unbound's built-in static <c>test.</c> zone), so nothing is ever sent to the internet.</item>
/// </list>
/// <para>unbound runs as a child process (<c>unbound -d -c unbound.conf</c>); the fixture waits until it answers for
/// <c>secure.test</c> and kills it on dispose. Missing tools are an error, not a skip: <c>.ci/run</c> installs them.</para>
/// </remarks>
public sealed class UnboundFixture : IAsyncLifetime, IDisposable
{
    private static readonly string[] SearchDirectories = ["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin", "/usr/local/bin", "/opt/homebrew/sbin", "/opt/homebrew/bin"];

    private readonly StringBuilder _unboundOutput = new();
    private Process? _unbound;
    private string? _directory;

    /// <summary>The address unbound listens on.</summary>
    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>What unbound printed so far (for failure messages).</summary>
    public string UnboundOutput
    {
        get
        {
            lock (_unboundOutput)
            {
                return _unboundOutput.ToString();
            }
        }
    }

    /// <summary>A DnsClient pointed at this unbound only, with its cache off.</summary>
    public LookupClient CreateClient() => new(new LookupClientOptions(EndPoint)
    {
        UseCache = false,
        Timeout = TimeSpan.FromSeconds(2),
        Retries = 0,
        AutoResolveNameServers = false,
    });

    /// <summary>Library options that trust this (loopback) resolver, with short DNS timeouts.</summary>
    public static MtaStsOptions CreateOptions()
    {
        var options = new MtaStsOptions { Dns = { Timeout = TimeSpan.FromSeconds(2), Retries = 0 } };
        return options;
    }

    public async Task InitializeAsync()
    {
        var unbound = FindTool("unbound");
        var keygen = FindTool("ldns-keygen");
        var signzone = FindTool("ldns-signzone");

        _directory = Directory.CreateTempSubdirectory("mtasts-dnssec-").FullName;
        var secureDs = await SignAsync(DnssecTestZones.Secure, DnssecTestZones.SecureZone(), keygen, signzone);
        var bogusDs = await SignAsync(DnssecTestZones.Bogus, DnssecTestZones.BogusZone(), keygen, signzone);
        Tamper(Path.Combine(_directory, DnssecTestZones.Bogus + ".zone.signed"));
        await File.WriteAllTextAsync(Path.Combine(_directory, DnssecTestZones.Insecure + ".zone"), DnssecTestZones.InsecureZone() + "\n");

        // A port can be taken between choosing and binding it; try a few.
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, FreePort());
            var config = Path.Combine(_directory, "unbound.conf");
            await File.WriteAllTextAsync(config, Config(_directory, EndPoint.Port, secureDs, bogusDs));
            try
            {
                await StartAsync(unbound, config);
                return;
            }
            catch (InvalidOperationException ex) when (_unbound is { HasExited: true })
            {
                last = ex;
                _unbound.Dispose();
                _unbound = null;
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        throw new InvalidOperationException("unbound did not start after 3 attempts.", last);
    }

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Kills unbound and deletes the temporary directory; safe to call more than once.</summary>
    public void Dispose()
    {
        if (_unbound is not null)
        {
            try
            {
                if (!_unbound.HasExited)
                {
                    _unbound.Kill(entireProcessTree: true);
                    _unbound.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            _unbound.Dispose();
            _unbound = null;
        }

        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // a leftover temp directory is harmless
            }

            _directory = null;
        }
    }

    private static string FindTool(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(SearchDirectories))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"The DNSSEC integration tests need '{name}', which is not installed (looked in PATH and {string.Join(", ", SearchDirectories)}). " +
            "Install the Debian packages 'unbound' and 'ldnsutils' (apt-get install unbound ldnsutils); .ci/run does this on CI.");
    }

    /// <summary>Signs a zone with a fresh KSK and ZSK; returns the KSK's DS record in presentation form.</summary>
    private async Task<string> SignAsync(string zone, string text, string keygen, string signzone)
    {
        var file = Path.Combine(_directory!, zone + ".zone");
        await File.WriteAllTextAsync(file, text + "\n");
        var ksk = (await RunAsync(keygen, ["-a", "ECDSAP256SHA256", "-k", zone])).Trim();
        var zsk = (await RunAsync(keygen, ["-a", "ECDSAP256SHA256", zone])).Trim();
        await RunAsync(signzone, [file, ksk, zsk]);
        var ds = (await File.ReadAllTextAsync(Path.Combine(_directory!, ksk + ".ds"))).Trim();
        return string.Join(' ', ds.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Alters RRsets of the signed bogus zone so that their signatures no longer verify.</summary>
    private static void Tamper(string signedZone)
    {
        var lines = File.ReadAllLines(signedZone);
        foreach (var (owner, type, alter) in DnssecTestZones.BogusTampering())
        {
            var hits = 0;
            for (var i = 0; i < lines.Length; i++)
            {
                var fields = lines[i].Split('\t', 5);
                if (fields.Length == 5 && fields[0] == owner && fields[3] == type)
                {
                    var altered = alter(fields[4]);
                    if (altered == fields[4])
                    {
                        throw new InvalidOperationException($"Tampering left {owner} {type} unchanged: {lines[i]}");
                    }

                    lines[i] = string.Join('\t', fields[..4]) + "\t" + altered;
                    hits++;
                }
            }

            if (hits != 1)
            {
                throw new InvalidOperationException($"Expected one {owner} {type} line in the signed zone to alter, found {hits}. Has ldns-signzone's output format changed?");
            }
        }

        File.WriteAllLines(signedZone, lines);
    }

    private static string Config(string directory, int port, string secureDs, string bogusDs) => $"""
        server:
          interface: 127.0.0.1
          port: {port.ToString(CultureInfo.InvariantCulture)}
          do-ip4: yes
          do-ip6: no
          do-udp: yes
          do-tcp: yes
          num-threads: 1
          do-daemonize: no
          use-syslog: no
          logfile: ""
          log-servfail: yes
          val-log-level: 2
          verbosity: 1
          chroot: ""
          username: ""
          pidfile: ""
          directory: "{directory}"
          access-control: 127.0.0.0/8 allow
          module-config: "validator iterator"
          do-not-query-localhost: no
          trust-anchor-signaling: no
          root-key-sentinel: no
          prefetch: no
          trust-anchor: "{secureDs}"
          trust-anchor: "{bogusDs}"
          domain-insecure: "{DnssecTestZones.Insecure}."
          local-zone: "." refuse
          local-zone: "{DnssecTestZones.Secure}." transparent
          local-zone: "{DnssecTestZones.Bogus}." transparent
          local-zone: "{DnssecTestZones.Insecure}." transparent
        auth-zone:
          name: "{DnssecTestZones.Secure}."
          zonefile: "{DnssecTestZones.Secure}.zone.signed"
          for-upstream: yes
          for-downstream: no
          fallback-enabled: no
        auth-zone:
          name: "{DnssecTestZones.Bogus}."
          zonefile: "{DnssecTestZones.Bogus}.zone.signed"
          for-upstream: yes
          for-downstream: no
          fallback-enabled: no
        auth-zone:
          name: "{DnssecTestZones.Insecure}."
          zonefile: "{DnssecTestZones.Insecure}.zone"
          for-upstream: yes
          for-downstream: no
          fallback-enabled: no
        remote-control:
          control-enable: no
        """;

    private async Task StartAsync(string unbound, string config)
    {
        lock (_unboundOutput)
        {
            _unboundOutput.Clear();
        }

        var start = new ProcessStartInfo(unbound)
        {
            ArgumentList = { "-d", "-c", config },
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _unbound = new Process { StartInfo = start };
        _unbound.OutputDataReceived += (_, e) => Append(e.Data);
        _unbound.ErrorDataReceived += (_, e) => Append(e.Data);
        _unbound.Start();
        _unbound.BeginOutputReadLine();
        _unbound.BeginErrorReadLine();

        var client = new LookupClient(new LookupClientOptions(EndPoint)
        {
            UseCache = false,
            Timeout = TimeSpan.FromMilliseconds(200),
            Retries = 0,
            AutoResolveNameServers = false,
        });
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_unbound.HasExited)
            {
                throw new InvalidOperationException($"unbound exited with code {_unbound.ExitCode}:\n{UnboundOutput}");
            }

            try
            {
                var response = await client.QueryAsync(DnssecTestZones.Secure, QueryType.SOA);
                if (!response.HasError && response.Answers.Count > 0)
                {
                    return;
                }
            }
            catch (DnsResponseException)
            {
                // not listening yet
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"unbound did not answer for {DnssecTestZones.Secure} within 10 s:\n{UnboundOutput}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_unboundOutput)
            {
                _unboundOutput.AppendLine(line);
            }
        }
    }

    private async Task<string> RunAsync(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(tool)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr}");
        }

        return await stdout;
    }

    /// <summary>A loopback port nothing listens on (at the moment of asking).</summary>
    public static int UnusedPort() => FreePort();

    /// <summary>A port free for both UDP and TCP on 127.0.0.1.</summary>
    private static int FreePort()
    {
        for (var i = 0; i < 20; i++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // TCP side taken; try another
            }
        }

        throw new InvalidOperationException("No free loopback port for unbound.");
    }
}
