using System.CommandLine;
using System.Net;

namespace MtaSts.Cli;

/// <summary>The DANE options shared by <c>plan</c> and <c>postfix</c>: <c>--no-dane</c> and <c>--trusted-resolver</c>.</summary>
internal sealed class DaneOptions
{
    public Option<bool> NoDane { get; } = new("--no-dane")
    {
        Description = "Do not look up TLSA records: MTA-STS alone decides.",
    };

    public Option<string[]> TrustedResolvers { get; } = new("--trusted-resolver")
    {
        Description = "A resolver whose DNSSEC verdict (AD bit) is believed, as IP (repeatable). Default: loopback resolvers only; " +
            "given, it replaces that default (list 127.0.0.1 too to keep it). DANE is reported unavailable for answers from any other resolver.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(NoDane);
        command.Options.Add(TrustedResolvers);
    }

    /// <summary>Applies the options; throws <see cref="ArgumentException"/> with a readable message on bad values.</summary>
    public void Apply(ParseResult parse, MtaStsOptions options)
    {
        options.Dane.Enabled = !parse.GetValue(NoDane);
        foreach (var text in parse.GetValue(TrustedResolvers) ?? [])
        {
            options.Dane.TrustedResolvers.Add(IPAddress.TryParse(text, out var address)
                ? address
                : throw new ArgumentException($"'{text}' is not an IP address (--trusted-resolver)"));
        }
    }
}
