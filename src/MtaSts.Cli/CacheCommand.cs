using System.CommandLine;
using System.Text;

namespace MtaSts.Cli;

/// <summary>
/// <c>mta-sts cache list|show|purge|export|import</c>: administration of a policy store (<c>--store</c>, required). The
/// export form is JSON lines: one <see cref="StoredPolicyFormat"/> entry per line, which <c>import</c> reads back.
/// </summary>
internal static class CacheCommand
{
    /// <summary>What <c>cache import</c> found in its input.</summary>
    internal enum ImportForm
    {
        /// <summary>Nothing but blank lines and comments.</summary>
        Empty,

        /// <summary>An export: one JSON entry per line.</summary>
        Entries,

        /// <summary>Domain names, one per line, to resolve into the store (warm start).</summary>
        Domains,
    }

    public static Command Create() =>
        new("cache", "Administer a policy store (--store file:<dir> or redis:<host[:port]>[,name=value...], required): list, show, purge, export, import.")
        {
            CreateList(),
            CreateShow(),
            CreatePurge(),
            CreateExport(),
            CreateImport(),
        };

    /// <summary>Whether an import input is an export (first significant line is a JSON object) or a list of domains.</summary>
    internal static ImportForm DetectForm(IReadOnlyList<string> lines)
    {
        foreach (var line in lines)
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            return trimmed.StartsWith('{') ? ImportForm.Entries : ImportForm.Domains;
        }

