using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Validation;

namespace MtaSts.Fetching;

/// <summary>The verdict on a policy host certificate.</summary>
/// <param name="IsValid">Whether the certificate is accepted.</param>
/// <param name="Problem">What is wrong, in one line, when it is not.</param>
/// <param name="ReasonCode"><c>certificate-name-mismatch</c>, <c>certificate-untrusted</c> or <c>certificate-expired</c> when it is not.</param>
internal readonly record struct CertificateCheck(bool IsValid, string? Problem, string? ReasonCode)
{
    public static CertificateCheck Valid => new(true, null, null);
}

/// <summary>
/// The certificate rules for the policy host (RFC 8461 §3.3): a chain to a trusted root (the platform's, or one of
/// <see cref="MtaStsOptions.AdditionalTrustedRoots"/>), not expired, and a SAN dNSName covering the host, with a
/// wildcard only as the whole left-most label (STS-3.3-a, STS-3.3-c, STS-3.3-d). The subject CN is never used.
/// </summary>
/// <remarks>
/// <para>
/// The check itself is the PKIX check of the MX certificate validator (<see cref="PkixVerifier"/>); this class takes its
/// reason codes and reports a chain problem and a name problem together.
/// </para>
/// <para>
/// Revocation is not checked: RFC 8461 §3.3 makes it a MAY (STS-3.3-e), and an OCSP/CRL fetch would make every policy
/// fetch depend on a third party being reachable, which an MTA behind a strict firewall often cannot do.
/// </para>
/// </remarks>
internal static class PolicyHostCertificateValidator
{
    /// <summary>The reason code of a certificate that does not name the host.</summary>
    public const string NameMismatch = "certificate-name-mismatch";

    /// <summary>The reason code of a certificate that does not chain to a trusted root.</summary>
    public const string Untrusted = "certificate-untrusted";

    /// <summary>The reason code of an expired or not yet valid certificate.</summary>
    public const string Expired = "certificate-expired";

    /// <summary>Judges a certificate presented by the policy host, with the PKIX check of <see cref="CertificateValidator"/>.</summary>
    /// <param name="leaf">The server's certificate.</param>
    /// <param name="presentedChain">The chain the platform built (its extra store holds the certificates the server sent).</param>
    /// <param name="errors">What the platform found. Its name check is ignored: ours is stricter (SAN only).</param>
    /// <param name="host">The policy host name, <c>mta-sts.&lt;domain&gt;</c>.</param>
    /// <param name="extraRoots">Additional trust anchors; used only when the platform found chain errors.</param>
    /// <returns>The verdict; a chain problem and a name problem are both reported, the chain's deciding the reason code.</returns>
    public static CertificateCheck Validate(X509Certificate2? leaf, X509Chain? presentedChain, SslPolicyErrors errors, string host, X509Certificate2Collection extraRoots)
    {
        if (leaf is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return new CertificateCheck(false, "the server presented no certificate", Untrusted);
        }

        PkixFindings findings;
        try
        {
            // Without a chain the platform's verdict in errors stands: there is nothing of the server's to build from.
            findings = PkixVerifier.Verify(leaf, presentedChain, errors, host, [.. extraRoots], buildMissingChain: false);
        }
        catch (CryptographicException ex)
        {
            return new CertificateCheck(false, $"the certificate chain could not be built ({ex.GetType().Name})", TlsRptReasonCodes.CertificateChainInvalid);
        }

        if (findings.Passed)
        {
            return CertificateCheck.Valid;
        }

        var decisive = (findings.Chain ?? findings.Name)!;
        string problem = findings.Chain is { } chain && findings.Name is { } name ? chain.Reason + "; " + name.Reason : decisive.Reason;
        return new CertificateCheck(false, problem, decisive.ReasonCode);
    }
}

/// <summary>
/// Thrown by the policy handler's certificate callback so that the precise problem travels, as the inner exception of
/// the <see cref="HttpRequestException"/> (<see cref="HttpRequestError.SecureConnectionError"/>), to the fetcher's evidence.
/// </summary>
/// <remarks>
/// With a bare <see cref="SocketsHttpHandler"/> the callback's <c>sender</c> is the <see cref="SslStream"/>, not the
/// request, so there is no request to attach the problem to; an exception is the one channel that reaches the caller.
/// </remarks>
internal sealed class PolicyHostCertificateException : AuthenticationException
{
    public PolicyHostCertificateException()
        : this("the certificate was rejected", PolicyHostCertificateValidator.Untrusted)
    {
    }

    public PolicyHostCertificateException(string message)
        : this(message, PolicyHostCertificateValidator.Untrusted)
    {
    }

    public PolicyHostCertificateException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = message;
        ReasonCode = PolicyHostCertificateValidator.Untrusted;
    }

    public PolicyHostCertificateException(string problem, string reasonCode)
        : base("The policy host's certificate was rejected: " + problem)
    {
        Problem = problem;
        ReasonCode = reasonCode;
    }

    /// <summary>What is wrong with the certificate, in one line.</summary>
    public string Problem { get; }

    /// <summary>The short reason code for the evidence.</summary>
    public string ReasonCode { get; }
}
