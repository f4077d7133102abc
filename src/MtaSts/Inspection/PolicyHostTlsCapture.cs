using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Validation;

namespace MtaSts.Inspection;

/// <summary>
/// Keeps what the policy fetcher's TLS handshake saw (version, certificate, chain) per policy host. The fetcher
/// discards these facts on success; the inspection wraps the certificate callback of the library's own strict handler,
/// so the sender's rules still decide and the inspection only watches.
/// </summary>
internal sealed class PolicyHostTlsCapture
{
    private readonly ConcurrentDictionary<string, CapturedTls> _seen = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Puts the watch in front of <paramref name="handler"/>'s certificate callback (before the handler is first used).</summary>
    public SocketsHttpHandler Wrap(SocketsHttpHandler handler)
    {
        var inner = handler.SslOptions.RemoteCertificateValidationCallback
            ?? throw new InvalidOperationException("the policy handler has no certificate callback");
        handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            Record(sender, certificate, chain);
            return inner(sender, certificate, chain, errors);
        };
        return handler;
    }

    /// <summary>Forgets what was seen for <paramref name="host"/> (before a fresh fetch).</summary>
    public void Forget(string host) => _seen.TryRemove(host, out _);

    /// <summary>What the last handshake with <paramref name="host"/> saw, or <see langword="null"/>.</summary>
    public CapturedTls? Get(string host) => _seen.TryGetValue(host, out var seen) ? seen : null;

    private void Record(object? sender, X509Certificate? certificate, X509Chain? chain)
    {
        if (sender is not SslStream stream || string.IsNullOrEmpty(stream.TargetHostName))
        {
            return;
        }

        SslProtocols? protocol = null;
        try
        {
            protocol = stream.SslProtocol is SslProtocols.None ? null : stream.SslProtocol;
        }
        catch (InvalidOperationException)
        {
            // Not known yet on this platform: the version stays unknown.
        }

        _seen[stream.TargetHostName] = new CapturedTls(protocol, certificate is null ? null : Describe(certificate, chain));
    }

    /// <summary>The facts of <paramref name="certificate"/>, copied (the chain is disposed after the callback).</summary>
    internal static InspectedCertificate? Describe(X509Certificate certificate, X509Chain? chain)
    {
        try
        {
            using var owned = certificate is X509Certificate2 ? null : new X509Certificate2(certificate);
            var leaf = certificate as X509Certificate2 ?? owned!;
            var subjects = new List<string>();
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements)
                {
                    subjects.Add(Diagnostics.EvidenceText.Cap(element.Certificate.Subject, 200));
                }
            }

            if (subjects.Count == 0)
            {
                subjects.Add(Diagnostics.EvidenceText.Cap(leaf.Subject, 200));
            }

            return new InspectedCertificate(
                Diagnostics.EvidenceText.Cap(leaf.Subject, 200),
                Diagnostics.EvidenceText.Cap(leaf.Issuer, 200),
                CertificateNames.DnsNames(leaf).Take(20).Select(static n => Diagnostics.EvidenceText.Cap(n, 253)).ToList(),
                new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero),
                new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero),
                subjects);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}

/// <summary>What one TLS handshake with a policy host showed.</summary>
internal sealed record CapturedTls(SslProtocols? Protocol, InspectedCertificate? Certificate);
