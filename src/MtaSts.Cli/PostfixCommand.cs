using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using MtaSts.Cli.Postfix;

namespace MtaSts.Cli;

/// <summary>
/// <c>mta-sts postfix --listen …</c>: a socketmap server for Postfix's <c>smtp_tls_policy_maps</c>, answering from the
/// library's delivery plans (DANE first, then MTA-STS) and its caches.
/// </summary>
internal static class PostfixCommand
{
    private static readonly string[] TestingAnswers = ["notfound", "may", "encrypt", "secure"];
    private static readonly string[] MatchForms = ["hosts", "patterns"];
    private static readonly string[] LogLevels = ["trace", "debug", "information", "warning", "error", "critical", "none"];

    public static Command Create()
    {
        var listen = new Option<string>("--listen")
        {
            Description = "Where to listen: inet:<ip>:<port> (e.g. inet:127.0.0.1:8461) or unix:<path>. Postfix then reads " +
                "smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:postfix (or socketmap:unix:<path>:postfix).",
            Required = true,
            HelpName = "inet:ip:port|unix:path",
        };
        var mapNames = new Option<string[]>("--map-name")
        {
            Description = "The socketmap name answered (the last field of socketmap:…:<name>; repeatable). Other names get PERM. Default: postfix.",
            HelpName = "name",
        };
        var testing = new Option<string>("--testing-answer")
        {
            Description = "The answer for a domain whose MTA-STS policy is in testing mode: notfound (Postfix's default applies, " +
                "RFC 8461 §5), may (opportunistic TLS), encrypt (TLS without authentication) or secure (as enforce).",
            DefaultValueFactory = _ => "notfound",
        };
        testing.AcceptOnlyFromAmong(TestingAnswers);
        var match = new Option<string>("--match")
        {
            Description = "The names in match= of a secure answer: hosts (the live MX hosts the policy allows; exactly RFC 8461's " +
                "one-label wildcard) or patterns (the policy's patterns with *. written as ., as postfix-mta-sts-resolver answers; " +
                "looser: Postfix reads .example.net as any depth).",
            DefaultValueFactory = _ => "hosts",
        };
        match.AcceptOnlyFromAmong(MatchForms);
        var maxConnections = new Option<int>("--max-connections")
        {
            Description = "The most client connections open at once; more are closed at once (Postfix opens one per smtp process).",
            DefaultValueFactory = _ => 500,
        };
        var requestTimeout = Seconds("--request-timeout", "Seconds a request may take to arrive once begun, and a reply to be read; a slower client is disconnected.", 10);
        var idleTimeout = Seconds("--idle-timeout", "Seconds a connection may stay idle between requests.", 300);
        var lookupTimeout = Seconds("--lookup-timeout", "Seconds one answer may take; a longer lookup is answered TIMEOUT (Postfix defers) and finishes in the background.", 30);
        var socketMode = new Option<string>("--socket-mode")
        {
            Description = "The permissions of a unix: socket, in octal; the Postfix smtp processes must be able to connect (the answers are public DNS facts).",
            DefaultValueFactory = _ => "666",
        };
        var logLevel = new Option<string>("--log-level")
        {
            Description = "The least level logged to standard error (debug logs every answer).",
            DefaultValueFactory = _ => "information",
        };
        logLevel.AcceptOnlyFromAmong(LogLevels);

        var network = new NetworkOptions();
        var store = CommonOptions.CreateStore();
        var overrides = CommonOptions.CreateOverrides();
        var dane = new DaneOptions();
        var command = new Command("postfix", "Serve Postfix's smtp_tls_policy_maps over the socketmap protocol: per recipient domain " +
            "'dane-only' when every MX host has usable DNSSEC-secure TLSA records, 'secure match=<MX hosts> servername=hostname' under " +
            "MTA-STS enforce, TEMP when delivery must be deferred, NOTFOUND otherwise. Runs until SIGTERM or Ctrl-C (then exits 0).")
        {
            listen,
            mapNames,
            testing,
            match,
            maxConnections,
            requestTimeout,
            idleTimeout,
            lookupTimeout,
            socketMode,
            logLevel,
            store.Option,
            overrides,
        };
        dane.AddTo(command);
        network.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            ListenSpec spec;
            SocketmapServerSettings settings;
            try
            {
                spec = ListenSpec.Parse(parse.GetValue(listen)!);
                var names = parse.GetValue(mapNames) is { Length: > 0 } given ? given : ["postfix"];
                foreach (var name in names)
                {
                    if (name.Length == 0 || name.Any(static c => c is ' ' or ':' || char.IsControl(c)))
                    {
                        throw new ArgumentException($"--map-name '{PostfixAnswers.ForDisplay(name)}': a name has no spaces, colons or control characters");
                    }
                }

                var connections = parse.GetValue(maxConnections);
                if (connections is < 1 or > 100_000)
                {
                    throw new ArgumentException("--max-connections must be between 1 and 100000");
                }

                settings = new SocketmapServerSettings
                {
                    MapNames = names,
                    Answers = new PostfixAnswerSettings(ParseTesting(parse.GetValue(testing)), parse.GetValue(match) == "patterns" ? MatchForm.Patterns : MatchForm.Hosts),
                    MaxConnections = connections,
                    RequestTimeout = TimeSpan.FromSeconds(parse.GetValue(requestTimeout)),
                    IdleTimeout = TimeSpan.FromSeconds(parse.GetValue(idleTimeout)),
                    LookupTimeout = TimeSpan.FromSeconds(parse.GetValue(lookupTimeout)),
                    SocketMode = ParseMode(parse.GetValue(socketMode)),
                };
            }
            catch (ArgumentException ex)
            {
                await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            using var loggerFactory = CreateLoggerFactory(parse.GetValue(logLevel)!);
            return await RunAsync(parse, spec, settings, loggerFactory, () =>
            {
                var options = CommonOptions.CreateOptions(parse, network, overrides, store);
                dane.Apply(parse, options);
                return options;
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Builds the planner, listens, serves until cancelled or signalled; 0 after a clean stop, 2 for bad settings, 1 when it cannot listen.</summary>
    private static async Task<int> RunAsync(ParseResult parse, ListenSpec spec, SocketmapServerSettings settings, ILoggerFactory loggerFactory, Func<MtaStsOptions> buildOptions, CancellationToken cancellationToken)
    {
        var error = parse.InvocationConfiguration.Error;
        MtaStsOptions? options = null;
        DeliveryPlanner planner;
        try
        {
            options = buildOptions();
            planner = DeliveryPlanner.Create(options, loggerFactory);
        }
        catch (Exception ex) when (ex is ArgumentException or OptionsValidationException or InvalidOperationException)
        {
            await StoreFactory.DisposeAsync(options?.Cache.Store).ConfigureAwait(false);
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        try
        {
            using (planner)
            {
                SocketmapServer server;
                try
                {
                    server = SocketmapServer.Listen(spec, planner, settings, loggerFactory.CreateLogger("MtaSts.Postfix"));
                }
                catch (ArgumentException ex)
                {
                    await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                    return ExitCodes.InvalidInput;
                }
                catch (SocketException ex)
                {
                    await error.WriteLineAsync($"cannot listen on {ListenSpec.Format(spec.EndPoint)}: {ListenFailure(spec, ex.SocketErrorCode)}").ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                await using (server.ConfigureAwait(false))
                {
                    using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, stop));
                    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, stop));
                    await using var refresher = new PolicyRefresher(planner.Resolver);
                    refresher.Start();
                    await server.RunAsync(stop.Token).ConfigureAwait(false);
                    await refresher.StopAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await StoreFactory.DisposeAsync(options.Cache.Store).ConfigureAwait(false);
        }

        return ExitCodes.Definite;
    }

    private static void Stop(PosixSignalContext context, CancellationTokenSource stop)
    {
        // A graceful stop: the server drains its connections, and the action returns 0.
        context.Cancel = true;
        stop.Cancel();
    }

    private static Option<double> Seconds(string name, string description, double defaultValue)
    {
        var option = new Option<double>(name)
        {
            Description = description + string.Create(CultureInfo.InvariantCulture, $" Default: {defaultValue}."),
            DefaultValueFactory = _ => defaultValue,
            HelpName = "seconds",
        };
        option.Validators.Add(result =>
        {
            if (result.Errors.Any() || result.Tokens.Any(token => !double.TryParse(token.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                return; // not a number: the parser reports that itself (reading the value here would throw)
            }

            var value = result.GetValueOrDefault<double>();
            if (!(value is >= 0.1 and <= 86_400))
            {
                result.AddError($"{name} must be between 0.1 and 86400 seconds");
            }
        });
        return option;
    }

    private static TestingAnswer ParseTesting(string? text) => text switch
    {
        "may" => TestingAnswer.May,
        "encrypt" => TestingAnswer.Encrypt,
        "secure" => TestingAnswer.Secure,
        _ => TestingAnswer.NotFound,
    };

    private static UnixFileMode ParseMode(string? text)
    {
        if (text is { Length: >= 1 and <= 4 } && text.All(static c => c is >= '0' and <= '7'))
        {
            return (UnixFileMode)Convert.ToInt32(text, 8);
        }

        throw new ArgumentException($"--socket-mode '{PostfixAnswers.ForDisplay(text ?? string.Empty)}': expected octal permissions such as 660 or 666");
    }

    private static ILoggerFactory CreateLoggerFactory(string level) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(level switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            "none" => LogLevel.None,
            _ => LogLevel.Information,
        });
        builder.AddConsole(static console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddSimpleConsole(static console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            console.ColorBehavior = Console.IsErrorRedirected ? LoggerColorBehavior.Disabled : LoggerColorBehavior.Default;
        });
    });

    /// <summary>Why listening failed, in the tool's words (what to check), for the system's error code.</summary>
    internal static string ListenFailure(ListenSpec spec, SocketError code)
    {
        if (spec.UnixPath is { } path && Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory && !Directory.Exists(directory))
        {
            return $"the directory {directory} does not exist";
        }

        return code switch
        {
            SocketError.AddressAlreadyInUse => spec.UnixPath is null
                ? "the address is already in use by another program"
                : "another server is listening on this socket",
            SocketError.AccessDenied => spec.UnixPath is null
                ? "permission denied (ports below 1024 need privileges)"
                : "permission denied (the socket's directory is not writable by this user)",
            SocketError.AddressNotAvailable => "no network interface of this machine has that address",
            _ => $"the system refused (socket error {(int)code})",
        };
    }
}
