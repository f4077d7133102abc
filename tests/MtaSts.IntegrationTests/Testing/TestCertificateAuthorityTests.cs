using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Testing;

public sealed class TestCertificateAuthorityTests : IDisposable
{
    private const string Host = "mta-sts.example.test";
    private readonly TestCertificateAuthority _authority = TestCertificateAuthority.Create("Kit Test Root");

    public void Dispose() => _authority.Dispose();

    [Fact]
    public void Root_IsASelfSignedCa_WithoutPrivateKey()
    {
        var root = _authority.RootCertificate;

        Assert.False(root.HasPrivateKey);
        Assert.Equal(root.SubjectName.Name, root.IssuerName.Name);
        Assert.Contains("CN=Kit Test Root", root.Subject, StringComparison.Ordinal);
        Assert.True(root.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Same(root, _authority.SigningCertificate);
        Assert.Empty(_authority.IntermediateCertificates);
        Assert.NotEqual(root.Thumbprint, _authority.UntrustedRootCertificate.Thumbprint);
    }

    [Fact]
    public void ServerCertificates_AreCachedPerHostAndKind_AndHaveAnEcdsaKey()
    {
        var first = _authority.GetServerCertificate(Host);
        var again = _authority.GetServerCertificate("MTA-STS.Example.Test.");
        var expired = _authority.GetServerCertificate(Host, TestCertificateKind.Expired);

        Assert.Same(first, again);
        Assert.NotSame(first, expired);
        Assert.True(first.HasPrivateKey);
        using var key = first.GetECDsaPrivateKey();
        Assert.NotNull(key);
        Assert.Equal(256, key.KeySize);
        byte[] data = [1, 2, 3];
        var signature = key.SignData(data, HashAlgorithmName.SHA256);
        using var publicKey = first.GetECDsaPublicKey()!;
        Assert.True(publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256));
        Assert.Contains(first.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");
    }

    public static TheoryData<TestCertificateKind, bool, X509ChainStatusFlags> Kinds => new()
    {
        // kind, matches the host by SAN, chain problem (with CustomRootTrust on the authority's root)
        { TestCertificateKind.Valid, true, X509ChainStatusFlags.NoError },
        { TestCertificateKind.Wildcard, true, X509ChainStatusFlags.NoError },
        { TestCertificateKind.ExpiresSoon, true, X509ChainStatusFlags.NoError },
        { TestCertificateKind.Expired, true, X509ChainStatusFlags.NotTimeValid },
        { TestCertificateKind.NotYetValid, true, X509ChainStatusFlags.NotTimeValid },
        { TestCertificateKind.WrongName, false, X509ChainStatusFlags.NoError },
        { TestCertificateKind.CommonNameOnly, false, X509ChainStatusFlags.NoError },
        { TestCertificateKind.Untrusted, true, X509ChainStatusFlags.PartialChain },
        { TestCertificateKind.SelfSigned, true, X509ChainStatusFlags.UntrustedRoot },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EachKind_HasItsNameAndChainProblem(TestCertificateKind kind, bool matchesBySan, X509ChainStatusFlags problem)
    {
        var certificate = _authority.GetServerCertificate(Host, kind);

        Assert.Equal(matchesBySan, certificate.MatchesHostname(Host, allowWildcards: true, allowCommonName: false));
        Assert.Equal(problem, ChainStatus(certificate));
    }

    [Fact]
    public void Kinds_HaveTheDocumentedDetails()
    {
        var now = DateTime.Now;
        Assert.True(_authority.GetServerCertificate(Host, TestCertificateKind.Expired).NotAfter < now);
        Assert.True(_authority.GetServerCertificate(Host, TestCertificateKind.NotYetValid).NotBefore > now);
        var soon = _authority.GetServerCertificate(Host, TestCertificateKind.ExpiresSoon);
        Assert.True(soon.NotBefore < now);
        Assert.InRange(soon.NotAfter, now.AddDays(2), now.AddDays(4));

        var wrong = _authority.GetServerCertificate(Host, TestCertificateKind.WrongName);
        Assert.Equal(TestCertificateAuthority.WrongHostName, wrong.GetNameInfo(X509NameType.DnsName, false));

        var cnOnly = _authority.GetServerCertificate(Host, TestCertificateKind.CommonNameOnly);
        Assert.Empty(cnOnly.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(Host, cnOnly.GetNameInfo(X509NameType.SimpleName, false));
        Assert.True(cnOnly.MatchesHostname(Host, allowWildcards: true, allowCommonName: true));

        var wildcard = _authority.GetServerCertificate(Host, TestCertificateKind.Wildcard);
        Assert.Equal(["*.example.test"], wildcard.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.False(wildcard.MatchesHostname("a.b.example.test", allowCommonName: false));

        var untrusted = _authority.GetServerCertificate(Host, TestCertificateKind.Untrusted);
        Assert.Equal(_authority.UntrustedRootCertificate.SubjectName.Name, untrusted.IssuerName.Name);

        var selfSigned = _authority.GetServerCertificate(Host, TestCertificateKind.SelfSigned);
        Assert.Equal(selfSigned.SubjectName.Name, selfSigned.IssuerName.Name);
    }

    [Fact]
    public void Wildcard_OfASingleLabelHost_IsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => _authority.GetServerCertificate("localhost", TestCertificateKind.Wildcard));
        Assert.Throws<ArgumentException>(() => _authority.GetServerCertificate(" "));
    }

    [Fact]
    public void IssueCertificate_TakesAnyNamesValidityAndKey()
    {
        var now = DateTimeOffset.UtcNow;
        using var certificate = _authority.IssueCertificate(new TestCertificateOptions
        {
            DnsNames = { "mx1.example.test", "*.mx.example.test" },
            IPAddresses = { IPAddress.Loopback },
            CommonName = "custom",
            NotBefore = now.AddHours(-2),
            NotAfter = now.AddHours(2),
        });

        Assert.True(certificate.HasPrivateKey);
        Assert.Equal("custom", certificate.GetNameInfo(X509NameType.SimpleName, false));
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["mx1.example.test", "*.mx.example.test"], san.EnumerateDnsNames());
        Assert.Equal([IPAddress.Loopback], san.EnumerateIPAddresses());
        Assert.Equal(now.AddHours(2).UtcDateTime, certificate.NotAfter.ToUniversalTime(), TimeSpan.FromSeconds(1));
        Assert.Equal(X509ChainStatusFlags.NoError, ChainStatus(certificate));

        using var simple = _authority.IssueCertificate("a.example.test", "b.example.test");
        Assert.True(simple.MatchesHostname("b.example.test", allowCommonName: false));
    }

    [Fact]
    public void IssueCertificate_OutsideTheIssuersValidity_IsArgumentException()
    {
        var options = new TestCertificateOptions { NotAfter = DateTimeOffset.UtcNow.AddYears(50) };
        Assert.Throws<ArgumentException>(() => _authority.IssueCertificate(options));

        var empty = new TestCertificateOptions { NotBefore = DateTimeOffset.UtcNow, NotAfter = DateTimeOffset.UtcNow.AddDays(-1) };
        Assert.Throws<ArgumentException>(() => _authority.IssueCertificate(empty));
    }

    [Fact]
    public void Intermediate_ChainsToTheSameRoot()
    {
        using var intermediate = _authority.CreateIntermediate("Kit Intermediate");
        var leaf = intermediate.GetServerCertificate(Host);

        Assert.Same(_authority.RootCertificate, intermediate.RootCertificate);
        var signer = Assert.Single(intermediate.IntermediateCertificates);
        Assert.Equal(signer.Thumbprint, intermediate.SigningCertificate.Thumbprint);
        Assert.False(signer.HasPrivateKey);
        Assert.Equal(signer.SubjectName.Name, leaf.IssuerName.Name);

        // Without the intermediate the chain is partial; with it, complete.
        Assert.Equal(X509ChainStatusFlags.PartialChain, ChainStatus(leaf) & X509ChainStatusFlags.PartialChain);
        Assert.Equal(X509ChainStatusFlags.NoError, ChainStatus(leaf, intermediate.IntermediateCertificates));
    }

    [Fact]
    public void Dispose_MakesTheAuthorityUnusable()
    {
        var authority = TestCertificateAuthority.Create();
        authority.Dispose();
        authority.Dispose();

        Assert.Throws<ObjectDisposedException>(() => authority.GetServerCertificate(Host));
        Assert.Throws<ObjectDisposedException>(() => authority.IssueCertificate(Host));
        Assert.Throws<ObjectDisposedException>(() => authority.CreateIntermediate());
    }

    private X509ChainStatusFlags ChainStatus(X509Certificate2 certificate, X509Certificate2Collection? extra = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_authority.RootCertificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (extra is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(extra);
        }

        chain.Build(certificate);
        return chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, status) => all | status.Status);
    }
}
