using MtaSts.Cli;

return await CliApp.RunAsync(args).ConfigureAwait(false);
