using System.Diagnostics;

namespace MtaSts.IntegrationTests.Postfix;

/// <summary>Postfix's own socketmap client: <c>postmap -q</c> from Debian's <c>postfix</c> package.</summary>
internal static class Postmap
{
    public const string Path = "/usr/sbin/postmap";

    private static readonly Lazy<string> ConfigDirectory = new(() =>
    {
        // postmap reads main.cf before anything else; an empty one means all defaults. No Postfix service is involved.
        var directory = Directory.CreateTempSubdirectory("mtasts-postfix-").FullName;
        File.WriteAllText(System.IO.Path.Combine(directory, "main.cf"), string.Empty);
        return directory;
    });

    /// <summary>
    /// <c>postmap -q &lt;key&gt; socketmap:&lt;endpoint&gt;:&lt;name&gt;</c>. Exit 0 with the data on stdout when found;
    /// 1 when not found (nothing on stderr) or on a server error (a "socketmap server … error: reason" warning on stderr).
    /// </summary>
    public static Task<(int ExitCode, string Output, string Error)> QueryAsync(string key, string listen, string name = "postfix") =>
        RunAsync(["-c", ConfigDirectory.Value, "-q", key, $"socketmap:{listen}:{name}"], stdin: null);

    /// <summary><c>postmap -q - …</c>: every line of <paramref name="keys"/> over one connection; found keys print as <c>key\tdata</c>.</summary>
    public static Task<(int ExitCode, string Output, string Error)> QueryManyAsync(IEnumerable<string> keys, string listen, string name = "postfix") =>
        RunAsync(["-c", ConfigDirectory.Value, "-q", "-", $"socketmap:{listen}:{name}"], string.Join('\n', keys) + "\n");

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, string? stdin)
    {
        Assert.True(File.Exists(Path), $"{Path} is missing: install Debian's postfix package (bash .ci/run does, without starting the service).");
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("postmap did not start");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout).TrimEnd('\n'), await stderr);
    }
}
