using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Testing;

/// <summary>
/// A throwaway certificate authority that mints per-host server certificates for loopback tests. Trust it by adding
/// <see cref="RootCertificate"/> to <see cref="MtaStsOptions.AdditionalTrustedRoots"/> (or to an
/// <see cref="X509ChainPolicy.CustomTrustStore"/> with <see cref="X509ChainTrustMode.CustomRootTrust"/>).
/// </summary>
/// <remarks>
/// <para>
/// Keys are ECDSA P-256 unless asked otherwise, so minting is fast (a few milliseconds per certificate on Linux).
/// Server certificates come back with a private key that <c>SslStream</c> and Kestrel can use on Linux, macOS and
/// Windows; on Windows and macOS they are round-tripped through PKCS#12 because those TLS stacks refuse ephemeral keys.
/// </para>
/// <para>
/// Validity periods are taken from <see cref="TimeProvider"/> (the real clock by default). TLS stacks check them against
/// the real clock, so pass a fake time provider only if you know the certificate is checked against the same clock.
/// The root is valid from two years ago to ten years ahead, so expired and not-yet-valid server certificates still
/// chain to it.
/// </para>
/// <para>All members are thread-safe.</para>
/// </remarks>
public sealed class TestCertificateAuthority : IDisposable
{
    /// <summary>The names a <see cref="TestCertificateKind.WrongName"/> certificate is issued for.</summary>
    public const string WrongHostName = "wrong-name.invalid";

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    private readonly TimeProvider _timeProvider;
    private readonly X509Certificate2 _signer;
    private readonly X509Certificate2 _signerPublic;
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _untrustedRoot;
    private readonly X509Certificate2Collection _intermediates;
    private readonly object _gate = new();
    private readonly Dictionary<(string Host, TestCertificateKind Kind), X509Certificate2> _cache = [];
    private readonly List<IDisposable> _owned = [];
    private readonly X509Certificate2 _untrustedRootPublic;
    private bool _disposed;

    private TestCertificateAuthority(
        TimeProvider timeProvider,
        X509Certificate2 signer,
        X509Certificate2 signerPublic,
        X509Certificate2 root,
        X509Certificate2 untrustedRoot,
        X509Certificate2 untrustedRootPublic,
        X509Certificate2Collection intermediates)
    {
        _untrustedRootPublic = untrustedRootPublic;
        _timeProvider = timeProvider;
        _signer = signer;
        _signerPublic = signerPublic;
        _root = root;
        _untrustedRoot = untrustedRoot;
        _intermediates = intermediates;
    }

    /// <summary>Creates an authority with a new self-signed root (and a second, untrusted root for <see cref="TestCertificateKind.Untrusted"/>).</summary>
    /// <returns>The authority, with the root's common name <c>MtaSts Test Root</c> and the system clock.</returns>
    public static TestCertificateAuthority Create() => Create("MtaSts Test Root");

    /// <summary>Creates an authority whose validity periods are computed from <paramref name="timeProvider"/>.</summary>
    /// <param name="name">The root's common name.</param>
    /// <param name="timeProvider">The clock that "now" comes from; <see langword="null"/> for the system clock.</param>
    /// <returns>The authority.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public static TestCertificateAuthority Create(string name, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        timeProvider ??= TimeProvider.System;

