using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MtaSts.Tests.Validation;

/// <summary>
/// Certificates minted once per test run (ECDSA P-256, fast) for the validator tests: a root, intermediates, and
/// leaves with the problems the rules care about. Leaves carry their private keys so loopback TLS servers can use them.
/// </summary>
internal static class TestPki
{
    public const string MxHost = "mx1.example.test";

    private static readonly Lazy<Set> Instance = new(() => new Set(), LazyThreadSafetyMode.ExecutionAndPublication);

    public static Set Certs => Instance.Value;

    /// <summary>The TLSA record (any usage) of <paramref name="certificate"/>, computed independently of the library.</summary>
    public static TlsaAssociation Tlsa(byte usage, byte selector, byte matchingType, X509Certificate2 certificate)
    {
        var content = selector == 0 ? certificate.RawData : certificate.PublicKey.ExportSubjectPublicKeyInfo();
        var data = matchingType switch
        {
            0 => content,
            1 => SHA256.HashData(content),
            2 => SHA512.HashData(content),
            _ => throw new ArgumentOutOfRangeException(nameof(matchingType)),
        };
        return new TlsaAssociation(usage, selector, matchingType, data);
    }

    internal sealed class Set
    {
        private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

        public Set()
        {
            Root = Ca("CN=MtaSts Test Root", issuer: null);
            Intermediate = Ca("CN=MtaSts Test Intermediate", Root);
            Leaf = Server(MxHost, [MxHost], Intermediate);
            ExpiredLeaf = Server(MxHost, [MxHost], Intermediate, _now.AddDays(-30), _now.AddDays(-1));
            NotYetValidLeaf = Server(MxHost, [MxHost], Intermediate, _now.AddDays(1), _now.AddDays(30));
            WrongNameLeaf = Server(MxHost, ["other.example.test"], Intermediate);
            CnOnlyLeaf = Server(MxHost, [], Intermediate);
            WildcardLeaf = Server("wildcard", ["*.example.test"], Intermediate);
            WildcardCnOnlyLeaf = Server("*.example.test", [], Intermediate);
            PartialWildcardLeaf = Server("partial", ["mx*.example.test"], Intermediate);
            ClientAuthOnlyLeaf = Server(MxHost, [MxHost], Intermediate, eku: "1.3.6.1.5.5.7.3.2");
            SelfSignedLeaf = Server(MxHost, [MxHost], issuer: null);
            SelfSignedExpiredWrongName = Server("other.example.test", ["other.example.test"], issuer: null, _now.AddDays(-60), _now.AddDays(-2));

            OtherRoot = Ca("CN=MtaSts Other Root", issuer: null);
            OtherIntermediate = Ca("CN=MtaSts Other Intermediate", OtherRoot);
            UntrustedLeaf = Server(MxHost, [MxHost], OtherIntermediate);

            // Same subject name as Intermediate, different key: a leaf it signs (without an authority key identifier, so
            // that path building pairs it with the real Intermediate by name) must fail on the signature.
            ImpostorIntermediate = Ca("CN=MtaSts Test Intermediate", Root);
            ForgedLeaf = Server(MxHost, [MxHost], ImpostorIntermediate, authorityKeyIdentifier: false);

            UpperIntermediate = Ca("CN=MtaSts Upper Intermediate", Root);
            LowerIntermediate = Ca("CN=MtaSts Lower Intermediate", UpperIntermediate);
            DeepLeaf = Server(MxHost, [MxHost], LowerIntermediate);

            ConstrainedIntermediate = Ca("CN=MtaSts Constrained Intermediate", Root, pathLength: 0);
            BelowConstrained = Ca("CN=MtaSts Below Constrained", ConstrainedIntermediate);
            ConstrainedLeaf = Server(MxHost, [MxHost], BelowConstrained);
        }

        public X509Certificate2 Root { get; }
        public X509Certificate2 Intermediate { get; }
        public X509Certificate2 Leaf { get; }
        public X509Certificate2 ExpiredLeaf { get; }
        public X509Certificate2 NotYetValidLeaf { get; }
        public X509Certificate2 WrongNameLeaf { get; }
        public X509Certificate2 CnOnlyLeaf { get; }
        public X509Certificate2 WildcardLeaf { get; }
        public X509Certificate2 WildcardCnOnlyLeaf { get; }
        public X509Certificate2 PartialWildcardLeaf { get; }
        public X509Certificate2 ClientAuthOnlyLeaf { get; }
        public X509Certificate2 SelfSignedLeaf { get; }
        public X509Certificate2 SelfSignedExpiredWrongName { get; }
        public X509Certificate2 OtherRoot { get; }
        public X509Certificate2 OtherIntermediate { get; }
        public X509Certificate2 UntrustedLeaf { get; }
        public X509Certificate2 ImpostorIntermediate { get; }
        public X509Certificate2 ForgedLeaf { get; }
        public X509Certificate2 UpperIntermediate { get; }
        public X509Certificate2 LowerIntermediate { get; }
        public X509Certificate2 DeepLeaf { get; }
        public X509Certificate2 ConstrainedIntermediate { get; }
        public X509Certificate2 BelowConstrained { get; }
        public X509Certificate2 ConstrainedLeaf { get; }

        /// <summary>The public part only, as a server would send it.</summary>
        public static X509Certificate2 Public(X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);

        private X509Certificate2 Ca(string subject, X509Certificate2? issuer, int? pathLength = null)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, pathLength.HasValue, pathLength ?? 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            if (issuer is null)
            {
                return request.CreateSelfSigned(_now.AddYears(-2), _now.AddYears(10));
            }

            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
            using var signed = request.Create(issuer, _now.AddYears(-1), _now.AddYears(9), Serial());
            return signed.CopyWithPrivateKey(key);
        }

        private X509Certificate2 Server(string commonName, string[] dnsNames, X509Certificate2? issuer, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string eku = "1.3.6.1.5.5.7.3.1", bool authorityKeyIdentifier = true)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest(new X500DistinguishedName("CN=" + commonName), key, HashAlgorithmName.SHA256);
            if (dnsNames.Length > 0)
            {
                var san = new SubjectAlternativeNameBuilder();
                foreach (var name in dnsNames)
                {
                    san.AddDnsName(name);
                }

                request.CertificateExtensions.Add(san.Build());
            }

            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(eku)], false));
            var from = notBefore ?? _now.AddDays(-1);
            var to = notAfter ?? _now.AddDays(90);
            X509Certificate2 withKey;
            if (issuer is null)
            {
                withKey = request.CreateSelfSigned(from, to);
            }
            else
            {
                if (authorityKeyIdentifier)
                {
                    request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
                }

                using var signed = request.Create(issuer, from, to, Serial());
                withKey = signed.CopyWithPrivateKey(key);
            }

            // A PKCS#12 round trip gives a key every platform's TLS stack can use (Windows refuses ephemeral keys).
            using (withKey)
            {
                return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            }
        }

        private static byte[] Serial()
        {
            var serial = new byte[12];
            RandomNumberGenerator.Fill(serial);
            serial[0] &= 0x7F;
            return serial;
        }
    }
}
