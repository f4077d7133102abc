using System.CommandLine;
using System.Globalization;
using MailKit.Security;

namespace MtaSts.Cli;

/// <summary>
/// <c>mta-sts report send</c>: builds one UTC day's TLS-RPT reports from a report store and delivers them at once to
/// every <c>rua</c> of each domain's record, looked up now (decision R-10): no random delay, short bounded retries.
/// </summary>
internal static class ReportSendCommand
{
    private const string PasswordVariable = "MTASTS_SMTP_PASSWORD";

    public static Command Create()
    {
        var store = new StoreOption("The report store the recorder flushes to: file:<dir> or redis:<host[:port]>[,name=value...] (required).");
        var date = new Option<string?>("--date")
        {
            Description = "The UTC day, YYYY-MM-DD, 'today' (what was recorded so far, for testing) or 'yesterday' (default).",
            HelpName = "day",
        };
        var identity = new ReportIdentityOptions();
        var network = new NetworkOptions();
        var resend = new Option<bool>("--resend") { Description = "Send reports already marked as sent too (to repeat a send that reached no endpoint)." };
        var attempts = new Option<int>("--attempts")
        {
            Description = "Tries per endpoint, the first included (1 to 10); waits of 2 s, 4 s, … up to 1 min between them.",
            DefaultValueFactory = _ => 3,
        };
        var json = new Option<bool>("--json") { Description = "Write one JSON object per report domain instead of text." };
        var smtpHost = new Option<string?>("--smtp-host") { Description = "The relay for mailto: endpoints (without it they are skipped).", HelpName = "host" };
        var smtpPort = new Option<int>("--smtp-port") { Description = "The relay's port (default 587).", DefaultValueFactory = _ => 587 };
        var smtpSecurity = new Option<string>("--smtp-security")
        {
            Description = "starttls (default; required), tls (implicit TLS, port 465) or none (only for a relay on this host).",
            DefaultValueFactory = _ => "starttls",
        };
        smtpSecurity.AcceptOnlyFromAmong("starttls", "tls", "none");
        var smtpUser = new Option<string?>("--smtp-user") { Description = $"The user name at the relay; the password is read from ${PasswordVariable}.", HelpName = "name" };
        var from = new Option<string?>("--from") { Description = "The envelope and header sender of report mail; default: --contact.", HelpName = "address" };
        var allowPrivate = new Option<bool>("--allow-private-endpoints")
        {
            Description = "Let HTTPS endpoints be at loopback or private addresses (for test environments; refused by default).",
            Hidden = true,
        };
        var command = new Command("send", "Build one UTC day's TLS-RPT reports from a report store and send them now to every rua endpoint " +
            "(https: POST, mailto: through --smtp-host). Each report is marked as sent first, so a second run sends nothing unless --resend. " +
            "Exit 0 when every report reached an endpoint (or had nothing to send), 1 when one reached none, 2 for usage errors." +
            Environment.NewLine + Environment.NewLine + "Example:" + Environment.NewLine +
            "  MTASTS_SMTP_PASSWORD=... mta-sts report send --store file:/var/lib/mta-sts/tlsrpt --date 2026-12-01 \\" + Environment.NewLine +
            "      --organization \"Example Mail\" --contact tlsrpt@example.net --smtp-host smtp.example.net --smtp-user reports")
        {
            store.Option,
            date,
            resend,
            attempts,
            json,
            smtpHost,
            smtpPort,
            smtpSecurity,
            smtpUser,
            from,
            allowPrivate,
        };
        identity.AddTo(command);
        network.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var output = parse.InvocationConfiguration.Output;
            StoreSpec spec;
            DateOnly day;
            TlsReportOptions reportOptions;
            MtaStsOptions options;
            TlsReportDeliveryOptions delivery;
            MailKitTlsReportMailerOptions? mail;
            try
            {
                spec = store.GetSpec(parse) ?? throw new ArgumentException($"mta-sts report send needs --store {StoreSpec.Usage}");
                day = ReportCommand.ParseDay(parse.GetValue(date), TimeProvider.System);
                reportOptions = identity.CreateReportOptions(parse);
                options = network.CreateOptions(parse);
                delivery = new TlsReportDeliveryOptions { MaxAttempts = parse.GetValue(attempts), AllowPrivateAddresses = parse.GetValue(allowPrivate) };
                if (delivery.MaxAttempts is < 1 or > 10)
                {
                    throw new ArgumentException("--attempts must be between 1 and 10");
                }

                mail = MailOptions(parse.GetValue(smtpHost), parse.GetValue(smtpPort), parse.GetValue(smtpSecurity)!, parse.GetValue(smtpUser),
                    parse.GetValue(from) ?? reportOptions.ContactInfo!, options);
            }
            catch (ArgumentException ex)
            {
                await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            return await ReportCommand.WithReportStoreAsync(spec, error, "the report store failed", async reports =>
            {
                using var sender = TlsReportSender.Create(options, delivery, mail is null ? null : new MailKitTlsReportMailer(mail));
                await using var scheduler = new TlsReportScheduler(reports, TlsRptRecordDiscoverer.Create(options), sender, reportOptions);
                var results = await scheduler.SendDayAsync(day, parse.GetValue(resend), cancellationToken).ConfigureAwait(false);
                if (results.Count == 0)
                {
                    await error.WriteLineAsync($"no TLS-RPT counts for {day:yyyy-MM-dd} in the store: nothing to send").ConfigureAwait(false);
                }

                foreach (var result in results)
                {
                    await output.WriteAsync(parse.GetValue(json) ? ResultJson(result) + Environment.NewLine : ResultText(result)).ConfigureAwait(false);
                }

                return results.Any(r => r.Status is TlsReportSendStatus.NotDelivered or TlsReportSendStatus.RecordLookupFailed or TlsReportSendStatus.StoreFailed)
                    ? ExitCodes.Failure
                    : ExitCodes.Definite;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static MailKitTlsReportMailerOptions? MailOptions(string? host, int port, string security, string? user, string from, MtaStsOptions options)
    {
        if (host is null)
        {
            return null;
        }

        if (port is < 1 or > 65535)
        {
            throw new ArgumentException("--smtp-port must be between 1 and 65535");
        }

        var password = Environment.GetEnvironmentVariable(PasswordVariable);
        if (user is not null && string.IsNullOrEmpty(password))
        {
            throw new ArgumentException($"--smtp-user needs the password in ${PasswordVariable}");
        }

        var mail = new MailKitTlsReportMailerOptions
        {
            Host = host,
            Port = port,
            SecureSocketOptions = security switch
            {
                "tls" => SecureSocketOptions.SslOnConnect,
                "none" => SecureSocketOptions.None,
                _ => SecureSocketOptions.StartTls,
            },
            UserName = user,
            Password = user is null ? null : password,
            From = from,
        };
        mail.AdditionalTrustedRoots.AddRange(options.AdditionalTrustedRoots);
        return mail;
    }

    private static string ResultText(TlsReportSendResult result)
    {
        var text = new System.Text.StringBuilder();
        text.Append(result.ReportDomain).Append(": ").AppendLine(TlsRptTokens.ToToken(result.Status));
        foreach (var delivery in result.Deliveries)
        {
            text.Append("  ").Append(delivery.ReportId).Append(delivery.Delivered ? ": delivered" : ": not delivered").AppendLine();
            foreach (var attempt in delivery.Attempts)
            {
                text.Append("    ").Append(CliText.Cap(attempt.Uri.OriginalString)).Append(": ").Append(attempt.Status.ToString().ToLowerInvariant());
                if (attempt.ReasonCode is not null)
                {
                    text.Append(" (").Append(attempt.ReasonCode).Append(attempt.IsTransient ? ", transient" : "").Append(')');
                }

                text.Append(string.Create(CultureInfo.InvariantCulture, $", {attempt.Tries} {(attempt.Tries == 1 ? "try" : "tries")}")).AppendLine();
            }
        }

        return text.ToString();
    }

    private static string ResultJson(TlsReportSendResult result) => CliText.Json(json =>
    {
        json.WriteStartObject();
        json.WriteString("domain", result.ReportDomain);
        json.WriteString("date", result.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        json.WriteString("status", TlsRptTokens.ToToken(result.Status));
        json.WriteBoolean("transient", result.IsTransient);
        json.WriteStartArray("reports");
        foreach (var delivery in result.Deliveries)
        {
            json.WriteStartObject();
            json.WriteString("report_id", delivery.ReportId);
            json.WriteBoolean("delivered", delivery.Delivered);
            json.WriteStartArray("endpoints");
            foreach (var attempt in delivery.Attempts)
            {
                json.WriteStartObject();
                json.WriteString("uri", attempt.Uri.OriginalString);
                json.WriteString("method", attempt.Method == TlsReportDeliveryMethod.Https ? "https" : "mailto");
                json.WriteString("status", attempt.Status.ToString().ToLowerInvariant());
                json.WriteStringOrNull("reason_code", attempt.ReasonCode);
                if (attempt.HttpStatusCode is { } status)
                {
                    json.WriteNumber("http_status", status);
                }
                else
                {
                    json.WriteNull("http_status");
                }

                json.WriteNumber("tries", attempt.Tries);
                json.WriteBoolean("transient", attempt.IsTransient);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });
}
