using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Testing;

/// <summary>A throwaway certificate authority that mints per-host server certificates for loopback tests.</summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private TestCertificateAuthority()
    {
        throw new NotImplementedException();
    }

    /// <summary>Creates an authority with a new self-signed root (and a second, untrusted root for <see cref="TestCertificateKind.Untrusted"/>).</summary>
    /// <param name="name">The root's common name.</param>
    /// <returns>The authority.</returns>
    public static TestCertificateAuthority Create(string name = "MtaSts Test Root") => throw new NotImplementedException();

    /// <summary>The root certificate, public part only: add it to <see cref="MtaStsOptions.AdditionalTrustedRoots"/>.</summary>
    public X509Certificate2 RootCertificate => throw new NotImplementedException();

    /// <summary>Mints (and caches) a server certificate with its private key.</summary>
    /// <param name="host">The host name the certificate is for.</param>
    /// <param name="kind">The problem to build in, if any.</param>
    /// <returns>A certificate usable by a TLS server.</returns>
    public X509Certificate2 GetServerCertificate(string host, TestCertificateKind kind = TestCertificateKind.Valid) => throw new NotImplementedException();

    /// <inheritdoc/>
    public void Dispose() => throw new NotImplementedException();
}
