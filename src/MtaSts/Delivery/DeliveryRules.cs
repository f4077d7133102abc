using MtaSts.Dane;
using MtaSts.Dns;

namespace MtaSts.Delivery;

/// <summary>
/// The decision for one MX host from what DANE and MTA-STS say about it (RFC 7672 §2.2, RFC 8461 §4 and §5, the
/// precedence rules of RFC 8461 §2; decisions A-13, A-14, A-15). Pure: no I/O, no clock.
/// </summary>
internal static class DeliveryRules
{
    /// <summary>RFC 8460 result type: a DNSSEC-validated lookup needed for DANE failed.</summary>
    public const string DnssecInvalid = "dnssec-invalid";

    /// <summary>RFC 8460 result type used for an MTA-STS MX-name mismatch (as mox does).</summary>
    public const string ValidationFailure = "validation-failure";

    /// <summary>RFC 8460 result type: DANE is mandatory for the domain, but no DNSSEC-validated, usable TLSA RRset was found for the host.</summary>
    public const string DaneRequired = "dane-required";

    /// <summary>The TLS-RPT failure reason code that goes with an MX-name mismatch.</summary>
    public const string MxMismatchReasonCode = "mtasts-policy-mx-mismatch";

    /// <summary>What the planner knows about the recipient domain when it decides for one host.</summary>
    /// <param name="Domain">The recipient domain, normalised.</param>
    /// <param name="MxSecure">Whether the MX RRset (or the denial behind an implicit MX) was DNSSEC-secure.</param>
    /// <param name="ImplicitMx">Whether the host is the implicit MX (the domain itself).</param>
    /// <param name="MtaSts">The MTA-STS resolution of the domain.</param>
    /// <param name="Options">The planner's options.</param>
    /// <param name="DaneRequired">Whether DANE is mandatory for the domain (<see cref="MtaStsDaneOptions.RequiredDomains"/>).</param>
    /// <param name="ExpandedDomain">The recipient domain after the CNAMEs its MX answer led through; <see langword="null"/> when it is not an alias.</param>
    public readonly record struct Context(string Domain, bool MxSecure, bool ImplicitMx, MtaStsResolution MtaSts, MtaStsOptions Options, bool DaneRequired = false, string? ExpandedDomain = null);

    /// <summary>Whether a decision skipped its host because of an MTA-STS MX-name mismatch (what a TXT re-check may cure).</summary>
    public static bool SkippedForMtaStsMismatch(MxDecision decision) =>
        !decision.IsUsable && decision.MtaStsMxMatch == false && decision.ReportResultType == ValidationFailure;

    /// <summary>The MTA-STS policy in force for MX checks: one of mode enforce or testing; <see langword="null"/> otherwise.</summary>
    public static MtaStsPolicy? PolicyInForce(MtaStsResolution resolution) =>
        resolution.Outcome == MtaStsOutcome.Policy && resolution.Policy is { Mode: MtaStsMode.Enforce or MtaStsMode.Testing } policy ? policy : null;