        return ImportForm.Empty;
    }

    private static Command CreateList()
    {
        var options = new CacheOptions();
        var command = new Command("list", "List the unexpired entries: domain, id, mode, fetched, expires, back-off (a table, or --json one object per line).");
        options.AddTo(command);
        command.SetAction((parse, token) => options.RunAsync(parse, mustExist: true, async (store, output, json) =>
        {
            var entries = new List<StoredPolicy>();
            await foreach (var entry in store.ListAsync(token).ConfigureAwait(false))
            {
                entries.Add(entry);
            }

            entries.Sort((a, b) => string.CompareOrdinal(a.Domain, b.Domain));
            if (json)
            {
                foreach (var entry in entries)
                {
                    await output.WriteLineAsync(CacheWriter.ToJson(entry, detailed: false)).ConfigureAwait(false);
                }
            }
            else
            {
                await output.WriteAsync(CacheWriter.ToTable(entries)).ConfigureAwait(false);
            }

            return ExitCodes.Definite;
        }));
        return command;
    }

    private static Command CreateShow()
    {
        var options = new CacheOptions();
        var domain = new Argument<string>("domain") { Description = "The policy domain (Unicode or A-label)." };
        var command = new Command("show", "Show one entry with its parsed policy (mode, max_age, mx patterns) and back-off; exit 1 when there is none.") { domain };
        options.AddTo(command);
        command.SetAction((parse, token) => options.RunAsync(parse, mustExist: true, async (store, output, json) =>
        {
            var input = parse.GetValue(domain) ?? string.Empty;
            if (!DomainName.TryNormalize(input, out var name, out var problem))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"'{input}' is not a domain name: {problem}").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            if (await store.GetAsync(name, token).ConfigureAwait(false) is not { } entry)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"{name}: no entry in the store").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            await output.WriteLineAsync(json ? CacheWriter.ToJson(entry, detailed: true) : CacheWriter.ToText(entry)).ConfigureAwait(false);
            return ExitCodes.Definite;
        }));
        return command;
    }

    private static Command CreatePurge()
    {
        var options = new CacheOptions();
        var domains = new Argument<string[]>("domain")
        {
            Description = "Policy domains to forget; none forgets every entry.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("purge", "Remove the entries of the given domains, or every entry, and report how many were removed.") { domains };
        options.AddTo(command);
        command.SetAction((parse, token) => options.RunAsync(parse, mustExist: true, async (store, output, json) =>
        {
            var inputs = parse.GetValue(domains) ?? [];
            var removed = new List<string>();
            var errors = new List<(string Input, string Error)>();
            if (inputs.Length == 0)
            {
                var all = new List<string>();
                await foreach (var entry in store.ListAsync(token).ConfigureAwait(false))
                {
                    all.Add(entry.Domain);
                }

                inputs = [.. all];
            }

            foreach (var input in inputs)
            {
                if (!DomainName.TryNormalize(input, out var name, out var problem))
                {
                    errors.Add((input, "not a domain name: " + problem));
                }
                else if (await store.RemoveAsync(name, token).ConfigureAwait(false))
                {
                    removed.Add(name);
                }
            }

            await output.WriteAsync(json ? CacheWriter.PurgeJson(removed, errors) + Environment.NewLine : CacheWriter.PurgeText(removed, errors)).ConfigureAwait(false);
            return errors.Count > 0 ? ExitCodes.InvalidInput : ExitCodes.Definite;
        }));
        return command;
    }

    private static Command CreateExport()
    {
        var options = new CacheOptions();
        var file = new Argument<string>("file") { Description = "Where to write the export ('-' for standard output)." };
        var command = new Command("export", "Write every unexpired entry as JSON lines: one entry per line in the store's versioned entry format (StoredPolicyFormat, version 1), " +
            "the form 'cache import' reads back. The count goes to standard output, or to standard error when the export does.") { file };
        options.AddTo(command);
        command.SetAction((parse, token) => options.RunAsync(parse, mustExist: true, async (store, output, json) =>
        {
            var path = parse.GetValue(file) ?? "-";
            var text = new StringBuilder();
            var count = 0;
            await foreach (var entry in store.ListAsync(token).ConfigureAwait(false))
            {
                text.Append(Encoding.UTF8.GetString(StoredPolicyFormat.Serialize(entry))).Append('\n');
                count++;
            }

            var report = parse.InvocationConfiguration.Error;
            if (path == "-")
            {
                await output.WriteAsync(text.ToString()).ConfigureAwait(false);
            }
            else
            {
                try
                {
                    await File.WriteAllTextAsync(path, text.ToString(), new UTF8Encoding(false), token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    await report.WriteLineAsync($"cannot write '{path}': {CliText.Why(ex)}").ConfigureAwait(false);
                    return ExitCodes.InvalidInput;
                }

                report = output;
            }

            await report.WriteLineAsync(json ? CacheWriter.CountJson("exported", count) : $"exported {count} {Entries(count)}").ConfigureAwait(false);
            return ExitCodes.Definite;
        }));
        return command;
    }

    private static Command CreateImport()
    {
        var options = new CacheOptions();
        var network = new NetworkOptions();
        var concurrency = NetworkOptions.CreateConcurrency();
        var file = new Argument<string>("file") { Description = "An export file, or a list of domains one per line ('-' for standard input)." };
        var command = new Command("import", "Read an export (JSON lines, see 'cache export') into the store, where a newer entry already stored wins; " +
            "or read a list of domains, one per line, and resolve each into the store (warm start; output and exit code as 'resolve'). " +
            "The form is told by the first line that is not blank or a # comment: '{' starts an export.") { file, concurrency };
        options.AddTo(command);
        network.AddTo(command);
        command.SetAction(async (parse, token) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (!options.TryGetSpec(parse, out var spec, out var problem))
            {
                await error.WriteLineAsync(problem).ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            var path = parse.GetValue(file) ?? "-";
            IReadOnlyList<string> lines;
            try
            {
                lines = path == "-" ? ReadAll(Console.In) : await File.ReadAllLinesAsync(path, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"cannot read '{path}': {CliText.Why(ex)}").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            var json = parse.GetValue(options.Json);
            switch (DetectForm(lines))
            {
                case ImportForm.Domains:
                    return await DomainBatch.RunAsync(
                        parse,
                        parse.GetValue(concurrency),
                        json,
                        () =>
                        {
                            var resolverOptions = network.CreateOptions(parse);
                            NetworkOptions.UseStore(resolverOptions, StoreFactory.Create(spec));
                            return resolverOptions;
                        },
                        () => DomainBatch.ReadInputs(["-"], new StringReader(string.Join('\n', lines))),
                        static resolverOptions => MtaStsPolicyResolver.Create(resolverOptions),
                        configure: null,
                        static (resolver, input, cancellationToken) => ResolveCommand.ResolveOneAsync(resolver, input, cancellationToken),
                        static (output, record, asJson) => ResolveCommand.Write(output, record, asJson),
                        token).ConfigureAwait(false);
                default:
                    return await options.RunAsync(parse, mustExist: false, (store, output, _) => ImportEntriesAsync(store, lines, output, json, token)).ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>Writes each readable, unexpired entry through <see cref="IMtaStsPolicyStore.SetAsync"/> (a newer stored entry wins, decision S-4).</summary>
    internal static async Task<int> ImportEntriesAsync(IMtaStsPolicyStore store, IReadOnlyList<string> lines, TextWriter output, bool json, CancellationToken cancellationToken)
    {
        var result = new ImportResult();
        var now = TimeProvider.System.GetUtcNow();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (!StoredPolicyFormat.TryDeserialize(Encoding.UTF8.GetBytes(line), out var entry, out var problem))
            {
                result.Errors.Add((i + 1, problem));
            }
            else if (!entry.IsLiveAt(now))
            {
                result.Expired++;
            }
            else if (await store.SetAsync(entry, cancellationToken).ConfigureAwait(false))
            {
                result.Written++;
            }
            else
            {
                result.Kept++;
            }
        }

        await output.WriteAsync(json ? CacheWriter.ImportJson(result) + Environment.NewLine : CacheWriter.ImportText(result)).ConfigureAwait(false);
        return result.Errors.Count > 0 ? ExitCodes.InvalidInput : ExitCodes.Definite;
    }

    internal static string Entries(int count) => count == 1 ? "entry" : "entries";

    private static string[] ReadAll(TextReader reader)
    {
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return [.. lines];
    }
}

/// <summary>What <c>cache import</c> of an export did.</summary>
internal sealed class ImportResult
{
    /// <summary>Entries written.</summary>
    public int Written { get; set; }

    /// <summary>Entries not written because the store holds a newer one (decision S-4).</summary>
    public int Kept { get; set; }

    /// <summary>Entries skipped because they have expired.</summary>
    public int Expired { get; set; }

    /// <summary>Lines that are not a readable entry: the line number and why.</summary>
    public List<(int Line, string Error)> Errors { get; } = [];
}

/// <summary>The options of every <c>cache</c> subcommand: <c>--store</c> (required) and <c>--json</c>.</summary>
internal sealed class CacheOptions
{
    public StoreOption Store { get; } = new("The policy store: file:<dir> or redis:<host[:port]>[,name=value...] (required).");

    public Option<bool> Json { get; } = new("--json") { Description = "Write JSON (one object per line)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Store.Option);
        command.Options.Add(Json);
    }

    /// <summary>The store spec, or a usage message when <c>--store</c> is missing or malformed.</summary>
    public bool TryGetSpec(ParseResult parse, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StoreSpec? spec, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        spec = null;
        try
        {
            spec = Store.GetSpec(parse);
        }
        catch (ArgumentException ex)
        {
            problem = ex.Message;
            return false;
        }

        problem = spec is null ? $"mta-sts cache needs --store {StoreSpec.Usage}" : null;
        return spec is not null;
    }

    /// <summary>
    /// Opens the store (a missing or bad <c>--store</c> exits 2), runs <paramref name="action"/>, and disposes the store.
    /// A store that fails during the action exits 1 with the exception's type (never its text).
    /// </summary>
    public async Task<int> RunAsync(ParseResult parse, bool mustExist, Func<IMtaStsPolicyStore, TextWriter, bool, Task<int>> action)
    {
        var error = parse.InvocationConfiguration.Error;
        IMtaStsPolicyStore store;
        try
        {
            store = TryGetSpec(parse, out var spec, out var problem) ? StoreFactory.Create(spec, mustExist) : throw new ArgumentException(problem);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        try
        {
            return await action(store, parse.InvocationConfiguration.Output, parse.GetValue(Json)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TimeoutException or StackExchange.Redis.RedisException)
        {
            await error.WriteLineAsync($"the store failed: {CliText.Why(ex)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        finally
        {
            await StoreFactory.DisposeAsync(store).ConfigureAwait(false);
        }
    }
}
