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
            CacheCommand.Create(),
            DemoCommand.Create(),
        };
}
