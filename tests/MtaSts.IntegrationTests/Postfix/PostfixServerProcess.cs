using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace MtaSts.IntegrationTests.Postfix;

/// <summary>
/// <c>mta-sts postfix</c> as its own process (<c>dotnet mta-sts.dll postfix …</c>), started the way an operator starts
/// it; the bound end point is read from its "Listening on" log line, so port 0 can be asked for.
/// </summary>
internal sealed partial class PostfixServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PostfixServerProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The <c>--listen</c> form of the bound end point (<c>inet:127.0.0.1:40123</c> or <c>unix:/tmp/…</c>).</summary>
    public string Listen { get; private set; } = string.Empty;

    /// <summary>The bound TCP port (0 for a Unix-domain socket).</summary>
    public int Port => Listen.StartsWith("inet:", StringComparison.Ordinal) ? int.Parse(Listen[(Listen.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>The process id (for CPU accounting in /proc).</summary>
    public int Id => _process.Id;

    /// <summary>Everything the server wrote to standard error so far.</summary>
    public string Log
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Waits (up to 10 s) until the server's standard error holds <paramref name="text"/>, and returns the log: a line is
    /// written by the server after the event it reports and reaches us through a pipe, so it may trail the reply.
    /// </summary>
    public async Task<string> WaitForLogAsync(string text)
    {
        var deadline = Stopwatch.StartNew();
        while (!Log.Contains(text, StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        return Log;
    }

    /// <summary>Starts the server and waits until it listens; fails the test when it exits first or takes over 30 s.</summary>
    public static async Task<PostfixServerProcess> StartAsync(params string[] args)
    {
        var assembly = Path.Combine(AppContext.BaseDirectory, "mta-sts.dll");
        Assert.True(File.Exists(assembly), $"mta-sts is not built at {assembly}; build the test project first.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("postfix");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var server = new PostfixServerProcess(process);
        process.ErrorDataReceived += (_, e) => server.OnError(e.Data);
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        process.StandardInput.Close();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(server._listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(30)));
        if (first != server._listening.Task)
        {
            var log = server.Log;
            await server.DisposeAsync();
            Assert.Fail($"mta-sts postfix {string.Join(' ', args)} did not start listening ({(first == exited ? "it exited" : "30 s passed")}). Its log:\n{log}");
        }

        server.Listen = await server._listening.Task;
        return server;
    }

    /// <summary>Sends SIGTERM and waits for the exit; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill!.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void OnError(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.AppendLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(match.Groups[1].Value);
        }
    }

    [GeneratedRegex(@"Listening on (\S+) for socketmap")]
    private static partial Regex ListeningLine();
}
