using System.Globalization;
using System.Security.Authentication;
using MtaSts.Diagnostics;
using MtaSts.Discovery;
using MtaSts.Validation;
using static MtaSts.InspectionSeverity;

namespace MtaSts.Inspection;

/// <summary>
/// The rules of an inspection, pure: each turns facts a sender's own code produced (discovery, fetch, parse, plan,
/// probe) into findings with a code, a severity and a one-line fix.
/// </summary>
internal static class InspectionRules
{
    /// <summary>A <c>max_age</c> below this is too short to protect much (one day).</summary>
    internal const long ShortMaxAgeSeconds = 86_400;

    /// <summary>A <c>testing</c> policy kept longer than this is worth a note (one week).</summary>
    internal const long LongTestingMaxAgeSeconds = 604_800;

    private const string Txt = "txt";
    private const string PolicyHostSubject = "policy-host";
    private const string PolicySubject = "policy";
    private const string Mx = "mx";
    private const string TlsRpt = "tlsrpt";

    /// <summary>Every TXT record at <c>_mta-sts</c> and why it is, or is not, the record.</summary>
    public static List<TxtRecordInspection> DescribeTxt(DiscoveryResult discovery)
    {
        var records = new List<TxtRecordInspection>(discovery.TxtRecords.Count);
        var sts = discovery.TxtRecords.Count(static t => MtaStsRecordParser.IsStsRecord(t));
        foreach (var text in discovery.TxtRecords)
        {
            var isSts = MtaStsRecordParser.IsStsRecord(text);
            var selected = isSts && discovery.Status == DiscoveryStatus.Found;
            var reason = !isSts
                ? LooksLikeSts(text)
                    ? "looks like an MTA-STS record but does not begin with exactly \"v=STSv1;\" (case-sensitive, no space before it), so senders ignore it"
                    : "not an MTA-STS record (it does not begin with \"v=STSv1\"): ignored"
                : discovery.Status switch
                {
                    DiscoveryStatus.Found => "the MTA-STS record",
                    DiscoveryStatus.Multiple => $"one of {sts} records beginning with \"v=STSv1\": senders use none of them",
                    DiscoveryStatus.Invalid => "the MTA-STS record, but invalid: senders use no policy",
                    _ => "an MTA-STS record",
                };
            records.Add(new TxtRecordInspection { Text = EvidenceText.Cap(text), IsStsRecord = isSts, IsSelected = selected, Reason = reason });
        }

        return records;
    }

    /// <summary>The findings of the TXT discovery.</summary>
    public static IEnumerable<InspectionFinding> ForTxt(string domain, DiscoveryResult discovery)
    {
        var name = "_mta-sts." + domain;
        foreach (var text in discovery.TxtRecords)
        {
            if (MtaStsRecordParser.IsStsRecord(text))
            {
                continue;
            }

            var shown = EvidenceText.Cap(text, 120);
            yield return LooksLikeSts(text)
                ? Finding(discovery.Status == DiscoveryStatus.NotFound ? Error : Warning, InspectionCodes.TxtRecordNotSts, Txt,
                    $"The TXT record \"{shown}\" at {name} looks meant for MTA-STS but does not begin with exactly \"v=STSv1;\", so senders ignore it.",
                    "Begin the record with \"v=STSv1;\" exactly (case-sensitive, nothing before it), e.g. \"v=STSv1; id=20260101T000000\".")
                : Finding(Info, InspectionCodes.TxtRecordIgnored, Txt, $"The TXT record \"{shown}\" at {name} is not an MTA-STS record and is ignored.", string.Empty);
        }

        switch (discovery.Status)
        {
            case DiscoveryStatus.DnsFailure:
                yield return Finding(Error, InspectionCodes.TxtDnsFailure, Txt,
                    $"The TXT lookup of {name} failed ({Clause(discovery.Message ?? discovery.DnsResponseCode ?? "no answer")}): senders cannot tell whether a policy exists and keep what they have.",
                    "Make the authoritative servers answer the TXT query (check DNSSEC signatures and server health).");
                break;
            case DiscoveryStatus.NotFound:
                yield return Finding(Warning, InspectionCodes.TxtRecordMissing, Txt,
                    $"No TXT record at {name} begins with \"v=STSv1\": senders do not use MTA-STS for {domain}.",
                    $"Publish a TXT record at {name}: \"v=STSv1; id=<a new id>\", after the policy is served.");
                break;
            case DiscoveryStatus.Multiple:
                yield return Finding(Error, InspectionCodes.TxtRecordMultiple, Txt,
                    $"{discovery.TxtRecords.Count(static t => MtaStsRecordParser.IsStsRecord(t))} TXT records at {name} begin with \"v=STSv1\": senders treat {domain} as having no policy (RFC 8461 §3.1).",
                    "Delete all but one MTA-STS TXT record.");
                break;
            case DiscoveryStatus.Invalid:
                // The stable code first, whatever the parser said; its codes follow (as InspectionCodes documents).
                yield return Finding(Error, InspectionCodes.TxtRecordInvalid, Txt, $"The MTA-STS record at {name} is invalid: senders use no policy.", "Correct the TXT record: \"v=STSv1; id=<1 to 32 letters and digits>\".");
                foreach (var finding in Diagnostics(Txt, Error, discovery.Errors, "Correct the TXT record (see the message); it must be \"v=STSv1; id=<1 to 32 letters and digits>\"."))
                {
                    yield return finding;
                }

                foreach (var finding in Diagnostics(Txt, Warning, discovery.Warnings, "Tidy the TXT record (see the message)."))
                {
                    yield return finding;
                }

                break;
            case DiscoveryStatus.Found:
                yield return Finding(Info, InspectionCodes.TxtRecord, Txt, $"The MTA-STS record at {name} is \"{EvidenceText.Cap(discovery.Record!.Text, 120)}\" (id {discovery.Record.Id}).", string.Empty);
                foreach (var finding in Diagnostics(Txt, Warning, discovery.Warnings, "Tidy the TXT record (see the message)."))
                {
                    yield return finding;
                }

                break;
        }
    }

