using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Validation;

/// <summary>Builds X.509 chains the way the validator needs them and turns their status into RFC 8460 failures.</summary>
internal static class ChainDiagnosis
{
    /// <summary>The validity-period problems: classified as <c>certificate-expired</c>.</summary>
    public const X509ChainStatusFlags TimeFlags = X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.NotTimeNested;

    /// <summary>The problems that mean the chain did not end at a trusted anchor.</summary>
    public const X509ChainStatusFlags AnchorFlags = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain;

    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>
    /// A chain that trusts exactly <paramref name="anchors"/> (or the platform roots when empty), completes the path
    /// from <paramref name="intermediates"/> only (no downloads), skips revocation (RFC 8461 §4.2 makes it optional), and
    /// requires the server-authentication purpose where the certificates restrict purposes.
    /// </summary>
    /// <param name="anchors">The only trusted roots, or empty for the platform's.</param>
    /// <param name="intermediates">The certificates the server presented.</param>
    /// <returns>A chain to build and dispose.</returns>
    public static X509Chain Create(ReadOnlySpan<X509Certificate2> anchors, IReadOnlyList<X509Certificate2> intermediates)
    {
        var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        if (!anchors.IsEmpty)
        {
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            foreach (var anchor in anchors)
            {
                policy.CustomTrustStore.Add(anchor);
            }
        }

        foreach (var certificate in intermediates)
        {
            policy.ExtraStore.Add(certificate);
        }

        policy.DisableCertificateDownloads = true;
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.ApplicationPolicy.Add(new Oid(ServerAuthentication, null));
        return chain;
    }