    public static MxDecision Decide(in Context context, MxHost host, MxHostLookupResult dane)
    {
        var policy = PolicyInForce(context.MtaSts);
        bool? match = policy?.MatchesMx(host.Name);
        var reasons = new List<string>(4);
        var decision = new Builder(context, host, dane, match, reasons);

        // 1. Mandatory DANE (DANE-2.2-f) needs a secure MX RRset first (DANE-2.2.1-e): without it no host is trusted.
        if (context.DaneRequired && !context.MxSecure)
        {
            reasons.Add("DANE: " + dane.Message);
            reasons.Add(context.ImplicitMx
                ? $"DANE is required for {context.Domain} (MtaStsOptions.Dane.RequiredDomains), but the denial of its MX records is not DNSSEC-secure: host skipped for now, delivery deferred (RFC 7672 §2.2.1, §6)."
                : $"DANE is required for {context.Domain} (MtaStsOptions.Dane.RequiredDomains), but its MX RRset is not DNSSEC-secure: host skipped for now, delivery deferred (RFC 7672 §2.2.1, §6).");
            return decision.Skip(tlsRequired: true, MxAuthentication.None, DaneRequired);
        }

        // 2. The host cannot be tried now: a DANE lookup failed (PREC-b), or it has no addresses (RFC 7672 §2.2.2).
        if (dane.Status == DaneStatus.LookupFailed)
        {
            var daneOn = context.Options.Dane.Enabled;
            reasons.Add((daneOn ? "DANE: " : "DNS: ") + dane.Message);
            reasons.Add(daneOn
                ? "Host skipped for now: a failed DANE lookup makes it unreachable, and MTA-STS cannot make it usable (RFC 7672 §2.1.2, RFC 8461 §2)."
                : "Host skipped for now: its addresses could not be looked up.");
            return decision.Skip(tlsRequired: daneOn, MxAuthentication.None, daneOn ? DnssecInvalid : null);
        }

        if (context.Options.Delivery.ExcludeNonPublicAddresses && dane.Addresses.Count > 0)
        {
            // MtaStsOptions.Delivery.ExcludeNonPublicAddresses: a recipient domain must not steer the sender to internal hosts.
            var allowed = dane.Addresses.Where(static address => AddressScope.IsAllowed(address, allowNonPublic: false)).ToArray();
            if (allowed.Length != dane.Addresses.Count)
            {
                var refused = dane.Addresses.Where(static address => !AddressScope.IsAllowed(address, allowNonPublic: false));
                decision.Addresses = allowed;
                reasons.Add($"DNS: addresses left out because they are not public (MtaStsOptions.Delivery.ExcludeNonPublicAddresses): {AddressScope.DescribeAll(refused)}.");
                if (allowed.Length == 0)
                {
                    reasons.Add("Host skipped for now: it has no public address.");
                    return decision.Skip(tlsRequired: false, MxAuthentication.None, reportResultType: null);
                }
            }
        }

        if (dane.Addresses.Count == 0)
        {
            reasons.Add("DNS: " + dane.Message);
            reasons.Add("Host skipped for now: it has no addresses (RFC 7672 §2.2.2).");
            return decision.Skip(tlsRequired: false, MxAuthentication.None, reportResultType: null);
        }

        if (context.DaneRequired && dane.Status != DaneStatus.Usable)
        {
            return DecideDaneMissing(context, host, dane, reasons, decision);
        }

        return dane.Status switch
        {
            DaneStatus.Usable => DecideDane(context, host, dane, policy, match, reasons, decision),
            DaneStatus.Unusable => DecideUnusableDane(context, host, dane, policy, match, reasons, decision),
            _ => DecideWithoutDane(context, host, dane, policy, match, reasons, decision),
        };
    }

    /// <summary>A usable, secure TLSA RRset: DANE alone authenticates (DANE-2.2-b, A-13), MTA-STS's MX check optionally on top.</summary>
    private static MxDecision DecideDane(in Context context, MxHost host, MxHostLookupResult dane, MtaStsPolicy? policy, bool? match, List<string> reasons, Builder decision)
    {
        var usable = dane.Records.Where(static record => record.IsUsable).ToArray();
        var authentication = Array.Exists(usable, static record => record.Usage == TlsaUsage.DaneEe) ? MxAuthentication.DaneEe : MxAuthentication.DaneTa;
        var referenceIdentifiers = ReferenceIdentifiers(context, dane);
        reasons.Add("DANE: " + dane.Message);
        reasons.Add(authentication == MxAuthentication.DaneEe
            ? $"DANE: TLSA records {Records(dane)}; authenticate with DANE-EE (certificate or key digest, no name or expiry checks), SNI {dane.BaseDomain} (RFC 7672 §3.1.1, §8.1)."
            : $"DANE: TLSA records {Records(dane)}; authenticate with DANE-TA (chain to a matching trust anchor, names {string.Join(", ", referenceIdentifiers)}), SNI {dane.BaseDomain} (RFC 7672 §3.1.2, §3.2.2, §8.1).");

        var requirement = new CertificateRequirement
        {
            Authentication = authentication,
            MxHost = host.Name,
            TlsaRecords = usable,
            ReferenceIdentifiers = referenceIdentifiers,
            AdditionalTrustedRoots = Roots(context.Options),
        };

        if (policy is not null && match == false)
        {
            if (policy.Mode == MtaStsMode.Enforce && context.Options.Dane.RequireMtaSts)
            {
                reasons.Add($"{PolicyText(context.MtaSts, policy)}: {host.Name} matches none of the mx patterns ({Patterns(policy)}); MtaStsOptions.Dane.RequireMtaSts asks for this check on top of DANE, so the host is skipped for now (RFC 8461 §4.1, §5; reason code {MxMismatchReasonCode}).");
                return decision.Skip(tlsRequired: true, authentication, ValidationFailure, dane.BaseDomain, requirement);
            }

            reasons.Add($"{PolicyText(context.MtaSts, policy)}: {host.Name} matches none of the mx patterns ({Patterns(policy)}), but DANE authenticates this host and takes precedence (decision A-13; MtaStsOptions.Dane.RequireMtaSts would require both).");
        }
        else if (policy is not null)
        {
            reasons.Add($"{PolicyText(context.MtaSts, policy)}: {host.Name} matches; the certificate is checked by DANE alone (decision A-13).");
        }

        return decision.Use(tlsRequired: true, dane.BaseDomain, requirement, reportResultType: null);
    }

