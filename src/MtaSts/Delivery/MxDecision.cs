using System.Net;
using System.Net.Security;
using MtaSts.Delivery;

namespace MtaSts;

/// <summary>The decision for one MX host of a <see cref="DeliveryPlan"/>: whether to use it now, and how.</summary>
/// <remarks>
/// <para>
/// How to act on it: skip a host whose <see cref="IsUsable"/> is <see langword="false"/>. Otherwise connect (to
/// <see cref="Addresses"/>), issue STARTTLS with <see cref="Sni"/> as the server name, and check the certificate with
/// <see cref="CreateCertificateValidationCallback"/>. When <see cref="TlsRequired"/> is <see langword="true"/>, a server
/// without STARTTLS, a failed handshake or a rejected certificate means: move on to the next host, or defer — never
/// fall back to cleartext. When it is <see langword="false"/>, TLS is opportunistic: use it when offered, and a TLS
/// failure may be retried in cleartext.
/// </para>
/// <para>
/// The rules are DANE first: a host with a usable, DNSSEC-secure TLSA RRset is authenticated by DANE alone, a failed
/// DANE lookup makes the host unusable whatever MTA-STS says, and otherwise MTA-STS decides. The full table, in the
/// order it is applied, is decision A-13 in the repository's <c>docs/decisions/a-mta-sts-and-dane.md</c>.
/// </para>
/// </remarks>
public sealed class MxDecision
{
    /// <summary>The MX host name (the MX record's target as listed, normalised; the domain itself for an implicit MX).</summary>
    public required string Host { get; init; }

    /// <summary>The MX preference (lower is tried first); 0 for an implicit MX.</summary>
    public int Preference { get; init; }

    /// <summary>
    /// Whether the host may be used now. A host that may not is skipped for now, never for good: every reason the
    /// planner has to skip a host may pass (RFC 8461 §5 and §8.4, RFC 7672 §2.1.2), so plan again on the next attempt.
    /// </summary>
    public required bool IsUsable { get; init; }

    /// <summary>
    /// Whether delivery through this host must use TLS (no cleartext fallback): DANE found a secure TLSA RRset, or an
    /// MTA-STS <c>enforce</c> policy applies. Also <see langword="true"/> for a host skipped because its DANE lookup
    /// failed (its DANE status is unknown, so the safe answer).
    /// </summary>
    public required bool TlsRequired { get; init; }

    /// <summary>
    /// The server name to send in the TLS SNI extension: the TLSA base domain when DANE applies (RFC 7672 §8.1), the MX
    /// host name otherwise (RFC 8461 §7.1; decision A-14).
    /// </summary>
    public required string Sni { get; init; }

    /// <summary>What DANE says about the host.</summary>
    public DaneStatus Dane { get; init; }

    /// <summary>
    /// The secure TLSA RRset found for the host (usable and unusable records, in answer order; TLS-RPT's
    /// <c>policy-string</c> lists them all); empty when DANE does not apply. The certificate requirement carries only the
    /// usable ones.
    /// </summary>
    public IReadOnlyList<TlsaAssociation> TlsaRecords { get; init; } = [];

    /// <summary>The host's addresses (IPv6 first, then IPv4) from the lookup that also decided DANE; empty when unknown.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; init; } = [];

    /// <summary>
    /// Whether the host name matches an <c>mx</c> pattern of the MTA-STS policy (RFC 8461 §4.1); <see langword="null"/>
    /// when no <c>enforce</c> or <c>testing</c> policy applies.
    /// </summary>
    public bool? MtaStsMxMatch { get; init; }

    /// <summary>Sentences explaining the decision, with the evidence (TLSA records, the policy's patterns, DNS failures).</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>
    /// The RFC 8460 result type of a failure found while planning, for TLS-RPT: <c>dnssec-invalid</c> (a DANE lookup
    /// failed), <c>dane-required</c> (DANE is mandatory for the domain, <see cref="MtaStsDaneOptions.RequiredDomains"/>,
    /// but the MX RRset is not secure or the host has no usable, secure TLSA RRset) or <c>validation-failure</c> (the MX name matches no pattern of an <c>enforce</c> policy, or of a
    /// <c>testing</c> policy, which is reported but not enforced; failure reason code <c>mtasts-policy-mx-mismatch</c>);
    /// <see langword="null"/> when nothing failed. Certificate failures are found later, by the certificate check.
    /// </summary>
    public string? ReportResultType { get; init; }

    /// <summary>
    /// The stable <c>failure-reason-code</c> that goes with <see cref="ReportResultType"/> (decision R-12):
    /// <see cref="TlsRptReasonCodes.MtaStsPolicyMxMismatch"/>, <see cref="TlsRptReasonCodes.DaneLookupFailed"/>,
    /// <see cref="TlsRptReasonCodes.DaneMxInsecure"/> or <see cref="TlsRptReasonCodes.DaneNoUsableTlsa"/>;
    /// <see langword="null"/> when nothing failed.
    /// </summary>
    public string? ReportReasonCode { get; init; }

    /// <summary>What the server certificate must satisfy on this host (the input of <see cref="CertificateValidator"/>).</summary>
    public required CertificateRequirement CertificateRequirement { get; init; }

    /// <summary>
    /// A certificate validation callback for this host, usable as <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/>
    /// and as MailKit's <c>ServerCertificateValidationCallback</c>. It applies <see cref="CertificateRequirement"/>: with
    /// <see cref="MxAuthentication.None"/> every certificate is accepted; under MTA-STS <c>testing</c> failures are
    /// reported to <paramref name="observer"/> and the connection goes ahead.
    /// </summary>
    /// <param name="observer">Called with the result of every check (for logs and TLS-RPT); may be <see langword="null"/>.</param>
    /// <returns>The callback (a new delegate on each call).</returns>
    public RemoteCertificateValidationCallback CreateCertificateValidationCallback(Action<CertificateValidationResult>? observer = null) =>
        CertificateValidator.CreateCallback(CertificateRequirement, observer);

    /// <summary>One line: preference, host, the decision, and the first reason.</summary>
    /// <returns>Readable text.</returns>
    public override string ToString() => DeliveryText.FormatLine(this);
}
