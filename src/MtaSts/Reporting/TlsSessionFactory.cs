using System.Runtime.CompilerServices;

namespace MtaSts;

/// <summary>
/// Turns what a sending MTA already has — the <see cref="DeliveryPlan"/>, the <see cref="MxDecision"/> of the host it
/// tried, and the <see cref="CertificateValidationResult"/> of the handshake (or an <see cref="MxProbeResult"/>) — into
/// the <see cref="TlsSession"/> to record, so recording a session is one line.
/// </summary>
/// <remarks>
/// <para>
/// The policy a session counts under is the one that decided its host (decision R-2): a <c>tlsa</c> policy (the TLSA
/// base domain and its records) wherever DANE applied, else the <c>sts</c> policy in force, else — when the domain has
/// an MTA-STS record whose policy could not be had — an <c>sts</c> policy and the fetch's result type (decision R-16),
/// listing the received lines of a policy that was text but not valid (decision R-9) and none otherwise, else
/// <c>no-policy-found</c>. With <c>requireMtaStsWithDane</c> (the value of <see cref="MtaStsDaneOptions.RequireMtaSts"/>)
/// a DANE session also counts under the <c>sts</c> policy.
/// </para>
/// <para>
/// The failure counted is the most specific one known: the TLS or certificate failure of the session, else the
/// planner's (a <c>testing</c> policy's MX mismatch), else the policy fetch's — also when a cached <c>enforce</c> or
/// <c>testing</c> policy is applied after the fetch failed (RFC 8461 §6). Policies built from the same
/// <see cref="MtaStsPolicy"/> or TLSA RRset are built once and shared, so recording a session allocates little.
/// </para>
/// </remarks>
public static class TlsSessionFactory
{
    private static readonly ConditionalWeakTable<MtaStsPolicy, TlsRptPolicy> StsPolicies = new();
    private static readonly ConditionalWeakTable<IReadOnlyList<TlsaAssociation>, TlsRptPolicy> TlsaPolicies = new();
    private static readonly ConditionalWeakTable<MtaStsResolution, TlsRptPolicy> InvalidPolicies = new();

    /// <summary>
    /// The session of a host the plan skipped before connecting, when the sender would have tried it (decision R-15):
    /// a DANE lookup failure (<c>dnssec-invalid</c>), an MX outside the patterns (<c>validation-failure</c>), mandatory
    /// DANE without usable TLSA (<c>dane-required</c>).
    /// </summary>
    /// <param name="plan">The plan.</param>
    /// <param name="decision">The skipped host's decision.</param>
    /// <param name="requireMtaStsWithDane">The value of <see cref="MtaStsDaneOptions.RequireMtaSts"/>.</param>
    /// <returns>The failed session; <see langword="null"/> when the host is usable or its skip is nothing to report (no address).</returns>
    public static TlsSession? Skipped(DeliveryPlan plan, MxDecision decision, bool requireMtaStsWithDane = false)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(decision);
        if (decision.IsUsable || !TryParse(decision.ReportResultType, out var type))
        {
            return null;
        }

        return Build(plan, decision, new TlsRptFailure(type, decision.ReportReasonCode) { ReceivingMxHostname = decision.Host }, default, requireMtaStsWithDane);
    }

    /// <summary>The session of a connection that reached the TLS handshake (or ended before it with a known failure).</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="decision">The decision of the host connected to.</param>
    /// <param name="certificate">The certificate check of the handshake (from the decision's callback); <see langword="null"/> when none ran.</param>
    /// <param name="endpoints">The session's addresses and the server's name.</param>
    /// <param name="requireMtaStsWithDane">The value of <see cref="MtaStsDaneOptions.RequireMtaSts"/>.</param>
    /// <returns>The session.</returns>
    public static TlsSession Connected(DeliveryPlan plan, MxDecision decision, CertificateValidationResult? certificate, TlsSessionEndpoints endpoints = default, bool requireMtaStsWithDane = false)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(decision);
        TlsRptFailure? failure = null;
        if (certificate is { Failure: { } certificateFailure })
        {
            failure = Failure(certificateFailure, certificate.ReasonCode, decision, endpoints);
        }

        return Build(plan, decision, failure ?? PlannedFailure(plan, decision, endpoints), endpoints, requireMtaStsWithDane);
    }

    /// <summary>The session of a connection that failed in a way the certificate check does not see (no STARTTLS, a failed handshake).</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="decision">The decision of the host connected to.</param>
    /// <param name="resultType">The result type, e.g. <see cref="TlsRptResultType.StartTlsNotSupported"/>.</param>
    /// <param name="reasonCode">The reason code (<see cref="TlsRptReasonCodes"/>).</param>
    /// <param name="endpoints">The session's addresses and the server's name.</param>
    /// <param name="requireMtaStsWithDane">The value of <see cref="MtaStsDaneOptions.RequireMtaSts"/>.</param>
    /// <returns>The failed session.</returns>
    public static TlsSession Failed(DeliveryPlan plan, MxDecision decision, TlsRptResultType resultType, string? reasonCode, TlsSessionEndpoints endpoints = default, bool requireMtaStsWithDane = false)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(decision);
        return Build(plan, decision, Failure(resultType, reasonCode, decision, endpoints), endpoints, requireMtaStsWithDane);
    }

    /// <summary>
    /// The session of a probed host: <see cref="Skipped"/> for a host the plan skips, the probe's failure or success
    /// for a host connected to; <see langword="null"/> when no TCP connection was made (a host that is down is not a
    /// TLS failure).
    /// </summary>
    /// <param name="plan">The plan the probe followed.</param>
    /// <param name="result">The probe of one of its hosts.</param>
    /// <param name="requireMtaStsWithDane">The value of <see cref="MtaStsDaneOptions.RequireMtaSts"/>.</param>
    /// <returns>The session, or <see langword="null"/>.</returns>
    public static TlsSession? FromProbe(DeliveryPlan plan, MxProbeResult result, bool requireMtaStsWithDane = false)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(result);
        if (!result.Decision.IsUsable)
        {
            return Skipped(plan, result.Decision, requireMtaStsWithDane);
        }

        if (!result.Connected)
        {
            return null;
        }

        var endpoints = new TlsSessionEndpoints(result.LocalAddress, result.RemoteAddress, result.ServerName);
        return result.Failure is { } failure
            ? Failed(plan, result.Decision, failure, result.ReasonCode, endpoints, requireMtaStsWithDane)
            : Connected(plan, result.Decision, certificate: null, endpoints, requireMtaStsWithDane);
    }

    /// <summary>