    /// <summary>
    /// Mandatory DANE without a usable, secure TLSA RRset for the host: mail goes only over an authenticated channel, so
    /// the host is skipped for now whatever MTA-STS says (DANE-6-a; RFC 8460 result type <c>dane-required</c>).
    /// </summary>
    private static MxDecision DecideDaneMissing(in Context context, MxHost host, MxHostLookupResult dane, List<string> reasons, Builder decision)
    {
        reasons.Add("DANE: " + dane.Message);
        var missing = dane.Status switch
        {
            DaneStatus.Unusable => $"its secure TLSA records ({Records(dane)}) are all unusable, so DANE cannot authenticate it",
            DaneStatus.Unavailable => "DNSSEC answers cannot be trusted here (DANE unavailable: no trusted validating resolver, or DANE switched off)",
            _ => "it has no DNSSEC-secure TLSA records",
        };
        reasons.Add($"DANE is required for {context.Domain} (MtaStsOptions.Dane.RequiredDomains), but {missing}: host skipped for now; MTA-STS and opportunistic TLS are not enough (RFC 7672 §2.2, §6).");
        return decision.Skip(tlsRequired: true, MxAuthentication.None, DaneRequired, dane.Status == DaneStatus.Unusable ? dane.BaseDomain : null);
    }

    /// <summary>
    /// A secure TLSA RRset without usable records: TLS is mandatory, DANE does not authenticate (DANE-2.2-c, PREC-c). The
    /// MTA-STS policy applies in full on top: enforce needs a matching MX name and PKIX; testing checks PKIX report-only;
    /// without a policy the connection is encrypted but not authenticated.
    /// </summary>
    private static MxDecision DecideUnusableDane(in Context context, MxHost host, MxHostLookupResult dane, MtaStsPolicy? policy, bool? match, List<string> reasons, Builder decision)
    {
        reasons.Add("DANE: " + dane.Message);
        reasons.Add($"DANE: TLSA records {Records(dane)}; none is usable, so TLS is required without cleartext fallback but DANE does not authenticate (RFC 7672 §2.2, §2.2.3).");
        return ApplyMtaSts(context, host, policy, match, reasons, decision, tlsRequiredByDane: true, sni: dane.BaseDomain);
    }

    /// <summary>No DANE (no secure TLSA, DANE unavailable or switched off): MTA-STS decides (RFC 8461 §4, §5).</summary>
    private static MxDecision DecideWithoutDane(in Context context, MxHost host, MxHostLookupResult dane, MtaStsPolicy? policy, bool? match, List<string> reasons, Builder decision)
    {
        reasons.Add("DANE: " + dane.Message);
        return ApplyMtaSts(context, host, policy, match, reasons, decision, tlsRequiredByDane: false, sni: host.Name);
    }

    private static MxDecision ApplyMtaSts(in Context context, MxHost host, MtaStsPolicy? policy, bool? match, List<string> reasons, Builder decision, bool tlsRequiredByDane, string sni)
    {
        if (policy is null)
        {
            reasons.Add(tlsRequiredByDane
                ? "No MTA-STS policy in force: TLS required (DANE), certificate not authenticated."
                : "No DANE and no MTA-STS policy in force: opportunistic TLS (RFC 7672 §2.2, RFC 8461 §5).");
            return decision.Use(tlsRequiredByDane, sni, Requirement(context, host, MxAuthentication.None, enforce: true), reportResultType: null);
        }

        var policyText = PolicyText(context.MtaSts, policy);
        if (policy.Mode == MtaStsMode.Enforce)
        {
            var pkix = Requirement(context, host, MxAuthentication.Pkix, enforce: true);
            if (match == true)
            {
                reasons.Add($"{policyText}: {host.Name} matches the mx patterns ({Patterns(policy)}); TLS required, certificate checked with PKIX for {host.Name} (RFC 8461 §4).");
                return decision.Use(tlsRequired: true, sni, pkix, reportResultType: null);
            }

            reasons.Add($"{policyText}: {host.Name} matches none of the mx patterns ({Patterns(policy)}); host skipped for now (RFC 8461 §4.1, §5, §8.4; reason code {MxMismatchReasonCode}).");
            return decision.Skip(tlsRequired: true, MxAuthentication.Pkix, ValidationFailure, sni, pkix);
        }

        // testing: deliver whatever fails; check and report (RFC 8461 §5). Cleartext stays allowed unless DANE forbids it.
        var reportOnly = Requirement(context, host, MxAuthentication.Pkix, enforce: false);
        if (match == true)
        {
            reasons.Add($"{policyText}: {host.Name} matches the mx patterns ({Patterns(policy)}); certificate checked with PKIX for {host.Name}, failures reported but not enforced (RFC 8461 §5).");
            return decision.Use(tlsRequiredByDane, sni, reportOnly, reportResultType: null);
        }

        reasons.Add($"{policyText}: {host.Name} matches none of the mx patterns ({Patterns(policy)}); delivering anyway, the failure is to be reported (RFC 8461 §5; reason code {MxMismatchReasonCode}).");
        return decision.Use(tlsRequiredByDane, sni, reportOnly, ValidationFailure);
    }

