using System.CommandLine;

namespace MtaSts.Cli;

/// <summary>The command tree of <c>mta-sts</c>.</summary>
internal static class CliApp
{
    public static RootCommand CreateRootCommand() =>
        new("mta-sts: MTA-STS (RFC 8461) policies and DANE (RFC 7672) delivery plans exactly as a sending MTA using the MtaSts library sees them.")
        {
            ResolveCommand.Create(),
            PlanCommand.Create(),
            ProbeCommand.Create(),
            CacheCommand.Create(),
            PostfixCommand.Create(),
            LintCommand.Create(),
            CheckCommand.Create(),
            ReportCommand.Create(),
            DemoCommand.Create(),
        };

    /// <summary>
    /// Parses and runs a command line. A command line that does not parse (a value of the wrong type, a missing
    /// argument, an unknown command) is a usage error: its problems on standard error and exit code 2, as documented
    /// (System.CommandLine's own default would be 1, the code for failed lookups).
    /// </summary>
    public static async Task<int> RunAsync(string[] args, InvocationConfiguration? configuration = null)
    {
        configuration ??= new InvocationConfiguration();
        var parse = CreateRootCommand().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await configuration.Error.WriteLineAsync(InToolWords(error.Message)).ConfigureAwait(false);
            }

            await configuration.Error.WriteLineAsync("(see mta-sts --help)").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        return await parse.InvokeAsync(configuration).ConfigureAwait(false);
    }

    /// <summary>The parser's message without .NET type names: <c>'abc' is not a valid value for --concurrency</c>.</summary>
    private static string InToolWords(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, "^Cannot parse argument '(.*)' for option '(.*)' as expected type '.*'\\.?$");
        return match.Success ? $"'{match.Groups[1].Value}' is not a valid value for {match.Groups[2].Value}" : message;
    }
}