    /// <summary>Disposes the certificates a built chain created, leaving alone the ones the caller owns.</summary>
    /// <param name="chain">The chain.</param>
    /// <param name="owned">Certificates the caller passed in.</param>
    /// <param name="alsoOwned">More certificates the caller passed in.</param>
    public static void DisposeElements(X509Chain chain, X509Certificate2 owned, IReadOnlyList<X509Certificate2> alsoOwned)
    {
        foreach (var element in chain.ChainElements)
        {
            var certificate = element.Certificate;
            if (!ReferenceEquals(certificate, owned) && !alsoOwned.Any(c => ReferenceEquals(c, certificate)))
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>The union of a status array.</summary>
    /// <param name="statuses">The statuses.</param>
    /// <returns>The flags.</returns>
    public static X509ChainStatusFlags Flags(X509ChainStatus[] statuses)
    {
        var flags = X509ChainStatusFlags.NoError;
        foreach (var status in statuses)
        {
            flags |= status.Status;
        }

        return flags;
    }

    /// <summary>
    /// The certificates the server sent besides the leaf: SslStream hands them over in the chain's ExtraStore. A chain
    /// built elsewhere, with an empty ExtraStore, stands for them with its elements.
    /// </summary>
    /// <param name="leaf">The server certificate.</param>
    /// <param name="chain">The TLS stack's chain, or <see langword="null"/>.</param>
    /// <returns>The presented certificates, without the leaf and without duplicates.</returns>
    public static List<X509Certificate2> Presented(X509Certificate2 leaf, X509Chain? chain)
    {
        var presented = new List<X509Certificate2>();
        if (chain is null)
        {
            return presented;
        }

        var extra = chain.ChainPolicy.ExtraStore;
        IEnumerable<X509Certificate2> source = extra.Count > 0 ? extra : chain.ChainElements.Select(e => e.Certificate);
        foreach (var certificate in source)
        {
            if (!SameCertificate(certificate, leaf) && !presented.Exists(c => SameCertificate(c, certificate)))
            {
                presented.Add(certificate);
            }
        }

        return presented;
    }

    /// <summary>Whether two certificate objects hold the same certificate.</summary>
    /// <param name="a">One.</param>
    /// <param name="b">The other.</param>
    /// <returns>Whether their encodings are equal.</returns>
    public static bool SameCertificate(X509Certificate2 a, X509Certificate2 b) =>
        ReferenceEquals(a, b) || a.RawDataMemory.Span.SequenceEqual(b.RawDataMemory.Span);

    /// <summary>
    /// Classifies the problems of the first <paramref name="count"/> elements of a built chain (the whole chain when
    /// <paramref name="count"/> is its length, plus the chain-wide status then), and puts them in one line: untrusted
    /// root, incomplete chain, expiry (of the first certificate concerned), other status flags. Trust problems decide
    /// the type (<c>certificate-not-trusted</c>) over validity periods (<c>certificate-expired</c>).
    /// </summary>
    /// <param name="chain">The built chain.</param>
    /// <param name="count">How many elements, from the leaf up, to look at.</param>
    /// <param name="anchorIndex">An element whose trust-anchor problems (<see cref="AnchorFlags"/>, its own validity and
    /// signature) are ignored because it was chosen as the trust anchor, or -1.</param>
    /// <returns>The failure, or <see langword="null"/> when the looked-at part of the chain is sound.</returns>
    public static CertificateFailure? Diagnose(X509Chain chain, int count, int anchorIndex = -1)
    {
        var elements = chain.ChainElements;
        var end = Math.Min(count, elements.Count);
        var flags = X509ChainStatusFlags.NoError;
        var timeIndex = -1;
        var otherIndex = -1;
        for (var i = 0; i < end; i++)
        {
            var elementFlags = Flags(elements[i].ChainElementStatus);
            if (i == anchorIndex)
            {
                elementFlags &= ~(AnchorFlags | TimeFlags | X509ChainStatusFlags.NotSignatureValid);
            }

            flags |= elementFlags;
            if (timeIndex < 0 && (elementFlags & TimeFlags) != 0)
            {
                timeIndex = i;
            }

            if (otherIndex < 0 && (elementFlags & ~(AnchorFlags | TimeFlags)) != 0)
            {
                otherIndex = i;
            }
        }

        if (anchorIndex < 0 && count >= elements.Count)
        {
            // Problems the platform reports for the chain as a whole only.
            var chainFlags = Flags(chain.ChainStatus);
            if (timeIndex < 0 && (chainFlags & TimeFlags) != 0 && elements.Count > 0)
            {
                timeIndex = 0;
            }

            flags |= chainFlags;
        }

        if (flags == X509ChainStatusFlags.NoError)
        {
            return null;
        }

        var parts = new List<string>();
        var top = end > 0 ? elements[end - 1].Certificate : null;
        if ((flags & X509ChainStatusFlags.UntrustedRoot) != 0)
        {
            parts.Add($"untrusted root ({top?.Subject ?? "unknown"})");
        }

        if ((flags & X509ChainStatusFlags.PartialChain) != 0)
        {
            parts.Add($"incomplete chain: no trusted issuer found for {top?.Subject ?? "the certificate"} (issuer {top?.Issuer ?? "unknown"})");
        }

        if (timeIndex >= 0)
        {
            parts.Add(Expired(elements[timeIndex].Certificate, timeIndex, chain.ChainPolicy.VerificationTime));
        }

        var rest = flags & ~(AnchorFlags | TimeFlags);
        if (rest != X509ChainStatusFlags.NoError)
        {
            var where = otherIndex > 0 ? $" at {elements[otherIndex].Certificate.Subject}" : string.Empty;
            parts.Add((rest & X509ChainStatusFlags.NotValidForUsage) != 0
                ? $"not valid for server authentication (chain status {rest}){where}"
                : $"chain status {rest}{where}");
        }

        if (parts.Count == 0)
        {
            parts.Add("the certificate chain is not valid");
        }

        var resultType = (flags & ~TimeFlags) != 0 ? CertificateResultTypes.NotTrusted : CertificateResultTypes.Expired;
        return new CertificateFailure(resultType, string.Join("; ", parts), ReasonCode(flags, timeIndex >= 0));
    }

    /// <summary>The reason code of the most telling problem: trust first, then usage, other chain faults, dates.</summary>
    private static string ReasonCode(X509ChainStatusFlags flags, bool timeProblem)
    {
        // A chain that stops short of a trusted root (PartialChain) is, to the sender, one it cannot trust: OpenSSL reports
        // an unknown private root that the server did not send this way, so it gets the same code as UntrustedRoot.
        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0)
        {
            return TlsRptReasonCodes.CertificateUntrusted;
        }

        var rest = flags & ~(AnchorFlags | TimeFlags);
        if ((rest & X509ChainStatusFlags.NotValidForUsage) != 0)
        {
            return TlsRptReasonCodes.CertificateUsageInvalid;
        }

        return rest != X509ChainStatusFlags.NoError || !timeProblem ? TlsRptReasonCodes.CertificateChainInvalid : TlsRptReasonCodes.CertificateExpired;
    }

    private static string Expired(X509Certificate2 certificate, int index, DateTime verificationTime)
    {
        var which = index == 0 ? string.Empty : $" of chain certificate {certificate.Subject}";
        return certificate.NotBefore.ToUniversalTime() > verificationTime.ToUniversalTime()
            ? $"not yet valid{which} (NotBefore {Utc(certificate.NotBefore)})"
            : $"expired{which} (NotAfter {Utc(certificate.NotAfter)})";
    }

    private static string Utc(DateTime time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