    /// <summary>
    /// The names a DANE-TA certificate may carry (RFC 7672 §3.2.2): the TLSA base domain first; with a secure MX RRset
    /// also the recipient domain (the original next hop) and its CNAME expansion when the MX answer went through an alias
    /// (DANE-3.2.2-b); for an implicit MX the domain when the base domain is its CNAME expansion (DANE-3.2.2-c).
    /// </summary>
    internal static string[] ReferenceIdentifiers(in Context context, MxHostLookupResult dane)
    {
        var names = new List<string>(3) { dane.BaseDomain };
        if ((context.MxSecure || context.ImplicitMx) && !DnsNames.Equal(dane.BaseDomain, context.Domain))
        {
            names.Add(context.Domain);
        }

        if (context.MxSecure && !context.ImplicitMx && context.ExpandedDomain is { } expanded
            && !names.Exists(name => DnsNames.Equal(name, expanded)))
        {
            names.Add(expanded);
        }

        return [.. names];
    }

    private static CertificateRequirement Requirement(in Context context, MxHost host, MxAuthentication authentication, bool enforce) => new()
    {
        Authentication = authentication,
        MxHost = host.Name,
        Enforce = enforce,
        AdditionalTrustedRoots = Roots(context.Options),
    };

    private static System.Security.Cryptography.X509Certificates.X509Certificate2Collection? Roots(MtaStsOptions options) =>
        options.AdditionalTrustedRoots.Count > 0 ? options.AdditionalTrustedRoots : null;

    private static string Records(MxHostLookupResult dane) => string.Join(", ", dane.Records.Select(DeliveryText.ShortRecord));

    private static string Patterns(MtaStsPolicy policy) => policy.MxPatterns.Count == 0 ? "none" : string.Join(", ", policy.MxPatterns);

    private static string PolicyText(MtaStsResolution resolution, MtaStsPolicy policy) =>
        $"MTA-STS {policy.Mode.ToToken()}{(resolution.Record is { } record ? $" (id {record.Id})" : string.Empty)}";

    /// <summary>The reason code of a planning failure: each result type the rules emit has one cause, except <c>dane-required</c>.</summary>
    private static string? ReasonCode(in Context context, string? reportResultType) => reportResultType switch
    {
        null => null,
        ValidationFailure => MxMismatchReasonCode,
        DnssecInvalid => TlsRptReasonCodes.DaneLookupFailed,
        DaneRequired => context.MxSecure ? TlsRptReasonCodes.DaneNoUsableTlsa : TlsRptReasonCodes.DaneMxInsecure,
        _ => null,
    };

    /// <summary>Puts the common fields of a decision together.</summary>
    private sealed class Builder(Context context, MxHost host, MxHostLookupResult dane, bool? match, List<string> reasons)
    {
        /// <summary>The addresses the decision carries: the lookup's, less any the options leave out.</summary>
        public IReadOnlyList<System.Net.IPAddress> Addresses { get; set; } = dane.Addresses;

        public MxDecision Use(bool tlsRequired, string sni, CertificateRequirement requirement, string? reportResultType) =>
            Build(use: true, tlsRequired, sni, requirement, reportResultType);

        public MxDecision Skip(bool tlsRequired, MxAuthentication authentication, string? reportResultType, string? sni = null, CertificateRequirement? requirement = null) =>
            Build(use: false, tlsRequired, sni ?? host.Name, requirement ?? Requirement(context, host, authentication, enforce: true), reportResultType);

        private MxDecision Build(bool use, bool tlsRequired, string sni, CertificateRequirement requirement, string? reportResultType) => new()
        {
            Host = host.Name,
            Preference = host.Preference,
            IsUsable = use,
            TlsRequired = tlsRequired,
            Sni = sni,
            Dane = dane.Status,
            TlsaRecords = dane.Records,
            Addresses = Addresses,
            MtaStsMxMatch = match,
            Reasons = reasons,
            ReportResultType = reportResultType,
            ReportReasonCode = ReasonCode(context, reportResultType),
            CertificateRequirement = requirement,
        };
    }
}
