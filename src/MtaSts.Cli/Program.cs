using MtaSts.Cli;

return await CliApp.CreateRootCommand().Parse(args).InvokeAsync().ConfigureAwait(false);
