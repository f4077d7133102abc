using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Validation;

namespace MtaSts;

/// <summary>Checks SMTP server certificates against a <see cref="CertificateRequirement"/> (MTA-STS PKIX, DANE-EE, DANE-TA).</summary>
/// <remarks>
/// <para>The rules, by <see cref="CertificateRequirement.Authentication"/>:</para>
/// <list type="bullet">
/// <item><description><see cref="MxAuthentication.None"/>: always passes (TLS without authentication).</description></item>
/// <item><description>
/// <see cref="MxAuthentication.Pkix"/> (RFC 8461 §4.2, decision A-9): the chain must be trusted by the platform (the
/// TLS stack's verdict) or lead to one of <see cref="CertificateRequirement.AdditionalTrustedRoots"/>; no certificate
/// of it expired or not yet valid; a SAN dNSName must match <see cref="CertificateRequirement.MxHost"/>, with a wildcard
/// only as the whole left-most label; the subject CN is never used. Revocation is not checked (RFC 8461 §4.2 MAY).
/// </description></item>
/// <item><description>
/// <see cref="MxAuthentication.DaneEe"/> and <see cref="MxAuthentication.DaneTa"/> (RFC 7672 §3): both accept a match on
/// any record of <see cref="CertificateRequirement.TlsaRecords"/>. Unusable records (usages 0 and 1, unknown selector or
/// matching type, wrong digest length) are discarded, and for each usage and selector only Full(0) records and the
/// strongest digest published (SHA2-512 over SHA2-256) count (RFC 7671 §9). If no usable record remains, the check
/// passes: TLS is required but not authenticated (RFC 7672 §2.2). A DANE-EE(3) record must match the server
/// certificate (selector 0) or its public key (selector 1); names and dates are ignored. A DANE-TA(2) record must match
/// an issuer certificate the server presented (not the server certificate itself, not the local trust store), or be a
/// <c>2 0 0</c> record that carries the anchor; the path from the server certificate up to that anchor is verified with
/// the anchor as the only trust anchor (signatures, validity periods, purposes and the anchor's constraints apply to
/// everything below it; the anchor's own dates and whatever is above it do not), and a SAN dNSName — or,
/// only when there is none, the CN — must match one of <see cref="CertificateRequirement.ReferenceIdentifiers"/> (the
/// MX host when that list is empty), with a wildcard only as the whole first label.
/// </description></item>
/// </list>
/// <para>
/// Failures carry their RFC 8460 result type: <c>certificate-host-mismatch</c>, <c>certificate-expired</c> (also for
/// "not yet valid"), <c>certificate-not-trusted</c>, <c>tlsa-invalid</c> (no TLSA record matched) or
/// <c>validation-failure</c> (no certificate, internal error). Chain checks made here never download certificates and
/// use the system clock, as the TLS stack does.
/// </para>
/// </remarks>
public static class CertificateValidator
{
    /// <summary>
    /// A callback for <see cref="SslStream"/> (<see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/>)
    /// and MailKit (<c>ServerCertificateValidationCallback</c>) that applies the requirement.
    /// </summary>
    /// <remarks>
    /// The requirement is read once, here: later changes to its collections are not seen. The callback keeps no state
    /// between calls and may serve many connections at once. It ignores its
    /// <c>sender</c> argument (MailKit passes the host name, SslStream itself) and checks against
    /// <see cref="CertificateRequirement.MxHost"/>. It returns <see langword="false"/> only for <see cref="CertificateVerdict.Rejected"/>: with
    /// <see cref="CertificateRequirement.Enforce"/> = <see langword="false"/> a failure is reported to the observer and the
    /// handshake goes ahead. It never throws: an exception from the check, or from the observer, becomes a
    /// <c>validation-failure</c> result (passed once more to the observer, whose exceptions are then ignored) and
    /// rejects the certificate when enforcing.
    /// </remarks>
    /// <param name="requirement">What the certificate must satisfy.</param>
    /// <param name="observer">Called with the result of every check (for logging and TLS-RPT); may be <see langword="null"/>.</param>
    /// <returns>The callback.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="requirement"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The requirement has no <see cref="CertificateRequirement.MxHost"/>, a
    /// <see langword="null"/> collection, or an undefined <see cref="CertificateRequirement.Authentication"/>.</exception>
    public static RemoteCertificateValidationCallback CreateCallback(CertificateRequirement requirement, Action<CertificateValidationResult>? observer = null)
    {
        var check = PreparedRequirement.Prepare(requirement);
        return (_, certificate, chain, sslPolicyErrors) =>
        {
            CertificateValidationResult result;
            try
            {
                result = check.Validate(certificate, chain, sslPolicyErrors);
            }
#pragma warning disable CA1031 // The callback runs inside the TLS handshake: every failure must become a verdict.
            catch (Exception e)
            {
                result = check.Error(e);
            }

            if (observer is null)
            {
                return result.Verdict != CertificateVerdict.Rejected;
            }

            try
            {
                observer(result);
                return result.Verdict != CertificateVerdict.Rejected;
            }
            catch (Exception e)
            {
                var failure = check.Error(e);
                try
                {
                    observer(failure);
                }
                catch (Exception)
                {
                    // The observer failed twice; the verdict stands without it.
                }

                return failure.Verdict != CertificateVerdict.Rejected;
            }
#pragma warning restore CA1031
        };
    }

    /// <summary>Checks a presented certificate (and chain) against a requirement.</summary>
    /// <param name="requirement">What the certificate must satisfy.</param>
    /// <param name="certificate">The leaf certificate presented by the server.</param>
    /// <param name="chain">
    /// The chain as built by the TLS stack, or <see langword="null"/>. Its <see cref="X509ChainPolicy.ExtraStore"/> is
    /// taken as the certificates the server presented (SslStream puts them there); when that is empty, the chain's
    /// elements are. For PKIX, a <see langword="null"/> chain makes the validator build one under the platform roots.
    /// </param>
    /// <param name="sslPolicyErrors">The TLS stack's own verdict: for PKIX its chain part is the platform's trust
    /// decision; its name part is ignored (the name is checked here); DANE ignores it entirely.</param>
    /// <returns>The result; the callback returns <see langword="true"/> unless its <see cref="CertificateValidationResult.Verdict"/> is <see cref="CertificateVerdict.Rejected"/>. A certificate
    /// the platform cannot process gives a <c>validation-failure</c> result rather than an exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="requirement"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The requirement has no <see cref="CertificateRequirement.MxHost"/>, a
    /// <see langword="null"/> collection, or an undefined <see cref="CertificateRequirement.Authentication"/>.</exception>
    public static CertificateValidationResult Validate(CertificateRequirement requirement, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors sslPolicyErrors)
    {
        using var check = PreparedRequirement.Prepare(requirement);
        try
        {
            return check.Validate(certificate, chain, sslPolicyErrors);
        }
#pragma warning disable CA1031 // A certificate the platform cannot process is an outcome, not a crash.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return check.Error(e);
        }
    }
}
