using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts;

/// <summary>Checks SMTP server certificates against a <see cref="CertificateRequirement"/> (MTA-STS PKIX, DANE-EE, DANE-TA).</summary>
public static class CertificateValidator
{
    /// <summary>
    /// A callback for <see cref="SslStream"/> (<see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/>)
    /// and MailKit (<c>ServerCertificateValidationCallback</c>) that applies the requirement.
    /// </summary>
    /// <param name="requirement">What the certificate must satisfy.</param>
    /// <param name="observer">Called with the result of every check (for logging and TLS-RPT); may be <see langword="null"/>.</param>
    /// <returns>The callback.</returns>
    public static RemoteCertificateValidationCallback CreateCallback(CertificateRequirement requirement, Action<CertificateValidationResult>? observer = null) =>
        throw new NotImplementedException();

    /// <summary>Checks a presented certificate (and chain) against a requirement.</summary>
    /// <param name="requirement">What the certificate must satisfy.</param>
    /// <param name="certificate">The leaf certificate presented by the server.</param>
    /// <param name="chain">The chain as built by the TLS stack (its ChainElements/ExtraStore carry the presented intermediates), or <see langword="null"/>.</param>
    /// <param name="sslPolicyErrors">The TLS stack's own verdict.</param>
    /// <returns>The result; <see cref="CertificateValidationResult.Accepted"/> is what the callback returns.</returns>
    public static CertificateValidationResult Validate(CertificateRequirement requirement, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors sslPolicyErrors) =>
        throw new NotImplementedException();
}
