using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Authentication;
using System.Text;

namespace MtaSts.Cli;

/// <summary>
/// <c>mta-sts probe &lt;domain&gt;...</c>: plans delivery, then connects to every MX host the plan allows (greeting,
/// EHLO, STARTTLS with the decision's SNI, the decision's certificate check, QUIT — no mail), and shows per host what a
/// sender would find; <c>--report-store</c> records every session for TLS-RPT.
/// </summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var common = new CommonOptions("Recipient domains whose MX hosts to probe;");
        var dane = new DaneOptions();
        var smtp = new SmtpProbeOptions();
        var ehloName = new Option<string?>("--ehlo-name")
        {
            Description = "The name sent in EHLO (default localhost).",
            HelpName = "name",
        };
        var reportStore = new Option<string?>("--report-store")
        {
            Description = "Record every probed session for TLS-RPT in this report store: file:<dir> or redis:<host[:port]>[,name=value...]. " +
                "Only domains that publish a TLS-RPT record are kept (decision R-10).",
            HelpName = "store",
        };
        var command = new Command("probe", "Plan delivery, then connect to every MX host the plan allows: greeting, EHLO, STARTTLS with the decision's SNI, " +
            "the decision's certificate check (DANE-EE, DANE-TA, PKIX or none), QUIT — no mail is sent. Hosts the plan skips are listed with their reason. " +
            "Exit 0 when every domain has a host to deliver to (or accepts no mail), 1 when delivery would be deferred, 2 for bad usage." +
            Environment.NewLine + Environment.NewLine + "Examples:" + Environment.NewLine +
            "  mta-sts probe example.com" + Environment.NewLine +
            "  mta-sts probe --json --report-store file:/var/lib/mta-sts/tlsrpt example.com example.net")
        {
            ehloName,
            reportStore,
        };
        smtp.AddTo(command);
        dane.AddTo(command);
        common.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var probeOptions = new MxProbeOptions();
            ITlsReportStore? store = null;
            try
            {
                return await DomainBatch.RunAsync(
                    parse,
                    common,
                    options => new ProbeService(options, probeOptions, store),
                    options =>
                    {
                        dane.Apply(parse, options);
                        smtp.Apply(parse, probeOptions, options);
                        if (parse.GetValue(ehloName) is { } name)
                        {
                            probeOptions.ClientName = DomainName.TryNormalize(name, out var normalized, out var error)
                                ? normalized
                                : throw new ArgumentException($"--ehlo-name '{CliText.Cap(name, 80)}' is not a host name: {error}");
                        }

                        if (parse.GetValue(reportStore) is { } text)
                        {
                            store = StoreFactory.CreateReportStore(StoreSpec.Parse(text));
                        }
                    },
                    static (service, input, token) => service.ProbeAsync(input, token),
                    static (output, record, json) => Write(output, record, json),
                    cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await StoreFactory.DisposeAsync(store).ConfigureAwait(false);
            }
        });
        return command;
    }

    private static int Write(TextWriter output, ProbeRecord record, bool json)
    {
        output.WriteLine(json ? ToJson(record) : ToText(record));
        return record.ExitCode;
    }

    /// <summary>
    /// One JSON object on one line: <c>{domain, input, verdict, error, mx: [...]}</c>, each <c>mx</c> entry
    /// <c>{host, preference, use, temporary, tls_required, auth, validated, sni, connected, starttls, tls_version,
    /// certificate {subject, san, not_after, chain_length}, result_type, reason_code, reason}</c>.
    /// </summary>
    internal static string ToJson(ProbeRecord record) => CliText.Json(json =>
    {
        json.WriteStartObject();
        json.WriteStringOrNull("domain", record.Result?.Plan.Domain);
        json.WriteString("input", record.Input);
        json.WriteString("verdict", record.Verdict);
        json.WriteStringOrNull("error", record.Error);
        json.WriteStartArray("mx");
        foreach (var host in record.Result?.Hosts ?? [])
        {
            var decision = host.Decision;
            json.WriteStartObject();
            json.WriteString("host", decision.Host);
            json.WriteNumber("preference", decision.Preference);
            json.WriteBoolean("use", host.IsUsable);
            json.WriteBoolean("temporary", !host.IsUsable);
            json.WriteBoolean("tls_required", decision.TlsRequired);
            json.WriteString("auth", decision.CertificateRequirement.Authentication.ToToken());
            if (host.Validated is { } validated)
            {
                json.WriteBoolean("validated", validated);
            }
            else
            {
                json.WriteNull("validated");
            }

            json.WriteString("sni", decision.Sni);
            json.WriteBoolean("connected", host.Connected);
            json.WriteBoolean("starttls", host.TlsEstablished);
            json.WriteStringOrNull("tls_version", TlsVersion(host.TlsProtocol));
            if (host.Certificate is { } certificate)
            {
                json.WriteStartObject("certificate");
                json.WriteString("subject", certificate.Subject);
                json.WriteStartArray("san");
                foreach (var name in certificate.DnsNames)
                {
                    json.WriteStringValue(name);
                }

                json.WriteEndArray();
                json.WriteString("not_after", certificate.NotAfter.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                json.WriteNumber("chain_length", certificate.ChainLength);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("certificate");
            }

            json.WriteStringOrNull("result_type", host.Failure is { } failure ? TlsRptTokens.ToToken(failure) : null);
            json.WriteStringOrNull("reason_code", host.ReasonCode);
            json.WriteString("reason", host.Reason);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("elapsed_ms", (long)record.Elapsed.TotalMilliseconds);
        json.WriteEndObject();
    });

    /// <summary>The domain's line, then one block per MX host: verdict, TLS, certificate, and the reason.</summary>
    internal static string ToText(ProbeRecord record)
    {
        var text = new StringBuilder();
        var elapsed = ((long)record.Elapsed.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        text.Append(record.Result?.Plan.Domain ?? CliText.Printable(record.Input)).Append(": ").Append(record.Verdict).Append(" (").Append(elapsed).Append(" ms)").AppendLine();
        if (record.Error is { } error)
        {
            text.Append("    error: ").Append(error).AppendLine();
        }

        foreach (var host in record.Result?.Hosts ?? [])
        {
            var decision = host.Decision;
            text.Append("  ").Append(decision.Preference.ToString(CultureInfo.InvariantCulture).PadLeft(5)).Append(' ').Append(decision.Host)
                .Append(": ").Append(host.IsUsable ? "use" : "skip")
                .Append(", auth ").Append(decision.CertificateRequirement.Authentication.ToToken())
                .Append(decision.TlsRequired ? ", TLS required" : ", TLS opportunistic")
                .Append(", SNI ").Append(decision.Sni).AppendLine();
            if (host.Connected)
            {
                text.Append("        connected ").Append(host.RemoteAddress).Append(", STARTTLS ").Append(host.TlsEstablished ? "yes" : host.StartTlsOffered ? "offered, not completed" : "no");
                if (TlsVersion(host.TlsProtocol) is { } version)
                {
                    text.Append(", ").Append(version);
                }

                if (host.Validated is { } validated)
                {
                    text.Append(", certificate ").Append(validated ? "valid" : "INVALID");
                }

                text.AppendLine();
            }

            if (host.Certificate is { } certificate)
            {
                text.Append("        certificate: ").Append(certificate.Subject).Append("; SAN ").Append(certificate.DnsNames.Count == 0 ? "none" : string.Join(", ", certificate.DnsNames.Take(5)))
                    .Append("; expires ").Append(certificate.NotAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                    .Append("; chain of ").Append(certificate.ChainLength.ToString(CultureInfo.InvariantCulture)).AppendLine();
            }

            if (host.Failure is { } failure)
            {
                text.Append("        failure: ").Append(TlsRptTokens.ToToken(failure)).Append(" (").Append(host.ReasonCode ?? "no code").Append(')').AppendLine();
            }

            text.Append("        ").Append(host.Reason).AppendLine();
        }

        return text.ToString();
    }

    private static string? TlsVersion(SslProtocols? protocol) => protocol switch
    {
        null => null,
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
        _ => protocol.Value.ToString(),
    };

    /// <summary>The planner, the probe and, with <c>--report-store</c>, a recorder flushed when the command ends.</summary>
    private sealed class ProbeService : IDisposable
    {
        private readonly DeliveryPlanner _planner;
        private readonly MxProbe _probe;
        private readonly TlsReportRecorder? _recorder;
        private readonly TlsRptRecordDiscoverer? _records;
        private readonly bool _requireMtaSts;

        public ProbeService(MtaStsOptions options, MxProbeOptions probeOptions, ITlsReportStore? store)
        {
            _planner = DeliveryPlanner.Create(options);
            _probe = new MxProbe(probeOptions);
            _requireMtaSts = options.Dane.RequireMtaSts;
            if (store is not null)
            {
                _records = TlsRptRecordDiscoverer.Create(options);
                _recorder = new TlsReportRecorder(store, _records, new TlsReportRecorderOptions { FlushInterval = TimeSpan.FromMinutes(10) });
            }
        }

        public async Task<ProbeRecord> ProbeAsync(string input, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            if (!DomainName.TryNormalize(input, out _, out var invalid))
            {
                return new ProbeRecord(input, null, invalid, Stopwatch.GetElapsedTime(started));
            }

            try
            {
                var plan = await _planner.PlanDeliveryAsync(input, cancellationToken).ConfigureAwait(false);
                var result = await _probe.ProbeAsync(plan, cancellationToken).ConfigureAwait(false);
                if (_recorder is not null)
                {
                    foreach (var host in result.Hosts)
                    {
                        if (TlsSessionFactory.FromProbe(plan, host, _requireMtaSts) is { } session)
                        {
                            _recorder.Record(session);
                        }
                    }
                }

                return new ProbeRecord(input, result, null, Stopwatch.GetElapsedTime(started));
            }
            catch (ArgumentException ex)
            {
                return new ProbeRecord(input, null, CliText.Cap(ex.Message), Stopwatch.GetElapsedTime(started));
            }
        }

        public void Dispose()
        {
            _recorder?.Dispose();
            _planner.Dispose();
        }
    }
}

/// <summary>One domain of <c>mta-sts probe</c> output: the probe, or the reason the input was refused.</summary>
internal sealed record ProbeRecord(string Input, DomainProbeResult? Result, string? Error, TimeSpan Elapsed)
{
    /// <summary><c>deliver-to &lt;host&gt;</c>, <c>defer</c>, <c>no-mail-service</c> or <c>invalid-input</c>.</summary>
    public string Verdict => Result?.Verdict ?? "invalid-input";

    /// <summary>0 with a host to deliver to (or no mail service), 1 to defer, 2 for invalid input.</summary>
    public int ExitCode => Result is null ? ExitCodes.InvalidInput : Result.DeliverTo is null && Result.Plan.Status != DeliveryPlanStatus.NoMailService ? ExitCodes.Failure : ExitCodes.Definite;
}
