using System.CommandLine;

namespace MtaSts.Cli;

/// <summary>The options of the commands that connect to MX hosts (<c>probe</c>, <c>check</c>): the SMTP port and the two timeouts.</summary>
internal sealed class SmtpProbeOptions
{
    public Option<int?> SmtpPort { get; } = new("--smtp-port")
    {
        Description = "The SMTP port to connect to (default 25); TLSA records are looked up for the same port (_<port>._tcp.<host>).",
        HelpName = "port",
    };

    public Option<double?> ConnectTimeout { get; } = new("--connect-timeout")
    {
        Description = "Seconds a TCP connection to one MX address may take (default 10).",
        HelpName = "seconds",
    };

    public Option<double?> CommandTimeout { get; } = new("--smtp-timeout")
    {
        Description = "Seconds the server may take for each reply and for the TLS handshake (default 30).",
        HelpName = "seconds",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(SmtpPort);
        command.Options.Add(ConnectTimeout);
        command.Options.Add(CommandTimeout);
    }

    /// <summary>Applies the options to the probe and the planner (the TLSA port); throws <see cref="ArgumentException"/> with a readable message on bad values.</summary>
    public void Apply(ParseResult parse, MxProbeOptions probe, MtaStsOptions options)
    {
        if (parse.GetValue(SmtpPort) is { } port)
        {
            probe.Port = port is >= 1 and <= 65535 ? port : throw new ArgumentException("--smtp-port must be 1 to 65535");
            options.Delivery.SmtpPort = port;
        }

        probe.ConnectTimeout = Seconds(parse.GetValue(ConnectTimeout), probe.ConnectTimeout, "--connect-timeout");
        probe.CommandTimeout = Seconds(parse.GetValue(CommandTimeout), probe.CommandTimeout, "--smtp-timeout");
    }

    private static TimeSpan Seconds(double? value, TimeSpan fallback, string name) => value switch
    {
        null => fallback,
        > 0 and <= 600 => TimeSpan.FromSeconds(value.Value),
        _ => throw new ArgumentException($"{name} must be more than 0 and at most 600 seconds"),
    };
}
