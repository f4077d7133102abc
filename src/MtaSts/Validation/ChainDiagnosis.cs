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
    /// Classifies the problems of the first <paramref name="count"/> elements of a built chain (the whole chain when
    /// <paramref name="count"/> is its length, plus the chain-wide status then). Trust problems come first
    /// (<c>certificate-not-trusted</c>), then validity periods (<c>certificate-expired</c>).
    /// </summary>
    /// <param name="chain">The built chain.</param>
    /// <param name="count">How many elements, from the leaf up, to look at.</param>
    /// <param name="anchorIndex">An element whose trust-anchor problems (<see cref="AnchorFlags"/>, its own validity and
    /// signature) are ignored because it was chosen as the trust anchor, or -1.</param>
    /// <returns>The failure, or <see langword="null"/> when the looked-at part of the chain is sound.</returns>
    public static CertificateFailure? Diagnose(X509Chain chain, int count, int anchorIndex = -1)
    {
        var elements = chain.ChainElements;
        X509ChainElement? untrusted = null;
        var untrustedFlags = X509ChainStatusFlags.NoError;
        X509ChainElement? timeInvalid = null;
        for (var i = 0; i < count && i < elements.Count; i++)
        {
            var element = elements[i];
            var flags = Flags(element.ChainElementStatus);
            if (i == anchorIndex)
            {
                flags &= ~(AnchorFlags | TimeFlags | X509ChainStatusFlags.NotSignatureValid);
            }

            if (untrusted is null && (flags & ~TimeFlags) != 0)
            {
                untrusted = element;
                untrustedFlags = flags & ~TimeFlags;
            }

            if (timeInvalid is null && (flags & TimeFlags) != 0)
            {
                timeInvalid = element;
            }
        }

        if (anchorIndex < 0 && count >= elements.Count)
        {
            // Problems the platform reports for the chain as a whole only.
            var chainFlags = Flags(chain.ChainStatus);
            if (untrusted is null && (chainFlags & ~TimeFlags) != 0)
            {
                untrusted = elements.Count > 0 ? elements[^1] : null;
                untrustedFlags = chainFlags & ~TimeFlags;
            }

            if (timeInvalid is null && (chainFlags & TimeFlags) != 0 && elements.Count > 0)
            {
                timeInvalid = elements[0];
            }
        }

        if (untrustedFlags != X509ChainStatusFlags.NoError)
        {
            var subject = untrusted?.Certificate.Subject ?? "?";
            var detail = untrusted?.ChainElementStatus.FirstOrDefault(s => (s.Status & untrustedFlags) != 0).StatusInformation?.Trim();
            return new CertificateFailure(
                CertificateResultTypes.NotTrusted,
                string.IsNullOrEmpty(detail)
                    ? $"certificate chain not trusted: {untrustedFlags} at '{subject}'"
                    : $"certificate chain not trusted: {untrustedFlags} at '{subject}' ({detail})");
        }

        return timeInvalid is null ? null : Expired(timeInvalid.Certificate, chain.ChainPolicy.VerificationTime);
    }

    private static CertificateFailure Expired(X509Certificate2 certificate, DateTime verificationTime)
    {
        var at = verificationTime.ToUniversalTime();
        var notBefore = certificate.NotBefore.ToUniversalTime();
        var notAfter = certificate.NotAfter.ToUniversalTime();
        var reason = at < notBefore
            ? string.Create(CultureInfo.InvariantCulture, $"certificate '{certificate.Subject}' is not valid before {notBefore:u}")
            : string.Create(CultureInfo.InvariantCulture, $"certificate '{certificate.Subject}' expired at {notAfter:u}");
        return new CertificateFailure(CertificateResultTypes.Expired, reason);
    }
}
