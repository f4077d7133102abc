using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

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
/// Revocation is not checked: RFC 8461 §3.3 makes it a MAY (STS-3.3-e), and an OCSP/CRL fetch would make every policy
/// fetch depend on a third party being reachable, which an MTA behind a strict firewall often cannot do.
/// </remarks>
internal static class PolicyHostCertificateValidator
{
    /// <summary>The reason code of a certificate that does not name the host.</summary>
    public const string NameMismatch = "certificate-name-mismatch";

    /// <summary>The reason code of a certificate that does not chain to a trusted root.</summary>
    public const string Untrusted = "certificate-untrusted";

    /// <summary>The reason code of an expired or not yet valid certificate.</summary>
    public const string Expired = "certificate-expired";

    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const int MaxNamesShown = 8;

    /// <summary>Judges a certificate presented by the policy host.</summary>
    /// <param name="leaf">The server's certificate.</param>
    /// <param name="presentedChain">The chain the platform built (its extra store holds the certificates the server sent).</param>
    /// <param name="errors">What the platform found. Its name check is ignored: ours is stricter (SAN only).</param>
    /// <param name="host">The policy host name, <c>mta-sts.&lt;domain&gt;</c>.</param>
    /// <param name="extraRoots">Additional trust anchors; used only when the platform found chain errors.</param>
    public static CertificateCheck Validate(X509Certificate2? leaf, X509Chain? presentedChain, SslPolicyErrors errors, string host, X509Certificate2Collection extraRoots)
    {
        if (leaf is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return new CertificateCheck(false, "the server presented no certificate", Untrusted);
        }

        (string? chainProblem, string? chainReason) = (null, null);
        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            (chainProblem, chainReason) = extraRoots.Count > 0
                ? CheckAgainstExtraRoots(leaf, presentedChain, extraRoots)
                : presentedChain is null
                    ? ("the certificate chain could not be built", Untrusted)
                    : Describe(presentedChain);
        }

        string? nameProblem = CheckName(leaf, host);
        if (chainProblem is null && nameProblem is null)
        {
            return CertificateCheck.Valid;
        }

        string problem = chainProblem is null ? nameProblem! : nameProblem is null ? chainProblem : chainProblem + "; " + nameProblem;
        return new CertificateCheck(false, problem, chainReason ?? NameMismatch);
    }

    private static (string? Problem, string? Reason) CheckAgainstExtraRoots(X509Certificate2 leaf, X509Chain? presentedChain, X509Certificate2Collection extraRoots)
    {
        using var chain = new X509Chain();
        X509ChainPolicy policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(extraRoots);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.ApplicationPolicy.Add(new Oid(ServerAuthOid));
        if (presentedChain is not null)
        {
            // The intermediates the server sent (the platform puts them in its extra store) and those it found.
            policy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
            foreach (X509ChainElement element in presentedChain.ChainElements)
            {
                if (!element.Certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
                {
                    policy.ExtraStore.Add(element.Certificate);
                }
            }
        }

        try
        {
            return chain.Build(leaf) ? (null, null) : Describe(chain);
        }
        catch (CryptographicException ex)
        {
            return ($"the certificate chain could not be built: {ex.Message}", Untrusted);
        }
    }

    /// <summary>Turns a failed chain into words: untrusted or incomplete chain, expiry, other status flags.</summary>
    internal static (string Problem, string Reason) Describe(X509Chain chain)
    {
        var parts = new List<string>();
        string? reason = null;
        X509ChainStatusFlags flags = X509ChainStatusFlags.NoError;
        foreach (X509ChainStatus status in chain.ChainStatus)
        {
            flags |= status.Status;
        }

        int count = chain.ChainElements.Count;
        X509Certificate2? top = count > 0 ? chain.ChainElements[count - 1].Certificate : null;
        if ((flags & X509ChainStatusFlags.UntrustedRoot) != 0)
        {
            parts.Add($"untrusted root ({top?.Subject ?? "unknown"})");
            reason = Untrusted;
        }

        if ((flags & X509ChainStatusFlags.PartialChain) != 0)
        {
            parts.Add($"incomplete chain: no trusted issuer found for {top?.Subject ?? "the certificate"} (issuer {top?.Issuer ?? "unknown"})");
            reason ??= Untrusted;
        }

        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            DateTime at = chain.ChainPolicy.VerificationTime;
            for (int i = 0; i < count; i++)
            {
                X509ChainElement element = chain.ChainElements[i];
                if (!HasFlag(element, X509ChainStatusFlags.NotTimeValid))
                {
                    continue;
                }

                X509Certificate2 certificate = element.Certificate;
                string which = i == 0 ? string.Empty : $" of chain certificate {certificate.Subject}";
                parts.Add(certificate.NotBefore > at
                    ? $"not yet valid{which} (NotBefore {Utc(certificate.NotBefore)})"
                    : $"expired{which} (NotAfter {Utc(certificate.NotAfter)})");
                break;
            }

            reason ??= Expired;
        }

        X509ChainStatusFlags rest = flags & ~(X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.NotTimeValid);
        if (rest != X509ChainStatusFlags.NoError)
        {
            parts.Add((rest & X509ChainStatusFlags.NotValidForUsage) != 0
                ? $"not valid for server authentication (chain status {rest})"
                : $"chain status {rest}");
            reason ??= Untrusted;
        }

        if (parts.Count == 0)
        {
            parts.Add("the certificate chain is not valid");
        }

        return (string.Join("; ", parts), reason ?? Untrusted);
    }

    /// <summary>Returns <see langword="null"/> when a SAN dNSName covers the host (CN never used), else the mismatch in words.</summary>
    internal static string? CheckName(X509Certificate2 leaf, string host)
    {
        bool matches;
        try
        {
            matches = leaf.MatchesHostname(host, allowWildcards: true, allowCommonName: false);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            matches = false;
        }

        if (matches)
        {
            return null;
        }

        List<string> names = DnsNames(leaf);
        if (names.Count == 0)
        {
            return $"name mismatch: the certificate has no SAN dNSName (subject {leaf.Subject}; the common name is not used) so it does not cover {host}";
        }

        string shown = string.Join(", ", names.Take(MaxNamesShown)) + (names.Count > MaxNamesShown ? ", …" : string.Empty);
        string hint = names.Exists(n => n.Contains('*', StringComparison.Ordinal) && !(n.StartsWith("*.", StringComparison.Ordinal) && n.LastIndexOf('*') == 0))
            ? " (a wildcard is allowed only as the whole left-most label)"
            : string.Empty;
        return $"name mismatch: certificate SAN [{shown}] does not cover {host}{hint}";
    }

    private static List<string> DnsNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != "2.5.29.17")
            {
                continue;
            }

            try
            {
                var san = extension as X509SubjectAlternativeNameExtension ?? new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
                names.AddRange(san.EnumerateDnsNames());
            }
            catch (CryptographicException)
            {
                // A malformed SAN names nothing.
            }
        }

        return names;
    }

    private static bool HasFlag(X509ChainElement element, X509ChainStatusFlags flag)
    {
        foreach (X509ChainStatus status in element.ChainElementStatus)
        {
            if ((status.Status & flag) != 0)
            {
                return true;
            }
        }

        return false;
    }

    private static string Utc(DateTime time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
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
