using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Tests.Fakes;

/// <summary>Certificates made with <see cref="CertificateRequest"/> for the certificate-check tests.</summary>
internal static class TestCertificates
{
    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    /// <summary>A self-signed CA certificate with its private key, valid from 30 days ago for 10 years.</summary>
    public static X509Certificate2 CreateRoot(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(Now.AddDays(-30), Now.AddYears(10));
    }

    /// <summary>An intermediate CA issued by <paramref name="issuer"/>, with its private key.</summary>
    public static X509Certificate2 CreateIntermediate(X509Certificate2 issuer, string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using X509Certificate2 certificate = request.Create(issuer, Now.AddDays(-20), Now.AddYears(5), Serial());
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// A server certificate issued by <paramref name="issuer"/> (or self-signed when null), with the subject CN
    /// <paramref name="commonName"/> (none when null) and the SAN dNSNames <paramref name="dnsNames"/> (no SAN when empty).
    /// </summary>
    public static X509Certificate2 CreateLeaf(X509Certificate2? issuer, string? commonName, string[] dnsNames, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(commonName is null ? "O=MtaSts Tests" : $"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        if (dnsNames.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (string name in dnsNames)
            {
                san.AddDnsName(name);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        DateTimeOffset from = notBefore ?? Now.AddDays(-1);
        DateTimeOffset to = notAfter ?? Now.AddDays(90);
        if (issuer is null)
        {
            return request.CreateSelfSigned(from, to);
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using X509Certificate2 certificate = request.Create(issuer, from, to, Serial());
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>What the platform would hand the callback: the chain built under the system roots, and its verdict.</summary>
    public static (X509Chain Chain, System.Net.Security.SslPolicyErrors Errors) PlatformChain(X509Certificate2 leaf, params X509Certificate2[] sentByServer)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ExtraStore.AddRange(sentByServer);
        bool ok = chain.Build(leaf);
        return (chain, ok ? System.Net.Security.SslPolicyErrors.None : System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors);
    }

    private static byte[] Serial() => RandomNumberGenerator.GetBytes(16);
}
