using System.CommandLine;
using System.Globalization;
using System.Security.Authentication;
using System.Text;
using Spectre.Console;

namespace MtaSts.Cli;

/// <summary>
/// <c>mta-sts check &lt;domain&gt;...</c>: a diagnosis for domain owners with the sender's own code (the library's
/// <see cref="MtaStsInspector"/>): the TXT records, the policy fetch and its TLS, the policy, the MX hosts against the
/// patterns, <c>max_age</c>, TLS-RPT, DNSSEC and TLSA per MX, and (unless <c>--no-connect</c>) a STARTTLS probe.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var domains = new Argument<string[]>("domain")
        {
            Description = "The domains to check; '-' reads one per line from standard input; answers come in input order as soon as they are ready.",
            Arity = ArgumentArity.OneOrMore,
        };
        var concurrency = NetworkOptions.CreateConcurrency();
        var network = new NetworkOptions();
        var dane = new DaneOptions();
        var json = new Option<bool>("--json") { Description = "Write one JSON object per line per domain: {domain, input, ok, findings: [{severity, code, message, fix, ...}], ...}." };
        var noConnect = new Option<bool>("--no-connect") { Description = "Do not connect to the MX hosts (no STARTTLS probe): DNS and the policy host only." };
        var smtp = new SmtpProbeOptions();
        var command = new Command("check", "Diagnose a domain's MTA-STS, DANE and TLS-RPT set-up with the sender's own code: every TXT record at _mta-sts, " +
            "the policy fetch (status, content type, TLS version, certificate and days to expiry), the policy's warnings and errors at their lines, " +
            "the live MX hosts against the mx patterns, max_age, the _smtp._tls record, DNSSEC and TLSA per MX host, and a STARTTLS probe of each MX host. " +
            "Each finding has a severity, a stable code, a message and a fix. Exit 0 when no finding is an error, 1 when one is, 2 for bad usage." +
            Environment.NewLine + Environment.NewLine + "Examples:" + Environment.NewLine +
            "  mta-sts check example.com" + Environment.NewLine +
            "  mta-sts check --no-connect --json example.com example.net" + Environment.NewLine +
            "  mta-sts check - < domains.txt")
        {
            domains,
            concurrency,
            json,
            noConnect,
        };
        smtp.AddTo(command);
        network.AddTo(command);
        dane.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var inspection = new InspectionOptions { NoConnect = parse.GetValue(noConnect) };
            var probe = new MxProbeOptions();
            var asJson = parse.GetValue(json);
            var output = parse.InvocationConfiguration.Output;
            var terminal = !asJson && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
            IEnumerable<string> inputs = DomainBatch.ReadInputs(parse.GetValue(domains) ?? [], Console.In);
            var console = terminal ? CreateConsole() : null;

            Task<int> Run(Func<TextWriter, CheckRecord, bool, int> write) => DomainBatch.RunAsync(
                parse,
                parse.GetValue(concurrency),
                asJson,
                () => network.CreateOptions(parse),
                () => inputs,
                options => new CheckService(options, inspection),
                options =>
                {
                    dane.Apply(parse, options);
                    smtp.Apply(parse, probe, options);
                    inspection.Probe = probe;
                },
                static (service, input, token) => service.CheckAsync(input, token),
                write,
                cancellationToken);

            if (console is null)
            {
                return await Run(static (writer, record, json) =>
                {
                    writer.WriteLine(json ? ToJson(record) : ToText(record));
                    return record.ExitCode;
                }).ConfigureAwait(false);
            }

            var list = inputs.ToList();
            inputs = list;
            if (list.Count < 2)
            {
                return await Run((_, record, _) =>
                {
                    Render(console, record);
                    return record.ExitCode;
                }).ConfigureAwait(false);
            }

            // Many domains on a terminal: a progress bar while they are checked, then the reports in input order.
            var done = new List<CheckRecord>(list.Count);
            var exitCode = 0;
            await console.Progress().AutoClear(true).StartAsync(async context =>
            {
                var task = context.AddTask("checking " + list.Count.ToString(CultureInfo.InvariantCulture) + " domains", maxValue: list.Count);
                exitCode = await Run((_, record, _) =>
                {
                    done.Add(record);
                    task.Increment(1);
                    return record.ExitCode;
                }).ConfigureAwait(false);
            }).ConfigureAwait(false);
            foreach (var record in done)
            {
                Render(console, record);
            }

            return exitCode;
        });
        return command;
    }

    private static IAnsiConsole CreateConsole() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.Detect,
        ColorSystem = ColorSystemSupport.Detect,
        Out = new AnsiConsoleOutput(Console.Out),
    });

    /// <summary>
    /// One JSON object on one line: <c>{domain, input, ok, errors, warnings, error, findings: [{severity, code, message,
    /// fix, subject, line}], txt_records: [{text, sts, selected, reason}], policy_host {url, status, content_type,
    /// tls_version, certificate {subject, issuer, san, not_before, not_after, days_left, chain}}, policy {mode, max_age,
    /// mx}, mx: [{host, preference, use, tls_required, auth, dane}], tlsrpt {status, rua}, elapsed_ms}</c>.
    /// </summary>
    internal static string ToJson(CheckRecord record) => CliText.Json(json =>
    {
        var inspection = record.Inspection;
        json.WriteStartObject();
        json.WriteStringOrNull("domain", inspection?.Domain);
        json.WriteString("input", record.Input);
        json.WriteBoolean("ok", record.ExitCode == ExitCodes.Definite);
        json.WriteNumber("errors", record.Count(InspectionSeverity.Error));
        json.WriteNumber("warnings", record.Count(InspectionSeverity.Warning));
        json.WriteStringOrNull("error", record.Error);
        json.WriteStartArray("findings");
        foreach (var finding in inspection?.Findings ?? [])
        {
            json.WriteStartObject();
            json.WriteString("severity", finding.Severity.ToToken());
            json.WriteString("code", finding.Code);
            json.WriteString("message", finding.Message);
            json.WriteString("fix", finding.Fix);
            json.WriteStringOrNull("subject", finding.Subject);
            if (finding.Line > 0)
            {
                json.WriteNumber("line", finding.Line);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (inspection is null)
        {
            json.WriteEndObject();
            return;
        }

        json.WriteStartArray("txt_records");
        foreach (var txt in inspection.TxtRecords)
        {
            json.WriteStartObject();
            json.WriteString("text", txt.Text);
            json.WriteBoolean("sts", txt.IsStsRecord);
            json.WriteBoolean("selected", txt.IsSelected);
            json.WriteString("reason", txt.Reason);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (inspection.PolicyHost is { } host)
        {
            json.WriteStartObject("policy_host");
            json.WriteString("url", host.Url.AbsoluteUri);
            if (host.HttpStatusCode is { } status)
            {
                json.WriteNumber("status", status);
            }
            else
            {
                json.WriteNull("status");
            }

            json.WriteStringOrNull("content_type", host.ContentType);
            json.WriteStringOrNull("tls_version", TlsVersion(host.TlsProtocol));
            if (host.Certificate is { } certificate)
            {
                json.WriteStartObject("certificate");
                json.WriteString("subject", certificate.Subject);
                json.WriteString("issuer", certificate.Issuer);
                WriteArray(json, "san", certificate.DnsNames);
                json.WriteString("not_before", Timestamp(certificate.NotBefore));
                json.WriteString("not_after", Timestamp(certificate.NotAfter));
                json.WriteNumber("days_left", certificate.DaysLeft(TimeProvider.System.GetUtcNow()));
                WriteArray(json, "chain", certificate.Chain);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("certificate");
            }

            json.WriteNumber("elapsed_ms", (long)host.Elapsed.TotalMilliseconds);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("policy_host");
        }

        if (inspection.Resolution?.Policy is { } policy)
        {
            json.WriteStartObject("policy");
            json.WriteString("mode", policy.Mode.ToToken());
            json.WriteNumber("max_age", policy.MaxAgeSeconds);
            WriteArray(json, "mx", policy.MxPatterns.Select(static p => p.Pattern));
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("policy");
        }

        json.WriteStartArray("mx");
        foreach (var decision in inspection.Plan?.Hosts ?? [])
        {
            json.WriteStartObject();
            json.WriteString("host", decision.Host);
            json.WriteNumber("preference", decision.Preference);
            json.WriteBoolean("use", decision.IsUsable);
            json.WriteBoolean("tls_required", decision.TlsRequired);
            json.WriteString("auth", decision.CertificateRequirement.Authentication.ToToken());
            json.WriteString("dane", DaneToken(decision.Dane));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (inspection.TlsRpt is { } tlsRpt)
        {
            json.WriteStartObject("tlsrpt");
            json.WriteString("status", tlsRpt.Status switch
            {
                TlsRptRecordStatus.Found => "found",
                TlsRptRecordStatus.NotFound => "not-found",
                TlsRptRecordStatus.MultipleRecords => "multiple",
                TlsRptRecordStatus.Invalid => "invalid",
                _ => "dns-failure",
            });
            WriteArray(json, "rua", tlsRpt.Record?.ReportingUris.Select(static u => u.OriginalString) ?? []);
            json.WriteEndObject();
        }

        json.WriteNumber("elapsed_ms", (long)inspection.Elapsed.TotalMilliseconds);
        json.WriteEndObject();
    });

    /// <summary>The plain report: a summary line, then one block per finding (severity, code, message, fix).</summary>
    internal static string ToText(CheckRecord record)
    {
        var text = new StringBuilder();
        text.AppendLine(Summary(record));
        foreach (var finding in record.Inspection?.Findings ?? [])
        {
            text.Append("  ").Append(finding.Severity.ToToken().PadRight(7)).Append(' ').Append(finding.Code).Append(": ").AppendLine(finding.Message);
            if (finding.Fix.Length > 0 && finding.Severity != InspectionSeverity.Info)
            {
                text.Append("          fix: ").AppendLine(finding.Fix);
            }
        }

        return text.ToString();
    }

    /// <summary>The same report with colours (Spectre.Console), for a terminal.</summary>
    private static void Render(IAnsiConsole console, CheckRecord record)
    {
        var colour = record.ExitCode == ExitCodes.Definite ? record.Count(InspectionSeverity.Warning) > 0 ? "yellow" : "green" : "red";
        console.MarkupLine($"[bold {colour}]{Markup.Escape(Summary(record))}[/]");
        foreach (var finding in record.Inspection?.Findings ?? [])
        {
            var style = finding.Severity switch
            {
                InspectionSeverity.Error => "red",
                InspectionSeverity.Warning => "yellow",
                _ => "grey",
            };
            console.MarkupLine($"  [{style}]{Markup.Escape(finding.Severity.ToToken().PadRight(7))}[/] [bold]{Markup.Escape(finding.Code)}[/]: {Markup.Escape(finding.Message)}");
            if (finding.Fix.Length > 0 && finding.Severity != InspectionSeverity.Info)
            {
                console.MarkupLine($"          [cyan]fix:[/] {Markup.Escape(finding.Fix)}");
            }
        }

        console.WriteLine();
    }

    private static string Summary(CheckRecord record)
    {
        if (record.Inspection is not { } inspection)
        {
            return $"{CliText.Printable(record.Input)}: invalid-input: {record.Error}";
        }

        var errors = record.Count(InspectionSeverity.Error);
        var warnings = record.Count(InspectionSeverity.Warning);
        var ms = ((long)inspection.Elapsed.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        return $"{inspection.Domain}: {(errors == 0 ? "ok" : "not ok")}, {errors} error{(errors == 1 ? string.Empty : "s")}, {warnings} warning{(warnings == 1 ? string.Empty : "s")} ({ms} ms)";
    }

    private static void WriteArray(System.Text.Json.Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static string Timestamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string DaneToken(DaneStatus status) => status switch
    {
        DaneStatus.Usable => "usable",
        DaneStatus.Unusable => "unusable",
        DaneStatus.LookupFailed => "lookup-failed",
        DaneStatus.Unavailable => "unavailable",
        _ => "none",
    };

    private static string? TlsVersion(SslProtocols? protocol) => protocol switch
    {
        null => null,
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
        _ => protocol.Value.ToString(),
    };

    /// <summary>The inspector, shared by every domain of the run.</summary>
    private sealed class CheckService(MtaStsOptions options, InspectionOptions inspection) : IDisposable
    {
        private readonly MtaStsInspector _inspector = new(options);

        public async Task<CheckRecord> CheckAsync(string input, CancellationToken cancellationToken)
        {
            if (!DomainName.TryNormalize(input, out _, out var invalid))
            {
                return new CheckRecord(input, null, CliText.Cap(invalid));
            }

            return new CheckRecord(input, await _inspector.InspectAsync(input, inspection, cancellationToken).ConfigureAwait(false), null);
        }

        public void Dispose() => _inspector.Dispose();
    }
}

/// <summary>One domain of <c>mta-sts check</c>: the inspection, or why the input was refused.</summary>
internal sealed record CheckRecord(string Input, DomainInspection? Inspection, string? Error)
{
    /// <summary>0 when no finding is an error, 1 when one is, 2 for invalid input.</summary>
    public int ExitCode => Inspection is null ? ExitCodes.InvalidInput : Inspection.HasErrors ? ExitCodes.Failure : ExitCodes.Definite;

    public int Count(InspectionSeverity severity) => Inspection?.Findings.Count(f => f.Severity == severity) ?? 0;
}
