using System.CommandLine;
using System.Diagnostics;

namespace MtaSts.Cli;

/// <summary>
/// <c>mta-sts plan &lt;domain&gt;...</c>: the delivery plan of each recipient domain (MX hosts, DANE, MTA-STS), exactly as
/// a sending MTA using the library would get it.
/// </summary>
internal static class PlanCommand
{
    public static Command Create()
    {
        var common = new CommonOptions("Recipient domains to plan delivery to;");
        var dane = new DaneOptions();
        var daneRequired = new Option<string[]>("--dane-required")
        {
            Description = "A recipient domain for which DANE is mandatory (repeatable): its hosts are used only with usable, DNSSEC-secure " +
                "TLSA records, and delivery is deferred when its MX answer is not DNSSEC-secure (RFC 7672 §2.2, §6).",
            HelpName = "domain",
        };
        var smtpPort = new Option<int?>("--smtp-port")
        {
            Description = "The SMTP port whose TLSA records are looked up (_<port>._tcp.<host>), for test environments.",
            Hidden = true,
        };
        var command = new Command("plan", "Plan delivery to each domain: MX hosts in order, whether to use each, TLS required or opportunistic, " +
            "how to authenticate (DANE-EE, DANE-TA, PKIX, none), the SNI, and why (exit 0 when every domain has a usable host or accepts no mail, 1 when delivery must be deferred)." +
            Environment.NewLine + Environment.NewLine + "Examples:" + Environment.NewLine +
            "  mta-sts plan example.com" + Environment.NewLine +
            "  mta-sts plan --json --trusted-resolver 127.0.0.1 --name-server 127.0.0.1 example.com   DANE through a local validating resolver")
        {
            daneRequired,
            smtpPort,
        };
        dane.AddTo(command);
        common.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
            await DomainBatch.RunAsync(
                parse,
                common,
                static options => DeliveryPlanner.Create(options),
                options =>
                {
                    dane.Apply(parse, options);

                    foreach (var text in parse.GetValue(daneRequired) ?? [])
                    {
                        options.Dane.RequiredDomains.Add(DomainName.TryNormalize(text, out var domain, out var error)
                            ? domain
                            : throw new ArgumentException($"'{text}' is not a domain name (--dane-required): {error}"));
                    }

                    if (options.Dane.RequiredDomains.Count > 0 && !options.Dane.Enabled)
                    {
                        throw new ArgumentException("--dane-required makes DANE mandatory for a domain, so it cannot be combined with --no-dane.");
                    }

                    if (parse.GetValue(smtpPort) is { } port)
                    {
                        options.Delivery.SmtpPort = port;
                    }
                },
                static (planner, input, token) => PlanOneAsync(planner, input, token),
                static (output, record, json) => Write(output, record, json),
                cancellationToken).ConfigureAwait(false));
        return command;
    }

    internal static async Task<PlanRecord> PlanOneAsync(IDeliveryPlanner planner, string input, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (!DomainName.TryNormalize(input, out _, out var invalid))
        {
            return new PlanRecord(input, null, invalid, Stopwatch.GetElapsedTime(started));
        }

        try
        {
            var plan = await planner.PlanDeliveryAsync(input, cancellationToken).ConfigureAwait(false);
            return new PlanRecord(input, plan, null, Stopwatch.GetElapsedTime(started));
        }
        catch (ArgumentException ex)
        {
            return new PlanRecord(input, null, ex.Message, Stopwatch.GetElapsedTime(started));
        }
    }

    private static int Write(TextWriter output, PlanRecord record, bool json)
    {
        PlanWriter.Write(output, record, json);
        return record.ExitCode;
    }
}

/// <summary>One domain of <c>mta-sts plan</c> output: a plan, or the reason the input was refused.</summary>
internal sealed record PlanRecord(string Input, DeliveryPlan? Plan, string? Error, TimeSpan Elapsed)
{
    /// <summary>The status word of the outputs: <c>deliver</c>, <c>defer</c>, <c>no-mail-service</c> or <c>invalid-input</c>.</summary>
    public string Status => Plan is null ? "invalid-input" : Plan.Status.ToToken();

    /// <summary>0 for a usable host or a definite "no mail service", 1 for a deferral, 2 for invalid input.</summary>
    public int ExitCode => Plan?.Status switch
    {
        null => ExitCodes.InvalidInput,
        DeliveryPlanStatus.Defer => ExitCodes.Failure,
        _ => ExitCodes.Definite,
    };

    /// <summary>Why there is no usable host: the refused input, or for a deferral the reason that decided it.</summary>
    public string? ErrorText => Error ?? (Plan is { Status: DeliveryPlanStatus.Defer } plan && plan.Reasons.Count > 0
        ? plan.Hosts.Count == 0 ? plan.Reasons[0] : plan.Reasons[^1]
        : null);
}
