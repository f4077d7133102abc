using System.CommandLine;
using System.Diagnostics;

namespace MtaSts.Cli;

/// <summary><c>mta-sts resolve &lt;domain&gt;...</c>: resolves domains exactly as a sending MTA using the library would.</summary>
internal static class ResolveCommand
{
    public static Command Create()
    {
        var domains = new Argument<string[]>("domain")
        {
            Description = "Policy domains to resolve; '-' reads one per line from standard input.",
            Arity = ArgumentArity.OneOrMore,
        };
        var concurrency = new Option<int>("--concurrency", "-c")
        {
            Description = "How many domains to resolve at once.",
            DefaultValueFactory = _ => 8,
        };
        var common = new CommonOptions();
        var command = new Command("resolve", "Resolve the MTA-STS policy of each domain (exit 0 when every domain got a definite answer: a policy, or none).")
        {
            domains,
            concurrency,
        };
        common.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var width = parse.GetValue(concurrency);
            if (width < 1)
            {
                await error.WriteLineAsync("--concurrency must be at least 1").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            MtaStsOptions options;
            try
            {
                options = common.CreateOptions(parse);
            }
            catch (ArgumentException ex)
            {
                await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            MtaStsPolicyResolver resolver;
            try
            {
                resolver = MtaStsPolicyResolver.Create(options);
            }
            catch (Exception ex) when (ex is Microsoft.Extensions.Options.OptionsValidationException or InvalidOperationException)
            {
                await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            using (resolver)
            {
                var inputs = ReadInputs(parse.GetValue(domains) ?? [], Console.In);
                return await RunAsync(resolver, inputs, width, parse.GetValue(common.Json), output, cancellationToken).ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>Resolves every input with bounded concurrency, writing results in input order; returns the exit code.</summary>
    internal static async Task<int> RunAsync(IMtaStsPolicyResolver resolver, IEnumerable<string> inputs, int concurrency, bool json, TextWriter output, CancellationToken cancellationToken)
    {
        var exitCode = ExitCodes.Definite;
        var window = new Queue<Task<ResolutionRecord>>();
        foreach (var input in inputs)
        {
            window.Enqueue(ResolveOneAsync(resolver, input, cancellationToken));
            if (window.Count >= concurrency)
            {
                exitCode = Combine(exitCode, await WriteNextAsync(window, json, output).ConfigureAwait(false));
            }
        }

        while (window.Count > 0)
        {
            exitCode = Combine(exitCode, await WriteNextAsync(window, json, output).ConfigureAwait(false));
        }

        return exitCode;
    }

    internal static async Task<ResolutionRecord> ResolveOneAsync(IMtaStsPolicyResolver resolver, string input, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var resolution = await resolver.ResolveAsync(input, cancellationToken).ConfigureAwait(false);
            return new ResolutionRecord(input, resolution, null, Stopwatch.GetElapsedTime(started));
        }
        catch (ArgumentException ex)
        {
            return new ResolutionRecord(input, null, ex.Message, Stopwatch.GetElapsedTime(started));
        }
    }

    private static async Task<int> WriteNextAsync(Queue<Task<ResolutionRecord>> window, bool json, TextWriter output)
    {
        var record = await window.Dequeue().ConfigureAwait(false);
        ResolutionWriter.Write(output, record, json);
        return record.Resolution is null ? ExitCodes.InvalidInput : record.IsDefinite ? ExitCodes.Definite : ExitCodes.Failure;
    }

    private static int Combine(int current, int next) => Math.Max(current, next);

    /// <summary>The domains from the arguments; a <c>-</c> stands for the lines of standard input (blank lines and <c>#</c> comments skipped).</summary>
    internal static IEnumerable<string> ReadInputs(IEnumerable<string> arguments, TextReader stdin)
    {
        foreach (var argument in arguments)
        {
            if (argument != "-")
            {
                yield return argument;
                continue;
            }

            while (stdin.ReadLine() is { } line)
            {
                var trimmed = line.Trim();
                if (trimmed.Length > 0 && !trimmed.StartsWith('#'))
                {
                    yield return trimmed;
                }
            }
        }
    }
}