        var now = timeProvider.GetUtcNow();
        var root = CreateRoot(name, now);
        var untrusted = CreateRoot(name + " (untrusted)", now);
        var publicRoot = PublicOnly(root);
        var publicUntrusted = PublicOnly(untrusted);
        var authority = new TestCertificateAuthority(timeProvider, root, publicRoot, publicRoot, untrusted, publicUntrusted, []);
        authority._owned.Add(root);
        authority._owned.Add(publicRoot);
        authority._owned.Add(untrusted);
        authority._owned.Add(publicUntrusted);
        return authority;
    }

    /// <summary>The root certificate, public part only: add it to <see cref="MtaStsOptions.AdditionalTrustedRoots"/>.</summary>
    public X509Certificate2 RootCertificate => _root;

    /// <summary>The certificate that signs this authority's server certificates, public part only: the root, or the intermediate for an authority made by <see cref="CreateIntermediate"/>.</summary>
    public X509Certificate2 SigningCertificate => _signerPublic;

    /// <summary>The root that signs <see cref="TestCertificateKind.Untrusted"/> certificates. Nothing trusts it unless you add it.</summary>
    public X509Certificate2 UntrustedRootCertificate => _untrustedRootPublic;

    /// <summary>
    /// The intermediate certificates between this authority's server certificates and <see cref="RootCertificate"/>, nearest to
    /// the server certificate first; empty for a root authority. A TLS server must send them with its certificate
    /// (<see cref="PolicyHost"/> does).
    /// </summary>
    public X509Certificate2Collection IntermediateCertificates => _intermediates;

    /// <summary>
    /// Creates a subordinate authority: an intermediate CA certificate issued by this authority. Server certificates from the
    /// new authority chain to the same <see cref="RootCertificate"/> through the intermediate.
    /// </summary>
    /// <param name="name">The intermediate's common name.</param>
    /// <returns>The subordinate authority. Dispose it separately; it does not own this authority's roots.</returns>
    /// <exception cref="ObjectDisposedException">The authority has been disposed.</exception>
    public TestCertificateAuthority CreateIntermediate(string name = "MtaSts Test Intermediate")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(DistinguishedName(name), key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_signer, true, false));
            var notBefore = ToOffset(_signer.NotBefore).AddDays(1);
            var notAfter = ToOffset(_signer.NotAfter).AddDays(-1);
            using var issued = request.Create(_signer, notBefore, notAfter, NewSerialNumber());
            using var withKey = issued.CopyWithPrivateKey(key);
            var signer = Reload(withKey);

            var chain = new X509Certificate2Collection { PublicOnly(signer) };
            foreach (var intermediate in _intermediates)
            {
                chain.Add(intermediate);
            }

            var child = new TestCertificateAuthority(_timeProvider, signer, chain[0], _root, _untrustedRoot, _untrustedRootPublic, chain);
            child._owned.Add(signer);
            child._owned.Add(chain[0]);
            return child;
        }
    }

    /// <summary>Mints (and caches) a server certificate with its private key.</summary>
    /// <param name="host">The host name the certificate is for (any case, optional trailing dot).</param>
    /// <param name="kind">The problem to build in, if any.</param>
    /// <returns>A certificate usable by a TLS server. The authority owns it: do not dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="host"/> is empty, or has a single label and <paramref name="kind"/> is <see cref="TestCertificateKind.Wildcard"/>.</exception>
    /// <exception cref="ObjectDisposedException">The authority has been disposed.</exception>
    public X509Certificate2 GetServerCertificate(string host, TestCertificateKind kind = TestCertificateKind.Valid)
    {
        var name = NormalizeHost(host);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_cache.TryGetValue((name, kind), out var cached))
            {
                return cached;
            }

            var certificate = Mint(name, kind);
            _cache[(name, kind)] = certificate;
            _owned.Add(certificate);
            return certificate;
        }
    }

    /// <summary>Mints a new certificate with a private key, valid for one day ago to 90 days ahead, for the given SAN dNSNames.</summary>
    /// <param name="dnsNames">The SAN dNSName entries; none gives a certificate without SAN.</param>
    /// <returns>A new certificate; the caller owns and disposes it.</returns>
    public X509Certificate2 IssueCertificate(params string[] dnsNames)
    {
        ArgumentNullException.ThrowIfNull(dnsNames);
        var options = new TestCertificateOptions();
        foreach (var dnsName in dnsNames)
        {
            options.DnsNames.Add(dnsName);
        }

        return IssueCertificate(options);
    }

    /// <summary>Mints a new server certificate with a private key, exactly as described (not cached).</summary>
    /// <param name="options">The names, validity and key of the certificate.</param>
    /// <returns>A new certificate; the caller owns and disposes it.</returns>
    /// <exception cref="ArgumentException">The validity period is empty or lies outside the issuer's.</exception>
    /// <exception cref="ObjectDisposedException">The authority has been disposed.</exception>
    public X509Certificate2 IssueCertificate(TestCertificateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var now = _timeProvider.GetUtcNow();
        var notBefore = options.NotBefore ?? now.AddDays(-1);
        var notAfter = options.NotAfter ?? now.AddDays(90);
        if (notAfter <= notBefore)
        {
            throw new ArgumentException("NotAfter must be later than NotBefore.", nameof(options));
        }

        var commonName = options.CommonName ?? (options.DnsNames.Count > 0 ? options.DnsNames[0] : "MtaSts test certificate");
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var issuer = options.SelfSigned ? null : options.IssuedByUntrustedRoot ? _untrustedRoot : _signer;
            if (issuer is not null && (notBefore < ToOffset(issuer.NotBefore) || notAfter > ToOffset(issuer.NotAfter)))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The validity period must lie within the issuer's ({issuer.NotBefore:u} to {issuer.NotAfter:u})."),
                    nameof(options));
            }

            return MintLeaf(issuer, commonName, [.. options.DnsNames], [.. options.IPAddresses], notBefore, notAfter, options.KeyAlgorithm);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var owned in _owned)
            {
                owned.Dispose();
            }

            _owned.Clear();
            _cache.Clear();
        }
    }

    internal static string NormalizeHost(string host)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        var name = global::MtaSts.Dns.DnsNames.FromInput(host, nameof(host));
        if (name.Contains(' ', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{host}' is not a host name.", nameof(host));
        }

        return name;
    }

    private X509Certificate2 Mint(string host, TestCertificateKind kind)
    {
        var now = _timeProvider.GetUtcNow();
        var validFrom = now.AddDays(-1);
        var validTo = now.AddDays(90);
        return kind switch
        {
            TestCertificateKind.Valid => MintLeaf(_signer, host, [host], [], validFrom, validTo, TestKeyAlgorithm.EcdsaP256),
            TestCertificateKind.Expired => MintLeaf(_signer, host, [host], [], now.AddDays(-90), now.AddDays(-1), TestKeyAlgorithm.EcdsaP256),
            TestCertificateKind.NotYetValid => MintLeaf(_signer, host, [host], [], now.AddDays(1), now.AddDays(90), TestKeyAlgorithm.EcdsaP256),
            TestCertificateKind.WrongName => MintLeaf(_signer, WrongName(host), [WrongName(host)], [], validFrom, validTo, TestKeyAlgorithm.EcdsaP256),
            TestCertificateKind.CommonNameOnly => MintLeaf(_signer, host, [], [], validFrom, validTo, TestKeyAlgorithm.EcdsaP256),
            TestCertificateKind.Untrusted => MintLeaf(_untrustedRoot, host, [host], [], validFrom, validTo, TestKeyAlgorithm.EcdsaP256),
            TestCertificateKind.SelfSigned => MintLeaf(null, host, [host], [], validFrom, validTo, TestKeyAlgorithm.EcdsaP256),
            TestCertificateKind.Wildcard => MintLeaf(_signer, WildcardFor(host), [WildcardFor(host)], [], validFrom, validTo, TestKeyAlgorithm.EcdsaP256),
            TestCertificateKind.ExpiresSoon => MintLeaf(_signer, host, [host], [], validFrom, now.AddDays(3), TestKeyAlgorithm.EcdsaP256),
            TestCertificateKind.Oversized => MintLeaf(_signer, host, [host, .. Enumerable.Range(0, OversizedExtraNames).Select(i => $"n{i}.oversized.invalid")], [], validFrom, validTo, TestKeyAlgorithm.EcdsaP256),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown certificate kind."),
        };
    }

    private const int OversizedExtraNames = 10_000;

    private static string WrongName(string host) =>
        string.Equals(host, WrongHostName, StringComparison.Ordinal) ? "other-" + WrongHostName : WrongHostName;

    private static string WildcardFor(string host)
    {
        var dot = host.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == host.Length - 1)
        {
            throw new ArgumentException($"A wildcard certificate needs a host with a parent domain; '{host}' has a single label.", nameof(host));
        }

        return "*." + host[(dot + 1)..];
    }

    private static X509Certificate2 MintLeaf(
        X509Certificate2? issuer,
        string commonName,
        string[] dnsNames,
        IPAddress[] addresses,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        TestKeyAlgorithm algorithm)
    {
        using AsymmetricAlgorithm key = algorithm == TestKeyAlgorithm.Rsa2048 ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA rsa
            ? new CertificateRequest(DistinguishedName(commonName), rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest(DistinguishedName(commonName), (ECDsa)key, HashAlgorithmName.SHA256);

        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var usage = key is RSA ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.DigitalSignature;
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (dnsNames.Length > 0 || addresses.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var dnsName in dnsNames)
            {
                san.AddDnsName(dnsName);
            }

            foreach (var address in addresses)
            {
                san.AddIpAddress(address);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        X509Certificate2 issued;
        if (issuer is null)
        {
            issued = request.CreateSelfSigned(notBefore, notAfter);
        }
        else
        {
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));

            // The authorities' keys are ECDSA; the generator overload lets them sign RSA certificates too.
            using var issuerKey = issuer.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The issuer has no ECDSA private key.");
            using var signed = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), notBefore, notAfter, NewSerialNumber());
            issued = key is RSA rsaKey ? signed.CopyWithPrivateKey(rsaKey) : signed.CopyWithPrivateKey((ECDsa)key);
        }

        using (issued)
        {
            return Reload(issued);
        }
    }

    private static X509Certificate2 CreateRoot(string name, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(DistinguishedName(name), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var root = request.CreateSelfSigned(now.AddYears(-2), now.AddYears(10));
        return Reload(root);
    }

    private static X500DistinguishedName DistinguishedName(string commonName)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddOrganizationName("MtaSts Testing");
        builder.AddCommonName(commonName);
        return builder.Build();
    }

    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        serial[0] |= 0x01; // no leading zero byte
        return serial;
    }

    private static DateTimeOffset ToOffset(DateTime value) => new(value.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>
    /// Returns an independent copy whose private key every platform's TLS stack accepts. Windows (SChannel) and macOS
    /// refuse the ephemeral key <c>CopyWithPrivateKey</c> gives, so there the certificate round-trips through PKCS#12;
    /// OpenSSL on Linux takes it as it is, which saves the (slow) key-derivation of a PKCS#12 export and import.
    /// </summary>
    private static X509Certificate2 Reload(X509Certificate2 withKey)
    {
        if (OperatingSystem.IsLinux())
        {
            return CopyWithKey(withKey);
        }

        var pfx = withKey.Export(X509ContentType.Pkcs12);
        try
        {
#if NET9_0_OR_GREATER
            return X509CertificateLoader.LoadPkcs12(pfx, null, X509KeyStorageFlags.Exportable);
#else
            return new X509Certificate2(pfx, (string?)null, X509KeyStorageFlags.Exportable);
#endif
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pfx);
        }
    }

    private static X509Certificate2 CopyWithKey(X509Certificate2 withKey)
    {
        using var publicPart = PublicOnly(withKey);
        if (withKey.GetECDsaPrivateKey() is { } ecdsa)
        {
            using (ecdsa)
            {
                return publicPart.CopyWithPrivateKey(ecdsa);
            }
        }

        using var rsa = withKey.GetRSAPrivateKey() ?? throw new InvalidOperationException("The certificate has no private key.");
        return publicPart.CopyWithPrivateKey(rsa);
    }

    private static X509Certificate2 PublicOnly(X509Certificate2 certificate)
    {
#if NET9_0_OR_GREATER
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
#else
        return new X509Certificate2(certificate.RawData);
#endif
    }
}
