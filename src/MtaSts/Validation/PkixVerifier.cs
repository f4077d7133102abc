using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Validation;

/// <summary>What a PKIX check found: the chain's problem and the name's problem, each <see langword="null"/> when sound.</summary>
/// <param name="Chain">A <c>certificate-not-trusted</c> or <c>certificate-expired</c> failure, or <see langword="null"/>.</param>
/// <param name="Name">A <c>certificate-host-mismatch</c> failure, or <see langword="null"/>.</param>
internal readonly record struct PkixFindings(CertificateFailure? Chain, CertificateFailure? Name)
{
    /// <summary>Whether the certificate passed both checks.</summary>
    public bool Passed => Chain is null && Name is null;
}

/// <summary>
/// The one PKIX check (RFC 8461 §3.3 for the policy host, §4.2 for MX hosts, decision A-9): a chain trusted by the
/// platform (the TLS stack's verdict) or leading to one of the additional roots, no certificate of it expired or not yet
/// valid, and a SAN dNSName covering the host with a wildcard only as the whole left-most label; the subject CN is never
/// used. Revocation is not checked (a MAY in both sections).
/// </summary>
/// <remarks>Used by <see cref="CertificateValidator"/> for <see cref="MxAuthentication.Pkix"/> and by the policy fetch.</remarks>
internal static class PkixVerifier
{
    private const int NamesShown = 8;

    private static readonly CertificateFailure StackRefused = new(CertificateResultTypes.NotTrusted, "the TLS stack reported certificate chain errors", TlsRptReasonCodes.CertificateChainInvalid);

    /// <summary>Checks the chain and the name; both are always looked at, so a caller may report both problems.</summary>
    /// <param name="leaf">The server certificate.</param>
    /// <param name="chain">The TLS stack's chain (its ExtraStore holds what the server sent), or <see langword="null"/>.</param>
    /// <param name="errors">The TLS stack's verdict; only its chain part is used.</param>
    /// <param name="host">The reference identifier.</param>
    /// <param name="additionalRoots">Roots trusted besides the platform's.</param>
    /// <param name="buildMissingChain">
    /// Without a chain: <see langword="true"/> builds one under the platform roots; <see langword="false"/> takes the
    /// TLS stack's verdict in <paramref name="errors"/> as it is.
    /// </param>
    /// <returns>The findings.</returns>
    /// <exception cref="CryptographicException">The platform could not process a certificate while building a chain.</exception>
    public static PkixFindings Verify(X509Certificate2 leaf, X509Chain? chain, SslPolicyErrors errors, string host, X509Certificate2[] additionalRoots, bool buildMissingChain) =>
        new(CheckChain(leaf, chain, errors, additionalRoots, buildMissingChain), CheckName(leaf, host));

    private static CertificateFailure? CheckChain(X509Certificate2 leaf, X509Chain? chain, SslPolicyErrors errors, X509Certificate2[] additionalRoots, bool buildMissingChain)
    {
        var stackRefused = (errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0;
        List<X509Certificate2>? presented = null;

        // The TLS stack's verdict under the platform roots; our own build when the caller had no chain.
        CertificateFailure? problem;
        if (chain is null && buildMissingChain)
        {
            presented = [];
            problem = BuildAndDiagnose(leaf, presented, [], out _) ?? (stackRefused ? StackRefused : null);
        }
        else if (stackRefused)
        {
            problem = (chain is null ? null : ChainDiagnosis.Diagnose(chain, int.MaxValue)) ?? StackRefused;
        }
        else
        {
            problem = null;
        }

        // The extra roots are trusted besides the platform's: their verdict counts when the chain reaches one of them.
        if (problem is not null && additionalRoots.Length > 0)
        {
            var custom = BuildAndDiagnose(leaf, presented ?? ChainDiagnosis.Presented(leaf, chain), additionalRoots, out var reachedRoot);
            if (custom is null || reachedRoot)
            {
                problem = custom;
            }
        }

        return problem;
    }

    private static CertificateFailure? BuildAndDiagnose(X509Certificate2 leaf, List<X509Certificate2> presented, X509Certificate2[] roots, out bool reachedRoot)
    {
        using var chain = ChainDiagnosis.Create(roots, presented);
        try
        {
            chain.Build(leaf);
            reachedRoot = (ChainDiagnosis.Flags(chain.ChainStatus) & ChainDiagnosis.AnchorFlags) == 0;
            return ChainDiagnosis.Diagnose(chain, int.MaxValue);
        }
        finally
        {
            ChainDiagnosis.DisposeElements(chain, leaf, [.. presented, .. roots]);
        }
    }

    /// <summary>The name check: <see langword="null"/> when a SAN dNSName covers the host, else the mismatch in words.</summary>
    private static CertificateFailure? CheckName(X509Certificate2 leaf, string host)
    {
        bool matches;
        try
        {
            matches = leaf.MatchesHostname(host, allowWildcards: true, allowCommonName: false);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            matches = false;
        }

        if (matches)
        {
            return null;
        }

        var names = CertificateNames.DnsNames(leaf);
        if (names.Count == 0)
        {
            return new CertificateFailure(
                CertificateResultTypes.HostMismatch,
                $"name mismatch: the certificate has no SAN dNSName (subject {leaf.Subject}; the common name is not used) so it does not cover {host}",
                TlsRptReasonCodes.CertificateNameMismatch);
        }

        var shown = string.Join(", ", names.Take(NamesShown)) + (names.Count > NamesShown ? ", …" : string.Empty);
        var hint = names.Exists(n => n.Contains('*', StringComparison.Ordinal) && !(n.StartsWith("*.", StringComparison.Ordinal) && n.LastIndexOf('*') == 0))
            ? " (a wildcard is allowed only as the whole left-most label)"
            : string.Empty;
        return new CertificateFailure(CertificateResultTypes.HostMismatch, $"name mismatch: certificate SAN [{shown}] does not cover {host}{hint}", TlsRptReasonCodes.CertificateNameMismatch);
    }
}
