using System.CommandLine;
using MtaSts.Cli;

var root = new RootCommand("mta-sts: MTA-STS (RFC 8461) policies as a sending MTA using the MtaSts library sees them.")
{
    ResolveCommand.Create(),
    DemoCommand.Create(),
};

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
