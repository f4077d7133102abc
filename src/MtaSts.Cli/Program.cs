using MtaSts.Cli;

// Before any work starts threads that allocate natively: fewer glibc arenas, a smaller resident set (MallocArenas).
MallocArenas.Limit();
return await CliApp.RunAsync(args).ConfigureAwait(false);