/// A failure the plan already knew of: a <c>testing</c> policy's MX mismatch, or a policy that could not be fetched,
/// whether or not a cached policy was applied instead.
/// </summary>
    private static TlsRptFailure? PlannedFailure(DeliveryPlan plan, MxDecision decision, TlsSessionEndpoints endpoints)
    {
        if (TryParse(decision.ReportResultType, out var planned))
        {
            return Failure(planned, decision.ReportReasonCode, decision, endpoints);
        }

        // RFC 8461 §6: a fetch failure is reported when nothing is cached, and also while a cached policy (other than
        // mode none) is applied after it.
        return !UsesDane(decision) && plan.MtaStsResolution is { } resolution && IsReportedFetchFailure(resolution) && TryParse(resolution.ReportResultType, out var fetch)
            ? Failure(fetch, resolution.Evidence?.ReasonCode is { } code && TlsRptReasonCodes.IsWellFormed(code) ? code : null, decision, endpoints)
            : null;
    }

    private static bool IsReportedFetchFailure(MtaStsResolution resolution) =>
        resolution.Outcome == MtaStsOutcome.FetchFailure
        || resolution is { Outcome: MtaStsOutcome.Policy, Source: PolicySource.CacheAfterFailure, Policy.Mode: MtaStsMode.Enforce or MtaStsMode.Testing };

    private static TlsSession Build(DeliveryPlan plan, MxDecision decision, TlsRptFailure? failure, TlsSessionEndpoints endpoints, bool requireMtaStsWithDane)
    {
        _ = endpoints;
        var sts = StsPolicy(plan);
        if (UsesDane(decision))
        {
            return new TlsSession(plan.Domain, TlsaPolicy(decision), failure)
            {
                AlsoUnder = requireMtaStsWithDane && sts is { PolicyType: TlsRptPolicyType.Sts, MxHosts.Count: > 0 } ? sts : null,
            };
        }

        return new TlsSession(plan.Domain, sts ?? TlsRptPolicy.NoPolicyFound(plan.Domain), failure);
    }

    /// <summary>Whether DANE decided the host: TLSA records applied (or their lookup failed, or mandatory DANE found none).</summary>
    private static bool UsesDane(MxDecision decision) =>
        decision.CertificateRequirement.Authentication is MxAuthentication.DaneEe or MxAuthentication.DaneTa
        || decision.Dane is DaneStatus.Unusable
        || decision.ReportResultType is "dnssec-invalid" or "dane-required";

    private static TlsRptPolicy TlsaPolicy(MxDecision decision)
    {
        var baseDomain = decision.CertificateRequirement.Authentication is MxAuthentication.DaneEe or MxAuthentication.DaneTa ? decision.Sni : decision.Host;
        if (decision.TlsaRecords.Count == 0 || !string.Equals(baseDomain, decision.Sni, StringComparison.Ordinal))
        {
            return TlsRptPolicy.Tlsa(baseDomain, decision.TlsaRecords);
        }

        return TlsaPolicies.GetValue(decision.TlsaRecords, records => TlsRptPolicy.Tlsa(baseDomain, records));
    }

    private static TlsRptPolicy? StsPolicy(DeliveryPlan plan)
    {
        if (plan.MtaStsResolution is not { } resolution)
        {
            return null;
        }

        if (resolution.Outcome == MtaStsOutcome.Policy && resolution.Policy is { Mode: MtaStsMode.Enforce or MtaStsMode.Testing } policy)
        {
            var domain = plan.Domain;
            return StsPolicies.GetValue(policy, p => TlsRptPolicy.FromMtaStsPolicy(domain, p));
        }

        if (resolution.Outcome != MtaStsOutcome.FetchFailure)
        {
            return null;
        }

        // Decisions: an invalid policy received as text lists its lines; other fetch failures list none.
        if (resolution is { Failure: MtaStsFailure.PolicyInvalid, InvalidPolicyText: { } text })
        {
            var domain = plan.Domain;
            return InvalidPolicies.GetValue(resolution, _ => TlsRptPolicy.FromPolicyText(domain, text));
        }

        return TlsRptPolicy.FromPolicyText(plan.Domain, null);
    }

    private static TlsRptFailure Failure(TlsRptResultType type, string? reasonCode, MxDecision decision, TlsSessionEndpoints endpoints) =>
        new(type, reasonCode)
        {
            ReceivingMxHostname = decision.Host,
            SendingMtaIp = endpoints.SendingMtaIp,
            ReceivingIp = endpoints.ReceivingIp,
            ReceivingMxHelo = IsToken(endpoints.ReceivingMxHelo) ? endpoints.ReceivingMxHelo : null,
        };

    private static bool IsToken(string? value) =>
        value is { Length: > 0 and <= 255 } && value.All(static c => c is > ' ' and < (char)127);

    private static bool TryParse(string? token, out TlsRptResultType type)
    {
        type = default;
        return token is not null && TlsRptTokens.TryParseResultType(token, out type);
    }
}
