using System.CommandLine;
using System.Globalization;
using MtaSts.Cli;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>Runs the <c>mta-sts</c> command in-process, and the options that point it at a loopback world.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await CliApp.CreateRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>--name-server, --trust-anchor (the world's root written to a PEM file), --policy-host-port and --timeout.</summary>
    public static string[] WorldArguments(MtaStsTestWorld world)
    {
        var pem = Path.Combine(Path.GetTempPath(), $"mtasts-root-{Guid.NewGuid():N}.pem");
        File.WriteAllText(pem, world.CertificateAuthority.RootCertificate.ExportCertificatePem());
        return ["--name-server", world.Dns.EndPoint.ToString(), "--trust-anchor", pem, "--policy-host-port", world.PolicyHost.Port.ToString(CultureInfo.InvariantCulture), "--timeout", "5"];
    }
}