    /// <summary>The findings of the policy fetch: what arrived on the wire, the certificate, and why a sender refused it.</summary>
    public static IEnumerable<InspectionFinding> ForPolicyHost(PolicyHostInspection host, MtaStsEvidence? evidence, DateTimeOffset now, TimeSpan expiryWarning)
    {
        var url = host.Url.AbsoluteUri;
        var certificate = host.Certificate;
        var certificateText = certificate is null ? string.Empty : "; " + DescribeCertificate(certificate, now);
        if (host.Failure == MtaStsFailure.None)
        {
            var ms = ((long)host.Elapsed.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            var tls = host.TlsProtocol is { } protocol ? ", " + TlsVersion(protocol) : string.Empty;
            yield return Finding(Info, InspectionCodes.PolicyFetched, PolicyHostSubject,
                $"GET {url}: 200, {host.ContentType ?? "text/plain"}{tls}, in {ms} ms{certificateText}.", string.Empty);
            if (certificate is not null && certificate.NotAfter - now < expiryWarning)
            {
                yield return Finding(Warning, InspectionCodes.PolicyCertificateExpiring, PolicyHostSubject,
                    $"The certificate of {host.Url.IdnHost} expires in {Days(certificate.DaysLeft(now))} ({certificate.NotAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}); once it has, senders cannot refresh the policy.",
                    "Renew the policy host's certificate (and check that automatic renewal covers mta-sts.<domain>).");
            }

            yield break;
        }

        var message = Clause(evidence?.Message ?? host.Failure.ToString());
        var reason = evidence?.ReasonCode ?? string.Empty;
        switch (host.Failure)
        {
            case MtaStsFailure.WebPkiInvalid:
                var problem = host.CertificateProblem ?? evidence?.CertificateProblem ?? message;
                var (code, fix) = reason switch
                {
                    TlsRptReasonCodes.CertificateExpired => (InspectionCodes.PolicyCertificateExpired, "Renew the certificate of mta-sts.<domain> and install it on the policy host."),
                    TlsRptReasonCodes.CertificateNameMismatch => (InspectionCodes.PolicyCertificateNameMismatch, "Serve a certificate whose SAN lists mta-sts.<domain> (a wildcard *.<domain> also works)."),
                    TlsRptReasonCodes.CertificateUntrusted or TlsRptReasonCodes.CertificateChainIncomplete or TlsRptReasonCodes.CertificateChainInvalid or TlsRptReasonCodes.CertificateUsageInvalid
                        => (InspectionCodes.PolicyCertificateUntrusted, "Serve a certificate from a public CA, with its intermediate certificates."),
                    _ => (InspectionCodes.PolicyTlsFailed, "Serve HTTPS with TLS 1.2 or 1.3 and a valid certificate for mta-sts.<domain>."),
                };
                yield return Finding(Error, code, PolicyHostSubject, $"GET {url}: senders refuse the policy host's TLS ({EvidenceText.Cap(problem)}){certificateText}.", fix);
                break;

            case MtaStsFailure.PolicyInvalid when reason is TlsRptReasonCodes.ContentType or TlsRptReasonCodes.ContentTypeAmbiguous:
                yield return Finding(Error, InspectionCodes.PolicyContentType, PolicyHostSubject, $"GET {url}: {message}; senders refuse the policy.",
                    "Serve the policy file with \"Content-Type: text/plain\" (a charset parameter is fine).");
                break;

            case MtaStsFailure.PolicyInvalid when reason == TlsRptReasonCodes.InvalidUtf8:
                yield return Finding(Error, InspectionCodes.PolicyNotUtf8, PolicyHostSubject, $"GET {url}: {message}; senders refuse the policy.", "Save the policy file as UTF-8 (plain ASCII is enough).");
                break;

            case MtaStsFailure.PolicyInvalid:
                // The stable code first, whatever the parser said; its codes follow (as InspectionCodes documents).
                yield return Finding(Error, InspectionCodes.PolicyInvalid, PolicySubject, $"GET {url}: {message}; senders refuse the policy.", "Correct the policy file (run mta-sts lint on it).");
                foreach (var finding in Diagnostics(PolicySubject, Error, evidence?.Errors ?? [], "Correct the policy file at that line (see the message)."))
                {
                    yield return finding;
                }

                break;

            case MtaStsFailure.PolicyFetchError when reason.StartsWith(TlsRptReasonCodes.HttpStatusPrefix, StringComparison.Ordinal):
                yield return Finding(Error, InspectionCodes.PolicyHttpStatus, PolicyHostSubject, $"GET {url}: {message}.",
                    "Serve the policy file at exactly /.well-known/mta-sts.txt with status 200, no redirect.");
                break;

            case MtaStsFailure.PolicyFetchError when reason == TlsRptReasonCodes.BodyTooLarge:
                yield return Finding(Error, InspectionCodes.PolicyTooLarge, PolicyHostSubject, $"GET {url}: {message}.", "Shorten the policy file (a policy needs a few hundred bytes).");
                break;

            case MtaStsFailure.PolicyFetchError when reason is TlsRptReasonCodes.InvalidFraming or TlsRptReasonCodes.HttpError:
                yield return Finding(Error, InspectionCodes.PolicyFetchFailed, PolicyHostSubject, $"GET {url}: {message}.", "Fix the web server's HTTP responses for the policy URL.");
                break;

            case MtaStsFailure.PolicyFetchError when reason == TlsRptReasonCodes.TlsHandshake:
                yield return Finding(Error, InspectionCodes.PolicyTlsFailed, PolicyHostSubject, $"GET {url}: {message}{certificateText}.", "Serve HTTPS with TLS 1.2 or 1.3 and a valid certificate for mta-sts.<domain>.");
                break;

            default:
                yield return Finding(Error, InspectionCodes.PolicyHostUnreachable, PolicyHostSubject, $"GET {url}: {message}.",
                    "Give mta-sts.<domain> a public address and serve HTTPS on port 443 there.");
                break;
        }
    }

    /// <summary>The findings of a policy senders accepted: its parser warnings at their lines, the mode, <c>max_age</c>.</summary>
    public static IEnumerable<InspectionFinding> ForPolicy(MtaStsPolicy policy)
    {
        var parsed = MtaStsPolicyParser.Parse(policy.Text);
        foreach (var finding in Diagnostics(PolicySubject, Warning, parsed.Warnings, "Tidy the policy file at that line (see the message)."))
        {
            yield return finding;
        }

        var age = policy.MaxAgeSeconds;
        if (policy.Mode == MtaStsMode.Testing)
        {
            yield return Finding(Info, InspectionCodes.ModeTesting, PolicySubject, "The policy mode is testing: senders report failures (TLS-RPT) but still deliver.",
                "Once reports show no failures, switch to mode: enforce (and change the TXT id).");
        }
        else if (policy.Mode == MtaStsMode.None)
        {
            yield return Finding(Info, InspectionCodes.ModeNone, PolicySubject, "The policy mode is none: senders do not apply MTA-STS (the way to withdraw a policy).", string.Empty);
        }

        if (age is > 0 and < ShortMaxAgeSeconds)
        {
            yield return Finding(Warning, InspectionCodes.MaxAgeShort, PolicySubject,
                $"max_age is {age} seconds ({Duration(age)}): senders forget the policy that soon, so an attacker who blocks its fetch for a while disables it.",
                "Use max_age of at least 86400 (one day); 604800 to 31557600 is usual for enforce.");
        }
        else if (policy.Mode == MtaStsMode.Testing && age > LongTestingMaxAgeSeconds)
        {
            yield return Finding(Info, InspectionCodes.MaxAgeLongTesting, PolicySubject,
                $"max_age is {age} seconds ({Duration(age)}) under testing: a sender that cannot fetch a changed policy keeps this one that long.",
                "While testing, a max_age of one day to one week makes changes take effect sooner.");
        }
    }

    /// <summary>
    /// The live MX hosts against the <c>mx</c> patterns: which hosts an <c>enforce</c> sender refuses, which patterns
    /// match nothing, and wildcards meant for a deeper host (or for the parent domain itself).
    /// </summary>
    public static IEnumerable<InspectionFinding> ForMxSet(MtaStsPolicy policy, DeliveryPlan plan)
    {
        if (plan.Status == DeliveryPlanStatus.NoMailService || plan.Hosts.Count == 0)
        {
            yield break; // ForPlan says why
        }

        foreach (var host in plan.Hosts)
        {
            if (policy.MatchesMx(host.Host))
            {
                var pattern = policy.MxPatterns.First(p => p.Matches(host.Host));
                yield return Finding(Info, InspectionCodes.MxCovered, host.Host, $"MX {host.Host} (preference {host.Preference}) matches mx: {pattern.Pattern}.", string.Empty);
                continue;
            }

            var (severity, consequence) = policy.Mode switch
            {
                MtaStsMode.Enforce => (Error, "an enforce sender refuses to deliver to it"),
                MtaStsMode.Testing => (Warning, "under testing senders report it; under enforce they would refuse it"),
                _ => (Info, "it matters once the mode is testing or enforce"),
            };
            yield return Finding(severity, InspectionCodes.MxNotCovered, host.Host,
                $"MX {host.Host} (preference {host.Preference}) matches none of the mx patterns ({string.Join(", ", policy.MxPatterns)}): {consequence}.",
                $"Add \"mx: {host.Host}\" (or a wildcard for its parent) to the policy and change the TXT id.");
        }

        foreach (var pattern in policy.MxPatterns)
        {
            if (plan.Hosts.Any(host => pattern.Matches(host.Host)))
            {
                continue;
            }

            if (WildcardIntent(pattern, plan.Hosts.Select(static h => h.Host)) is { } meant)
            {
                yield return Finding(Warning, InspectionCodes.WildcardOneLabelOnly, Mx,
                    $"mx: {pattern.Pattern} does not cover MX {meant}: a wildcard stands for exactly one label, not for the parent domain or several labels (RFC 8461 §4.1).",
                    $"Add \"mx: {meant}\" to the policy.");
            }
            else
            {
                yield return Finding(Warning, InspectionCodes.PatternMatchesNoMx, Mx,
                    $"mx: {pattern.Pattern} matches none of the MX hosts of {plan.Domain} ({string.Join(", ", plan.Hosts.Select(static h => h.Host))}).",
                    "Remove the pattern if it is stale, or publish the MX host it is meant for.");
            }
        }
    }

    /// <summary>
    /// The host a wildcard pattern that matches nothing was presumably meant for: a host two or more labels below its
    /// base (<c>*.example.net</c> for <c>a.b.example.net</c>) or the base itself (<c>*.example.net</c> for
    /// <c>example.net</c>); <see langword="null"/> for a pattern that is no wildcard or has no such host.
    /// </summary>
    public static string? WildcardIntent(MxPattern pattern, IEnumerable<string> hosts)
    {
        if (!pattern.IsWildcard)
        {
            return null;
        }

        var parent = pattern.Pattern[2..];
        var suffix = pattern.Pattern[1..];
        foreach (var host in hosts)
        {
            var name = host.TrimEnd('.');
            if (pattern.Matches(name))
            {
                continue;
            }

            if (string.Equals(name, parent, StringComparison.OrdinalIgnoreCase) || name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The plan as a whole and DNSSEC/DANE per MX host.</summary>
    public static IEnumerable<InspectionFinding> ForPlan(DeliveryPlan plan, bool daneEnabled)
    {
        if (plan.Status == DeliveryPlanStatus.NoMailService)
        {
            yield return Finding(Info, InspectionCodes.NoMailService, Mx, $"{plan.Domain} accepts no mail (null MX or no such domain).", string.Empty);
            yield break;
        }

        if (plan.Hosts.Count == 0)
        {
            var why = plan.Reasons.Count > 0 ? plan.Reasons[0] : "the MX lookup failed";
            yield return Finding(Error, InspectionCodes.MxUnavailable, Mx, $"The MX hosts of {plan.Domain} could not be looked up now ({Clause(why)}): senders defer.",
                "Make the authoritative servers answer the MX query (check DNSSEC signatures and server health).");
            yield break;
        }

        if (daneEnabled)
        {
            if (plan.Hosts.Any(static h => h.Dane == DaneStatus.Unavailable))
            {
                yield return Finding(Info, InspectionCodes.DnssecUnavailable, Mx,
                    "The resolver asked is not a trusted validating resolver, so DNSSEC and DANE were not judged.",
                    "Run the check against a local validating resolver (or name it with --trusted-resolver) to judge DANE.");
            }
            else
            {
                if (!plan.MxSecure)
                {
                    yield return Finding(Info, InspectionCodes.MxDnssecInsecure, Mx, $"The MX answer of {plan.Domain} is not DNSSEC-signed: DANE senders do not count delivery as secure to the domain.", string.Empty);
                }

                foreach (var host in plan.Hosts)
                {
                    if (host.ReportReasonCode is TlsRptReasonCodes.DaneMxInsecure or TlsRptReasonCodes.DaneNoUsableTlsa)
                    {
                        yield return Finding(Error, InspectionCodes.DaneRequired, host.Host, $"DANE is mandatory for {plan.Domain}, but {host.Host} {(host.ReportReasonCode == TlsRptReasonCodes.DaneMxInsecure ? "is listed in an MX answer that is not DNSSEC-secure" : "has no usable, DNSSEC-secure TLSA RRset")}.",
                            "Sign the zone with DNSSEC and publish TLSA records for each MX host, or stop requiring DANE.");
                        continue;
                    }

                    switch (host.Dane)
                    {
                        case DaneStatus.Usable:
                            yield return Finding(Info, InspectionCodes.DaneUsable, host.Host, $"{host.Host} has {host.TlsaRecords.Count} DNSSEC-secure TLSA record(s): DANE authenticates it, ahead of MTA-STS.", string.Empty);
                            break;
                        case DaneStatus.Unusable:
                            yield return Finding(Warning, InspectionCodes.DaneUnusable, host.Host, $"{host.Host} has a DNSSEC-secure TLSA RRset of {host.TlsaRecords.Count} record(s), none usable: DANE senders require TLS but cannot authenticate the host.",
                                "Publish TLSA records with usage 2 or 3, selector 0 or 1 and matching type 0, 1 or 2.");
                            break;
                        case DaneStatus.LookupFailed:
                            yield return Finding(Error, InspectionCodes.DaneLookupFailed, host.Host, $"The DNSSEC lookup of {host.Host}'s addresses or TLSA records failed: DANE senders do not use the host now.",
                                "Fix the DNSSEC signatures (or the server failures) for the host's A/AAAA and _25._tcp TLSA records.");
                            break;
                    }
                }
            }
        }

        if (plan.Status == DeliveryPlanStatus.Defer)
        {
            yield return Finding(Error, InspectionCodes.DeliveryDeferred, Mx, $"No MX host of {plan.Domain} may be used now: a sender defers every message ({Clause(plan.Reasons.Count > 0 ? plan.Reasons[^1] : "every host is skipped")}).",
                "Fix the findings above for at least the most preferred MX host.");
        }
    }

    /// <summary>The <c>_smtp._tls</c> record.</summary>
    public static IEnumerable<InspectionFinding> ForTlsRpt(string domain, TlsRptDiscoveryResult result)
    {
        var name = "_smtp._tls." + domain;
        var detail = result.Message is { } message ? $" ({Clause(message)})" : string.Empty;
        yield return result.Status switch
        {
            TlsRptRecordStatus.Found => Finding(Info, InspectionCodes.TlsRptRecord, TlsRpt, $"TLS-RPT reports go to {string.Join(", ", result.Record!.ReportingUris.Select(static u => EvidenceText.Cap(u.OriginalString, 200)))}.", string.Empty),
            TlsRptRecordStatus.NotFound => Finding(Warning, InspectionCodes.TlsRptMissing, TlsRpt, $"No TLS-RPT record at {name}: you will not hear of senders' TLS or MTA-STS failures.",
                $"Publish a TXT record at {name}: \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\"."),
            TlsRptRecordStatus.MultipleRecords => Finding(Warning, InspectionCodes.TlsRptMultiple, TlsRpt, $"More than one TLS-RPT record at {name}: senders send no reports (RFC 8460 §3).", "Delete all but one TLS-RPT record."),
            TlsRptRecordStatus.Invalid => Finding(Warning, InspectionCodes.TlsRptInvalid, TlsRpt, $"The TLS-RPT record at {name} is invalid{detail}: senders send no reports.",
                "Correct the record: \"v=TLSRPTv1; rua=mailto:<address>\" (or an https: URI)."),
            _ => Finding(Warning, InspectionCodes.TlsRptDnsFailure, TlsRpt, $"The TXT lookup of {name} failed{detail}.", "Make the authoritative servers answer the TXT query."),
        };
    }

    /// <summary>The STARTTLS probe of each MX host the plan allows (skipped hosts are covered by the plan's findings).</summary>
    public static IEnumerable<InspectionFinding> ForProbe(DomainProbeResult probe, MtaStsPolicy? policy, DateTimeOffset now, TimeSpan expiryWarning)
    {
        foreach (var result in probe.Hosts)
        {
            var decision = result.Decision;
            if (!decision.IsUsable)
            {
                continue;
            }

            var host = decision.Host;
            var reason = Clause(result.Reason);
            if (result.Failure is { } failure)
            {
                var (code, fix) = failure switch
                {
                    TlsRptResultType.StartTlsNotSupported => (InspectionCodes.MxStartTlsNotSupported, "Offer STARTTLS on port 25 with a valid certificate."),
                    TlsRptResultType.CertificateExpired => (InspectionCodes.MxCertificateExpired, "Renew the MX host's certificate."),
                    TlsRptResultType.CertificateHostMismatch => (InspectionCodes.MxCertificateHostMismatch, $"Serve a certificate whose SAN lists {host} (or matching the TLSA names under DANE)."),
                    TlsRptResultType.CertificateNotTrusted => (InspectionCodes.MxCertificateNotTrusted, "Serve a certificate from a public CA, with its intermediate certificates."),
                    TlsRptResultType.TlsaInvalid => (InspectionCodes.MxTlsaMismatch, "Update the TLSA records to the certificate or key the host serves (publish the new one before rolling over)."),
                    _ when !result.Connected => (InspectionCodes.MxConnectFailed, $"Make {host} accept SMTP connections on port 25 from the Internet."),
                    _ when result.StartTlsOffered && !result.TlsEstablished => (InspectionCodes.MxTlsFailed, "Let the MX host complete TLS 1.2 or 1.3 handshakes after STARTTLS."),
                    _ => (InspectionCodes.MxConnectFailed, $"Make {host} complete the SMTP dialogue (greeting, EHLO, STARTTLS)."),
                };
                // A failed handshake where TLS is not required: a sender may retry without TLS (RFC 7672 §2.2, RFC 8461 §5).
                var cleartextRetry = !result.IsUsable && code == InspectionCodes.MxTlsFailed && !decision.TlsRequired;
                var severity = result.IsUsable || cleartextRetry ? Warning : Error;
                var outcome = result.IsUsable
                    ? "a sender still delivers (TLS not enforced)"
                    : cleartextRetry ? "TLS is not required for this host, so a sender may retry without TLS and deliver in cleartext" : "a sender does not deliver to this host";
                yield return Finding(severity, code, host, $"{host}: {reason}; {outcome}.", fix);
                continue;
            }

            if (!result.TlsEstablished)
            {
                yield return Finding(Warning, InspectionCodes.MxStartTlsNotSupported, host, $"{host}: no TLS ({reason}); mail goes in cleartext.", "Offer STARTTLS on port 25 with a valid certificate.");
                continue;
            }

            var certificate = result.Certificate;
            var tls = result.TlsProtocol is { } protocol ? TlsVersion(protocol) : "TLS";
            var days = certificate is null ? string.Empty : $", expires {certificate.NotAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} ({Days((int)Math.Floor((certificate.NotAfter - now).TotalDays))})";
            yield return Finding(Info, InspectionCodes.MxTlsOk, host, $"{host}: STARTTLS with {tls}, certificate accepted ({decision.CertificateRequirement.Authentication.ToToken()}){days}.", string.Empty);
            if (certificate is not null && certificate.NotAfter - now < expiryWarning)
            {
                yield return Finding(Warning, InspectionCodes.MxCertificateExpiring, host, $"The certificate of {host} expires in {Days((int)Math.Floor((certificate.NotAfter - now).TotalDays))}.", "Renew the MX host's certificate.");
            }

            if (decision.Dane == DaneStatus.Usable && policy is { Mode: MtaStsMode.Enforce or MtaStsMode.Testing } && certificate is not null
                && !certificate.DnsNames.Any(name => CertificateNames.Matches(name, host)))
            {
                yield return Finding(Warning, InspectionCodes.MxCertificateStsNameMismatch, host,
                    $"{host} passes DANE, but its certificate (SAN {(certificate.DnsNames.Count == 0 ? "none" : string.Join(", ", certificate.DnsNames.Take(5)))}) does not name it: senders without DANE refuse it under the MTA-STS policy.",
                    $"Serve a certificate from a public CA whose SAN lists {host}, and keep the TLSA records matching it.");
            }
        }
    }

    /// <summary>"TLSv1.3", "TLSv1.2", or the enum name.</summary>
    public static string TlsVersion(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
        _ => protocol.ToString(),
    };

    private static string DescribeCertificate(InspectedCertificate certificate, DateTimeOffset now)
    {
        var names = certificate.DnsNames.Count == 0 ? "no SAN names" : "SAN " + string.Join(", ", certificate.DnsNames.Take(5));
        var days = certificate.DaysLeft(now);
        var validity = certificate.NotBefore > now
            ? "not valid before " + certificate.NotBefore.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : certificate.NotAfter <= now
                ? $"expired {certificate.NotAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} ({Days(-days)} ago)"
                : $"expires {certificate.NotAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} (in {Days(days)})";
        return $"certificate {names}, issued by {certificate.Issuer}, {validity}, chain of {certificate.Chain.Count}";
    }

    private static string Days(int days) => days switch
    {
        0 => "less than a day",
        1 => "1 day",
        _ => days.ToString(CultureInfo.InvariantCulture) + " days",
    };

    private static string Duration(long seconds) => seconds switch
    {
        < 3600 => (seconds / 60).ToString(CultureInfo.InvariantCulture) + " minutes",
        < 86_400 => (seconds / 3600).ToString(CultureInfo.InvariantCulture) + " hours",
        _ => (seconds / 86_400).ToString(CultureInfo.InvariantCulture) + " days",
    };

    /// <summary>Network or library text capped, without its final full stop, for use inside a sentence of ours.</summary>
    private static string Clause(string text) => EvidenceText.Cap(text).TrimEnd().TrimEnd('.');

    private static bool LooksLikeSts(string text) => text.TrimStart().StartsWith("v=sts", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<InspectionFinding> Diagnostics(string subject, InspectionSeverity severity, IReadOnlyList<MtaStsDiagnostic> diagnostics, string fix) =>
        diagnostics.OrderBy(static d => d.Line).Select(d => new InspectionFinding(severity, d.Code, EvidenceText.Cap(d.Line > 0 ? $"line {d.Line}: {d.Message}" : d.Message), fix) { Subject = subject, Line = d.Line });

    private static InspectionFinding Finding(InspectionSeverity severity, string code, string? subject, string message, string fix) =>
        new(severity, code, message, fix) { Subject = subject };
}
