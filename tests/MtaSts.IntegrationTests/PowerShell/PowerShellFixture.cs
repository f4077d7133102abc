using System.Diagnostics;
using System.Text;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.PowerShell;

/// <summary>
/// What the PowerShell tests share: pwsh (installed by <c>.ci/install-pwsh.sh</c>), the library published once for
/// net8.0 as an administrator would publish it, and one loopback world with its root in a PEM file.
/// </summary>
/// <remarks>A missing pwsh is an error, not a skip: CI installs it, and a silent skip would hide a broken path.</remarks>
public sealed class PowerShellFixture : IAsyncLifetime
{
    private const string InstallScript = ".ci/install-pwsh.sh";

    private MtaStsTestWorld? _world;
    private string? _scratch;

    /// <summary>The repository root (the folder holding MtaSts.sln).</summary>
    public string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The pwsh executable.</summary>
    public string Pwsh { get; private set; } = string.Empty;

    /// <summary>The sample script under test (a thin wrapper around the module, for <c>pwsh -File</c>).</summary>
    public string Script => Path.Combine(RepositoryRoot, "samples", "PowerShell", "Resolve-MtaStsPolicy.ps1");

    /// <summary>The sample module folder (MtaSts.psd1, MtaSts.psm1, MtaSts.Format.ps1xml).</summary>
    public string Module => Path.Combine(RepositoryRoot, "samples", "PowerShell", "MtaSts");

    /// <summary>The output of <c>dotnet publish src/MtaSts -f net8.0</c>.</summary>
    public string LibraryPath => Path.Combine(Scratch, "mtasts");

    /// <summary>The world's root certificate as PEM.</summary>
    public string TrustAnchor => Path.Combine(Scratch, "root.pem");

    /// <summary>An empty folder, for the missing-library case.</summary>
    public string EmptyFolder => Path.Combine(Scratch, "empty");

    public MtaStsTestWorld World => _world ?? throw new InvalidOperationException("The world has not started.");

    private string Scratch => _scratch ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync()
    {
        // First, so a machine without pwsh fails at once and says what to do.
        Pwsh = FindPwsh(RepositoryRoot);
        _scratch = Directory.CreateTempSubdirectory("mtasts-pwsh-").FullName;
        Directory.CreateDirectory(EmptyFolder);

        _world = await MtaStsTestWorld.StartAsync();
        await File.WriteAllTextAsync(TrustAnchor, World.CertificateAuthority.RootCertificate.ExportCertificatePem());
        await PublishLibraryAsync();
    }

    public async Task DisposeAsync()
    {
        if (_world is not null)
        {
            await _world.DisposeAsync();
        }

        if (_scratch is not null)
        {
            try
            {
                Directory.Delete(_scratch, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }

    /// <summary>The script parameters that point it at the publish folder and the world: (name, value) pairs.</summary>
    public IEnumerable<(string Name, string Value)> WorldParameters() =>
    [
        ("-LibraryPath", LibraryPath),
        ("-NameServer", World.Dns.EndPoint.ToString()),
        ("-TrustAnchor", TrustAnchor),
        ("-PolicyHostPort", World.PolicyHost.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    /// <summary><see cref="WorldParameters"/> as separate process arguments (for <c>pwsh -File</c>).</summary>
    public IEnumerable<string> WorldArguments() => WorldParameters().SelectMany(p => new[] { p.Name, p.Value });

    /// <summary>Runs pwsh with <paramref name="arguments"/> (after -NoProfile -NonInteractive) and returns its exit code and output.</summary>
    /// <param name="arguments">The pwsh arguments.</param>
    /// <param name="colourTerminal">
    /// Whether to run as from a colour terminal (TERM=xterm-256color, no NO_COLOR), so that only the script can keep
    /// ANSI codes out of the redirected output; otherwise NO_COLOR=1 keeps them out of every run.
    /// </param>
    public Task<ProcessResult> RunPwshAsync(IEnumerable<string> arguments, bool colourTerminal = false) =>
        RunAsync(Pwsh, ["-NoProfile", "-NonInteractive", .. arguments], TimeSpan.FromSeconds(60), colourTerminal);

    /// <summary>
    /// <c>dotnet publish src/MtaSts/MtaSts.csproj -f net8.0</c> in the configuration of this test assembly — the folder an
    /// administrator makes. The build is already done by the time tests run, so this mostly copies files.
    /// </summary>
    private async Task PublishLibraryAsync()
    {
        // bin/<configuration>/net10.0/ holds this assembly.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var project = Path.Combine(RepositoryRoot, "src", "MtaSts", "MtaSts.csproj");
        var result = await RunAsync(
            "dotnet",
            ["publish", project, "-f", "net8.0", "-c", configuration, "-o", LibraryPath, "--nologo", "-v:minimal", "--disable-build-servers"],
            TimeSpan.FromMinutes(3));
        if (result.ExitCode != 0 || !File.Exists(Path.Combine(LibraryPath, "MtaSts.dll")))
        {
            throw new InvalidOperationException($"dotnet publish of {project} (net8.0, {configuration}) failed with exit code {result.ExitCode}:\n{result.Output}");
        }
    }

    private static string FindPwsh(string repositoryRoot)
    {
        var local = Path.Combine(repositoryRoot, ".tools", "pwsh", OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh");
        if (File.Exists(local))
        {
            return local;
        }

        var name = OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh";
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"The PowerShell tests need PowerShell 7 (pwsh), which is neither at {local} nor on PATH. " +
            $"Install it with: bash {InstallScript} (it runs 'dotnet tool install PowerShell --version 7.6.9 --tool-path .tools/pwsh'); .ci/run does this on CI.");
    }

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MtaSts.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No MtaSts.sln above {AppContext.BaseDirectory}.");
    }

    private static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, bool colourTerminal = false)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host runs under MSBuild-launched vstest; its MSBuild variables must not steer the nested publish.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        start.Environment["POWERSHELL_UPDATECHECK"] = "Off";
        if (colourTerminal)
        {
            start.Environment.Remove("NO_COLOR");
            start.Environment["TERM"] = "xterm-256color";
        }
        else
        {
            start.Environment["NO_COLOR"] = "1";
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds} s.");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>How a process ended.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Both streams, for assertion messages.</summary>
    public string Output => $"exit code {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}
