using System.CommandLine;
using System.Globalization;
using System.Text;

namespace MtaSts.Cli;

/// <summary>
/// <c>mta-sts report build|send|show</c>: TLS-RPT reports (RFC 8460) from a report store, and reading reports — ours and
/// those a domain owner receives from other senders.
/// </summary>
internal static class ReportCommand
{
    /// <summary>The largest report file <c>report show</c> reads.</summary>
    private const int MaxReportFileBytes = 64 * 1024 * 1024;

    private static readonly string[] ShowColumns = ["POLICY", "DOMAIN", "SUCCESSFUL", "FAILED", "RESULT-TYPE", "REASON", "MX", "RECEIVING-IP", "SESSIONS"];

    public static Command Create() =>
        new("report", "TLS-RPT reports (RFC 8460): build a day's reports from a report store, send them, or show a report file.")
        {
            CreateBuild(),
            ReportSendCommand.Create(),
            CreateShow(),
        };

    private static Command CreateBuild()
    {
        var store = new StoreOption("The report store the recorder flushes to: file:<dir> or redis:<host[:port]>[,name=value...] (required).");
        var date = new Option<string?>("--date")
        {
            Description = "The UTC day, YYYY-MM-DD, 'today' (what was recorded so far, for testing) or 'yesterday' (default).",
            HelpName = "day",
        };
        var output = new Option<string?>("--out") { Description = "The directory the report files are written to (created when missing; required).", HelpName = "dir" };
        var identity = new ReportIdentityOptions();
        var json = new Option<bool>("--json") { Description = "Write one JSON object per report instead of text." };
        var command = new Command("build", "Build the RFC 8460 reports of one UTC day from a report store and write each as <RFC 8460 §5.1 name>.json.gz." +
            Environment.NewLine + Environment.NewLine + "Example:" + Environment.NewLine +
            "  mta-sts report build --store file:/var/lib/mta-sts/tlsrpt --date 2026-12-01 --out reports \\" + Environment.NewLine +
            "      --organization \"Example Mail\" --contact tlsrpt@example.net --submitter example.net")
        {
            store.Option,
            date,
            output,
            json,
        };
        identity.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var text = parse.InvocationConfiguration.Output;
            StoreSpec? spec;
            DateOnly day;
            TlsReportBuilder builder;
            try
            {
                spec = store.GetSpec(parse) ?? throw new ArgumentException($"mta-sts report build needs --store {StoreSpec.Usage}");
                day = ParseDay(parse.GetValue(date), TimeProvider.System);
                builder = identity.CreateBuilder(parse);
                if (string.IsNullOrWhiteSpace(parse.GetValue(output)))
                {
                    throw new ArgumentException("mta-sts report build needs --out <dir>");
                }
            }
            catch (ArgumentException ex)
            {
                await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            return await WithReportStoreAsync(spec, error, "the report store or the output directory failed", async reports =>
            {
                var directory = Directory.CreateDirectory(parse.GetValue(output)!).FullName;
                var built = 0;
                foreach (var domain in await reports.GetDomainsAsync(day, cancellationToken).ConfigureAwait(false))
                {
                    if (await reports.GetAsync(day, domain, cancellationToken).ConfigureAwait(false) is not { } counts)
                    {
                        continue;
                    }

                    foreach (var report in builder.Build(counts))
                    {
                        var path = Path.Combine(directory, report.FileName);
                        await File.WriteAllBytesAsync(path, report.ToGzip(), cancellationToken).ConfigureAwait(false);
                        built++;
                        await text.WriteLineAsync(parse.GetValue(json) ? BuiltJson(report, path) : BuiltText(report, path)).ConfigureAwait(false);
                    }
                }

                if (built == 0)
                {
                    await error.WriteLineAsync($"no TLS-RPT counts for {day:yyyy-MM-dd} in the store: no report built").ConfigureAwait(false);
                }

                return ExitCodes.Definite;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateShow()
    {
        var files = new Argument<string[]>("file") { Description = "Report files: .json or .json.gz (gzip is detected, not guessed from the name).", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Write one JSON object per report (the facts read, and warnings) instead of a table." };
        var command = new Command("show", "Show TLS-RPT report files as tables: ours and other senders' (the variants large senders emit are read, with warnings). " +
            "Exit 0 when every file is a report, 1 when one is not.")
        {
            files,
            json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var code = ExitCodes.Definite;
            foreach (var path in parse.GetValue(files) ?? [])
            {
                byte[] bytes;
                try
                {
                    var info = new FileInfo(path);
                    if (!info.Exists)
                    {
                        await error.WriteLineAsync($"{path}: no such file").ConfigureAwait(false);
                        code = ExitCodes.Failure;
                        continue;
                    }

                    if (info.Length > MaxReportFileBytes)
                    {
                        await error.WriteLineAsync($"{path}: larger than {MaxReportFileBytes / (1024 * 1024)} MiB; not read").ConfigureAwait(false);
                        code = ExitCodes.Failure;
                        continue;
                    }

                    bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    await error.WriteLineAsync($"{path}: cannot be read: {CliText.Why(ex)}").ConfigureAwait(false);
                    code = ExitCodes.Failure;
                    continue;
                }

                var read = TlsReportReader.Read(bytes);
                if (!read.IsValid)
                {
                    await error.WriteLineAsync($"{path}: not a TLS-RPT report: {string.Join("; ", read.Errors.Select(e => $"{e.Code}: {e.Message}"))}").ConfigureAwait(false);
                    code = ExitCodes.Failure;
                    continue;
                }

                await output.WriteAsync(parse.GetValue(json) ? ShowJson(path, read) + Environment.NewLine : ShowText(path, read)).ConfigureAwait(false);
            }

            return code;
        });
        return command;
    }

    /// <summary>Opens the report store of <paramref name="spec"/>, runs <paramref name="work"/> on it and disposes it; store and file failures become exit code 1 with <paramref name="failure"/> and the exception's type only.</summary>
    internal static async Task<int> WithReportStoreAsync(StoreSpec spec, TextWriter error, string failure, Func<ITlsReportStore, Task<int>> work)
    {
        ITlsReportStore reports;
        try
        {
            reports = StoreFactory.CreateReportStore(spec, mustExist: true);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        try
        {
            return await work(reports).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TimeoutException or StackExchange.Redis.RedisException)
        {
            await error.WriteLineAsync($"{failure}: {CliText.Why(ex)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        finally
        {
            await StoreFactory.DisposeAsync(reports).ConfigureAwait(false);
        }
    }

    /// <summary>Reads <c>--date</c>: <c>YYYY-MM-DD</c>, <c>today</c> or <c>yesterday</c> (the default), in UTC (decision R-1).</summary>
    internal static DateOnly ParseDay(string? text, TimeProvider clock)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        return text switch
        {
            null or "yesterday" => today.AddDays(-1),
            "today" => today,
            _ when DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) => day,
            _ => throw new ArgumentException($"--date '{CliText.Cap(text)}': use YYYY-MM-DD, today or yesterday"),
        };
    }

    private static string BuiltText(TlsReport report, string path) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{report.ReportDomain}: {path} (report-id {report.ReportId}, part {report.Part} of {report.PartCount}; {report.Document.TotalSuccessfulSessionCount} successful, {report.Document.TotalFailureSessionCount} failed sessions)");

    private static string BuiltJson(TlsReport report, string path) => CliText.Json(json =>
    {
        json.WriteStartObject();
        json.WriteString("domain", report.ReportDomain);
        json.WriteString("file", path);
        json.WriteString("report_id", report.ReportId);
        json.WriteNumber("part", report.Part);
        json.WriteNumber("parts", report.PartCount);
        json.WriteNumber("successful", report.Document.TotalSuccessfulSessionCount);
        json.WriteNumber("failed", report.Document.TotalFailureSessionCount);
        json.WriteEndObject();
    });

    internal static string ShowText(string path, TlsReportReadResult read)
    {
        var report = read.Report!;
        var text = new StringBuilder();
        text.Append(path).Append(read.WasCompressed ? " (gzip)" : "").AppendLine();
        text.Append("  organization ").AppendLine(CliText.Cap(report.OrganizationName));
        text.Append("  contact      ").AppendLine(CliText.Cap(report.ContactInfo));
        text.Append("  report-id    ").AppendLine(CliText.Cap(report.ReportId));
        text.Append("  period       ").Append(report.StartDateTime.ToString("u", CultureInfo.InvariantCulture)).Append(" – ")
            .AppendLine(report.EndDateTime.ToString("u", CultureInfo.InvariantCulture));
        var rows = new List<string[]> { ShowColumns };
        foreach (var policy in report.Policies)
        {
            rows.Add([TlsRptTokens.ToToken(policy.Policy.PolicyType), CliText.Cap(policy.Policy.PolicyDomain), policy.TotalSuccessfulSessionCount.ToString(CultureInfo.InvariantCulture),
                policy.TotalFailureSessionCount.ToString(CultureInfo.InvariantCulture), "", "", "", "", ""]);
            foreach (var detail in policy.FailureDetails)
            {
                rows.Add(["", "", "", "", CliText.Cap(detail.ResultType), CliText.Cap(detail.FailureReasonCode ?? "-"), CliText.Cap(detail.ReceivingMxHostname ?? "-"),
                    CliText.Cap(detail.ReceivingIp ?? "-"), detail.FailedSessionCount.ToString(CultureInfo.InvariantCulture)]);
            }
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            text.Append("  ").AppendLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }

        foreach (var warning in read.Warnings)
        {
            text.Append("  warning: ").Append(warning.Code).Append(": ").AppendLine(CliText.Cap(warning.Message));
        }

        return text.ToString();
    }

    private static string ShowJson(string path, TlsReportReadResult read) => CliText.Json(json =>
    {
        var report = read.Report!;
        json.WriteStartObject();
        json.WriteString("file", path);
        json.WriteBoolean("gzip", read.WasCompressed);
        json.WriteString("organization", report.OrganizationName);
        json.WriteString("contact", report.ContactInfo);
        json.WriteString("report_id", report.ReportId);
        json.WriteString("start", report.StartDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        json.WriteString("end", report.EndDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        json.WriteStartArray("policies");
        foreach (var policy in report.Policies)
        {
            json.WriteStartObject();
            json.WriteString("policy_type", TlsRptTokens.ToToken(policy.Policy.PolicyType));
            json.WriteString("policy_domain", policy.Policy.PolicyDomain);
            json.WriteNumber("successful", policy.TotalSuccessfulSessionCount);
            json.WriteNumber("failed", policy.TotalFailureSessionCount);
            json.WriteStartArray("failures");
            foreach (var detail in policy.FailureDetails)
            {
                json.WriteStartObject();
                json.WriteString("result_type", detail.ResultType);
                json.WriteStringOrNull("reason_code", detail.FailureReasonCode);
                json.WriteStringOrNull("mx", detail.ReceivingMxHostname);
                json.WriteStringOrNull("receiving_ip", detail.ReceivingIp);
                json.WriteNumber("sessions", detail.FailedSessionCount);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("warnings");
        foreach (var warning in read.Warnings)
        {
            json.WriteStringValue(warning.Code);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });
}

/// <summary>Who builds the reports: <c>--organization</c>, <c>--contact</c>, <c>--submitter</c> (R-11: required, never empty).</summary>
internal sealed class ReportIdentityOptions
{
    public Option<string?> Organization { get; } = new("--organization") { Description = "organization-name of the reports (required).", HelpName = "name" };

    public Option<string?> Contact { get; } = new("--contact") { Description = "contact-info: an e-mail address for questions about the reports (required).", HelpName = "address" };

    public Option<string?> Submitter { get; } = new("--submitter")
    {
        Description = "The submitting domain (report ids and the e-mail TLS-Report-Submitter); default: the domain of --contact.",
        HelpName = "domain",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Organization);
        command.Options.Add(Contact);
        command.Options.Add(Submitter);
    }

    /// <summary>The builder, or an <see cref="ArgumentException"/> in the tool's words.</summary>
    public TlsReportBuilder CreateBuilder(ParseResult parse) => new(CreateReportOptions(parse));

    /// <summary>The report options (checked by building a builder), or an <see cref="ArgumentException"/> in the tool's words.</summary>
    public TlsReportOptions CreateReportOptions(ParseResult parse)
    {
        var organization = parse.GetValue(Organization);
        var contact = parse.GetValue(Contact);
        if (string.IsNullOrWhiteSpace(organization) || string.IsNullOrWhiteSpace(contact))
        {
            throw new ArgumentException("reports need --organization <name> and --contact <address> (RFC 8460 §4.4: organization-name and contact-info)");
        }

        var at = contact.LastIndexOf('@');
        var options = new TlsReportOptions { OrganizationName = organization, ContactInfo = contact, Submitter = parse.GetValue(Submitter) ?? (at > 0 ? contact[(at + 1)..] : null) };
        try
        {
            _ = new TlsReportBuilder(options);
            return options;
        }
        catch (ArgumentException)
        {
            throw new ArgumentException("--contact must be an e-mail address (local-part@domain) and --submitter a domain name");
        }
    }
}
