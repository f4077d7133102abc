using System.CommandLine;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace MtaSts.Cli;

/// <summary>What <c>resolve</c> and <c>plan</c> share: reading the domains, building the service, bounded concurrency, ordered output, the exit code.</summary>
internal static class DomainBatch
{
    /// <summary>
    /// Runs a domain command: checks the common options, builds the service from them (a bad value or a missing DNS
    /// configuration exits 2), then handles every input domain and returns the worst exit code.
    /// </summary>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="common">The command's common options.</param>
    /// <param name="create">Builds the service from the options (after <paramref name="configure"/>).</param>
    /// <param name="configure">Applies command-specific options; throws <see cref="ArgumentException"/> on bad values.</param>
    /// <param name="work">Handles one input domain.</param>
    /// <param name="write">Writes one record (JSON or text) and returns its exit code.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public static Task<int> RunAsync<TService, TRecord>(
        ParseResult parse,
        CommonOptions common,
        Func<MtaStsOptions, TService> create,
        Action<MtaStsOptions>? configure,
        Func<TService, string, CancellationToken, Task<TRecord>> work,
        Func<TextWriter, TRecord, bool, int> write,
        CancellationToken cancellationToken)
        where TService : IDisposable =>
        RunAsync(
            parse,
            parse.GetValue(common.Concurrency),
            parse.GetValue(common.Json),
            () => common.CreateOptions(parse),
            () => ReadInputs(parse.GetValue(common.Domains) ?? [], Console.In),
            create,
            configure,
            work,
            write,
            cancellationToken);

    /// <summary>The most policy fetches a batch lets run at once, whatever its width (the library's own upper bound).</summary>
    internal const int MaxFetchesInFlight = 10_000;

    /// <summary>
    /// Runs a batch of domains: builds the options (a bad value or a missing DNS configuration exits 2), the service,
    /// then handles every input and returns the worst exit code. The options' <see cref="MtaStsCacheOptions.Store"/>, if
    /// any, is disposed at the end.
    /// </summary>
    public static async Task<int> RunAsync<TService, TRecord>(
        ParseResult parse,
        int width,
        bool json,
        Func<MtaStsOptions> buildOptions,
        Func<IEnumerable<string>> inputs,
        Func<MtaStsOptions, TService> create,
        Action<MtaStsOptions>? configure,
        Func<TService, string, CancellationToken, Task<TRecord>> work,
        Func<TextWriter, TRecord, bool, int> write,
        CancellationToken cancellationToken)
        where TService : IDisposable
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        if (UnknownOption(parse) is { } unknown)
        {
            // An argument that looks like an option is one this command does not know, never a domain (a label cannot
            // begin with a hyphen anyway).
            await error.WriteLineAsync($"unknown option '{unknown}' (see --help)").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        if (width < 1)
        {
            await error.WriteLineAsync("--concurrency must be at least 1").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        TService service;
        MtaStsOptions? options = null;
        try
        {
            options = buildOptions();

            // --concurrency is the user's bound on work in flight, so as many policy fetches may run at once: under the
            // library's default of 64, a batch of stalling hosts at --concurrency 256 took domains / 64 timeouts, not
            // the domains / 256 that --help promises.
            if (width > options.PolicyFetch.MaxConcurrentFetches)
            {
                options.PolicyFetch.MaxConcurrentFetches = Math.Min(width, MaxFetchesInFlight);
            }

            configure?.Invoke(options);
            service = create(options);
        }
        catch (Exception ex) when (ex is ArgumentException or OptionsValidationException or InvalidOperationException)
        {
            await StoreFactory.DisposeAsync(options?.Cache.Store).ConfigureAwait(false);
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        try
        {
            using (service)
            {
                return await RunAsync(inputs(), width, input => work(service, input, cancellationToken), record => write(output, record, json)).ConfigureAwait(false);
            }
        }
        finally
        {
            await StoreFactory.DisposeAsync(options.Cache.Store).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Handles every input with at most <paramref name="concurrency"/> at once, writing results in input order as soon as
    /// a result and every earlier one are done; returns the worst exit code. The inputs are read on a thread of their own,
    /// so a read that blocks (standard input kept open by its writer) never holds back answers that are ready.
    /// </summary>
    public static async Task<int> RunAsync<TRecord>(IEnumerable<string> inputs, int concurrency, Func<string, Task<TRecord>> work, Func<TRecord, int> write)
    {
        var exitCode = ExitCodes.Definite;

        // A slot is taken before an input's work starts and given back once its result is written: at most
        // `concurrency` inputs are in flight or waiting for an earlier one, so memory stays bounded however long the input.
        // Neither is disposed: after a failure the reading side may still use them (neither holds a wait handle or timer).
        var slots = new SemaphoreSlim(concurrency, concurrency);
        var stop = new CancellationTokenSource();
        var started = Channel.CreateUnbounded<Task<TRecord>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var reading = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    foreach (var input in inputs)
                    {
                        slots.Wait(stop.Token);
                        started.Writer.TryWrite(work(input));
                    }

                    started.Writer.TryComplete();
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    started.Writer.TryComplete();
                }
                catch (Exception e)
                {
                    started.Writer.TryComplete(e);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        try
        {
            await foreach (var result in started.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                exitCode = Math.Max(exitCode, write(await result.ConfigureAwait(false)));
                slots.Release();
            }
        }
        catch
        {
            // The writing side failed: the reading side stops at its next input instead of waiting for a slot (it is
            // not awaited, since it may be blocked reading an input that never comes).
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }

        await reading.ConfigureAwait(false);
        return exitCode;
    }

    /// <summary>The longest input line read whole; a longer line is invalid input (a domain has at most 253 characters).</summary>
    internal const int MaxLineLength = 1024;

    /// <summary>
    /// The domains from the arguments; a <c>-</c> stands for the lines of standard input (blank lines and <c>#</c>
    /// comments skipped). Lines are read in bounded memory: of a line longer than <see cref="MaxLineLength"/> only its
    /// first <see cref="MaxLineLength"/> + 1 characters are kept (enough for the name check to refuse it), the rest is
    /// skipped unread into memory.
    /// </summary>
    public static IEnumerable<string> ReadInputs(IEnumerable<string> arguments, TextReader stdin)
    {
        foreach (var argument in arguments)
        {
            if (argument != "-")
            {
                yield return argument;
                continue;
            }

            while (ReadBoundedLine(stdin, MaxLineLength + 1) is { } line)
            {
                var trimmed = line.Trim();
                if (trimmed.Length > 0 && !trimmed.StartsWith('#'))
                {
                    yield return trimmed;
                }
            }
        }
    }

    /// <summary>Reads one line (without its end), keeping at most <paramref name="keep"/> characters; <see langword="null"/> at the end.</summary>
    internal static string? ReadBoundedLine(TextReader reader, int keep)
    {
        var line = new System.Text.StringBuilder();
        var any = false;
        while (reader.Read() is var c && c >= 0)
        {
            any = true;
            if (c == '\n')
            {
                break;
            }

            if (c != '\r' && line.Length < keep)
            {
                line.Append((char)c);
            }
        }

        return any ? line.ToString() : null;
    }

    /// <summary>The first argument that looks like an option (<c>-x</c>, <c>--x</c>; a lone <c>-</c> is standard input), or <see langword="null"/>.</summary>
    internal static string? UnknownOption(ParseResult parse)
    {
        foreach (var token in parse.UnmatchedTokens)
        {
            if (token.StartsWith('-') && token.Length > 1)
            {
                return token;
            }
        }

        foreach (var result in parse.CommandResult.Children)
        {
            if (result is System.CommandLine.Parsing.ArgumentResult argument)
            {
                foreach (var token in argument.Tokens)
                {
                    if (token.Value.StartsWith('-') && token.Value.Length > 1)
                    {
                        return token.Value;
                    }
                }
            }
        }

        return null;
    }
}
