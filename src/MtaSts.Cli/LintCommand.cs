using System.CommandLine;
using System.Text;
using Microsoft.Extensions.Options;

namespace MtaSts.Cli;

/// <summary>
/// <c>mta-sts lint [policy-file|-] [--record &lt;txt&gt;] [--mx-of &lt;domain&gt;]</c>: checks a candidate policy and TXT
/// record before they are published, with the sender's own parsers, and optionally against a domain's live MX hosts.
/// </summary>
internal static class LintCommand
{
    /// <summary>The policy body a sender reads at most (decision A-24); a longer file is an error, not read beyond.</summary>
    private const int MaxPolicyBytes = 64 * 1024;

    public static Command Create()
    {
        var policy = new Argument<string?>("policy")
        {
            Description = "The candidate policy file (the body of /.well-known/mta-sts.txt), or - for standard input.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var record = new Option<string?>("--record")
        {
            Description = "The candidate TXT record for _mta-sts.<domain>, e.g. \"v=STSv1; id=20261202T0000\".",
            HelpName = "txt",
        };
        var mxOf = new Option<string?>("--mx-of")
        {
            Description = "Compare the policy's mx patterns with this domain's live MX hosts (needs DNS).",
            HelpName = "domain",
        };
        var json = new Option<bool>("--json") { Description = "Write one JSON object instead of text." };
        var network = new NetworkOptions();
        var command = new Command("lint", "Check a candidate MTA-STS policy and TXT record before publishing them, with the same parsers and codes " +
            "a sender uses; with --mx-of, also which live MX hosts an enforce sender would refuse (exit 0 when no finding is an error, " +
            "1 when one is, 2 for usage errors)." + Environment.NewLine + Environment.NewLine + "Examples:" + Environment.NewLine +
            "  mta-sts lint mta-sts.txt" + Environment.NewLine +
            "  mta-sts lint --record \"v=STSv1; id=20261202\" mta-sts.txt --mx-of example.com" + Environment.NewLine +
            "  cat mta-sts.txt | mta-sts lint -")
        {
            policy,
            record,
            mxOf,
            json,
        };
        network.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(policy);
            var recordText = parse.GetValue(record);
            var domain = parse.GetValue(mxOf);
            if (DomainBatch.UnknownOption(parse) is { } unknown)
            {
                // As for the domain commands: an option this command does not know is never a file name (use ./-x for one).
                await error.WriteLineAsync($"unknown option '{unknown}' (see --help)").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            if (path is null && recordText is null)
            {
                await error.WriteLineAsync("mta-sts lint needs a policy file (or -) and/or --record (see --help)").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            if (domain is not null && path is null)
            {
                await error.WriteLineAsync("--mx-of compares a policy with the live MX hosts, so it needs a policy file (or -)").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            string? normalized = null;
            if (domain is not null && !DomainName.TryNormalize(domain, out normalized, out var invalid))
            {
                await error.WriteLineAsync($"--mx-of '{domain}' is not a domain name: {invalid}").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            var findings = new List<LintFinding>();
            MtaStsPolicyParseResult? parsed = null;
            var source = path is null ? "policy" : path == "-" ? "stdin" : path;
            if (path is not null)
            {
                var (text, problem) = await ReadPolicyAsync(path, Console.OpenStandardInput, cancellationToken).ConfigureAwait(false);
                if (text is null)
                {
                    await error.WriteLineAsync(problem).ConfigureAwait(false);
                    return ExitCodes.InvalidInput;
                }

                if (problem is not null)
                {
                    findings.Add(new(source, LintFinding.Error, problem, 0, problem == TlsRptReasonCodes.BodyTooLarge
                        ? "The file is over 64 KiB; a sender stops reading there and fails the fetch (RFC 8461 §3.3, decision A-24)."
                        : "The file is not valid UTF-8; a sender refuses such a policy (RFC 8461 §3.2: the body is UTF-8 text)."));
                }
                else
                {
                    parsed = MtaStsPolicyParser.Parse(text);
                    findings.AddRange(LintFindings.ForPolicy(source, parsed));
                }
            }

            if (recordText is not null)
            {
                findings.AddRange(LintFindings.ForRecord(MtaStsRecordParser.Parse(recordText)));
            }

            if (normalized is not null && parsed?.Policy is { } candidate)
            {
                try
                {
                    findings.AddRange(await CompareWithMxAsync(network.CreateOptions(parse), normalized, candidate, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception ex) when (ex is ArgumentException or OptionsValidationException)
                {
                    await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                    return ExitCodes.InvalidInput;
                }
            }

            await output.WriteLineAsync(parse.GetValue(json) ? Json(findings, parsed) : Text(findings, parsed)).ConfigureAwait(false);
            return findings.Exists(f => f.Severity == LintFinding.Error) ? ExitCodes.Failure : ExitCodes.Definite;
        });
        return command;
    }

    /// <summary>Reads the policy (a file or standard input) up to one byte past the limit: (text, null), (text, code) when too large, or (null, problem).</summary>
    internal static async Task<(string? Text, string? Problem)> ReadPolicyAsync(string path, Func<Stream> stdin, CancellationToken cancellationToken)
    {
        Stream stream;
        try
        {
            stream = path == "-" ? stdin() : File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return (null, $"cannot read the policy file '{path}': {(ex is FileNotFoundException or DirectoryNotFoundException ? "it does not exist" : "access denied or not a file")}");
        }

        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxPolicyBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            if (length > MaxPolicyBytes)
            {
                return (string.Empty, TlsRptReasonCodes.BodyTooLarge);
            }

            try
            {
                return (new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length), null);
            }
            catch (DecoderFallbackException)
            {
                return (string.Empty, TlsRptReasonCodes.InvalidUtf8);
            }
        }
    }

    /// <summary>Plans delivery with the candidate policy pinned (a static override), so the library itself says which MX it would use.</summary>
    private static async Task<IEnumerable<LintFinding>> CompareWithMxAsync(MtaStsOptions options, string domain, MtaStsPolicy candidate, CancellationToken cancellationToken)
    {
        options.Overrides[domain] = MtaStsPolicyOverride.StaticPolicy(candidate.Text);
        options.Dane.Enabled = false; // only the MX names matter here
        using var planner = DeliveryPlanner.Create(options);
        var plan = await planner.PlanDeliveryAsync(domain, cancellationToken).ConfigureAwait(false);
        return LintFindings.ForMxSet("mx-of " + domain, candidate, plan).ToList();
    }

    private static string Text(List<LintFinding> findings, MtaStsPolicyParseResult? parsed)
    {
        var text = new StringBuilder();
        foreach (var finding in findings)
        {
            text.Append(finding.Source);
            if (finding.Line > 0)
            {
                text.Append(':').Append(finding.Line);
            }

            text.Append(": ").Append(finding.Severity).Append(' ').Append(finding.Code).Append(": ").AppendLine(finding.Message);
        }

        if (parsed?.Policy is { } policy)
        {
            text.Append("policy: mode ").Append(policy.Mode.ToToken()).Append(", max_age ").Append(policy.MaxAgeSeconds)
                .Append(", mx ").AppendLine(string.Join(", ", policy.MxPatterns));
        }

        var errors = findings.Count(f => f.Severity == LintFinding.Error);
        var warnings = findings.Count(f => f.Severity == LintFinding.Warning);
        text.Append(errors == 0 ? "ok" : "not ok").Append(": ").Append(errors).Append(errors == 1 ? " error, " : " errors, ")
            .Append(warnings).Append(warnings == 1 ? " warning" : " warnings");
        return text.ToString();
    }

    private static string Json(List<LintFinding> findings, MtaStsPolicyParseResult? parsed) => CliText.Json(json =>
    {
        json.WriteStartObject();
        json.WriteBoolean("ok", !findings.Exists(f => f.Severity == LintFinding.Error));
        // Every documented member is always there: null when there is no valid policy (or no line to point at).
        var policy = parsed?.Policy;
        json.WriteStringOrNull("mode", policy?.Mode.ToToken());
        if (policy is null)
        {
            json.WriteNull("max_age");
        }
        else
        {
            json.WriteNumber("max_age", policy.MaxAgeSeconds);
        }

        json.WriteStartArray("findings");
        foreach (var finding in findings)
        {
            json.WriteStartObject();
            json.WriteString("source", finding.Source);
            json.WriteString("severity", finding.Severity);
            json.WriteString("code", finding.Code);
            if (finding.Line > 0)
            {
                json.WriteNumber("line", finding.Line);
            }
            else
            {
                json.WriteNull("line");
            }

            json.WriteString("message", finding.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });
}
