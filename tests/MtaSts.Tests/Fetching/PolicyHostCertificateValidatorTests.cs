using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Fetching;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Fetching;

public sealed class PolicyHostCertificateValidatorTests : IDisposable
{
    private const string Host = "mta-sts.example.test";
    private readonly X509Certificate2 _root = TestCertificates.CreateRoot("MtaSts Test Root");
    private readonly X509Certificate2 _otherRoot = TestCertificates.CreateRoot("Someone Else's Root");

    public void Dispose()
    {
        _root.Dispose();
        _otherRoot.Dispose();
    }

    private X509Certificate2Collection TrustedRoots => [_root];

    /// <summary>Validates the way the handler's callback does: the platform chain first, then the extra roots.</summary>
    private static CertificateCheck Check(X509Certificate2 leaf, X509Certificate2Collection extraRoots, params X509Certificate2[] sentByServer)
    {
        (X509Chain chain, SslPolicyErrors errors) = TestCertificates.PlatformChain(leaf, sentByServer);
        using (chain)
        {
            return PolicyHostCertificateValidator.Validate(leaf, chain, errors, Host, extraRoots);
        }
    }

    [Fact(DisplayName = "RFC 8461 §3.3: a certificate with SAN = the policy host, chaining to a trusted root, is accepted")]
    public void STS_3_3_a_ValidSan_TrustedRoot_IsAccepted()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, Host, [Host]);

        CertificateCheck check = Check(leaf, TrustedRoots);

        Assert.True(check.IsValid, check.Problem);
        Assert.Null(check.Problem);
        Assert.Null(check.ReasonCode);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: a chain valid under the platform roots needs no extra roots")]
    public void STS_3_3_b_PlatformValidChain_IsAccepted()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, ["other.example.test", Host]);

        // As reported by the platform for a publicly trusted certificate.
        CertificateCheck check = PolicyHostCertificateValidator.Validate(leaf, null, SslPolicyErrors.None, Host, []);

        Assert.True(check.IsValid, check.Problem);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: a wildcard SAN *.example.test covers mta-sts.example.test")]
    public void STS_3_3_d_WholeLabelWildcard_IsAccepted()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, ["*.example.test"]);

        CertificateCheck check = Check(leaf, TrustedRoots);

        Assert.True(check.IsValid, check.Problem);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: a wildcard covers exactly one label")]
    public void STS_3_3_d_WildcardOneLevelUp_IsRejected()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, ["*.test"]);

        CertificateCheck check = Check(leaf, TrustedRoots);

        Assert.False(check.IsValid);
        Assert.Equal("certificate-name-mismatch", check.ReasonCode);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: a partial-label wildcard (mta*.example.test) is rejected")]
    public void STS_3_3_d_PartialLabelWildcard_IsRejected()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, ["mta*.example.test"]);

        CertificateCheck check = Check(leaf, TrustedRoots);

        Assert.False(check.IsValid);
        Assert.Equal("certificate-name-mismatch", check.ReasonCode);
        Assert.Contains("mta*.example.test", check.Problem);
        Assert.Contains("whole left-most label", check.Problem);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: the subject CN is never used; a CN-only certificate fails")]
    public void STS_3_3_c_CommonNameOnly_IsRejected()
    {
        // Also: A-9
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, Host, []);

        CertificateCheck check = Check(leaf, TrustedRoots);

        Assert.False(check.IsValid);
        Assert.Equal("certificate-name-mismatch", check.ReasonCode);
        Assert.Contains("no SAN dNSName", check.Problem);
        Assert.Contains("CN=" + Host, check.Problem);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: the CN is ignored even when the platform itself reports no error")]
    public void STS_3_3_c_CommonNameOnly_RejectedEvenIfPlatformAccepts()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, Host, []);

        CertificateCheck check = PolicyHostCertificateValidator.Validate(leaf, null, SslPolicyErrors.None, Host, []);

        Assert.False(check.IsValid);
        Assert.Equal("certificate-name-mismatch", check.ReasonCode);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: a SAN for another host is a name mismatch, with the names in the problem")]
    public void STS_3_3_a_WrongName_IsRejectedWithPreciseProblem()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, Host, ["a.example.test", "b.example.test"]);

        CertificateCheck check = Check(leaf, TrustedRoots);

        Assert.False(check.IsValid);
        Assert.Equal("certificate-name-mismatch", check.ReasonCode);
        Assert.Equal("name mismatch: certificate SAN [a.example.test, b.example.test] does not cover mta-sts.example.test", check.Problem);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: an expired certificate is rejected even from a trusted root")]
    public void STS_3_3_a_Expired_IsRejected()
    {
        DateTimeOffset now = TimeProvider.System.GetUtcNow();
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, [Host], now.AddDays(-10), now.AddDays(-1));

        CertificateCheck check = Check(leaf, TrustedRoots);

        Assert.False(check.IsValid);
        Assert.Equal("certificate-expired", check.ReasonCode);
        Assert.StartsWith("expired (NotAfter ", check.Problem);
        Assert.Contains(leaf.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), check.Problem);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: a not-yet-valid certificate is rejected")]
    public void STS_3_3_a_NotYetValid_IsRejected()
    {
        DateTimeOffset now = TimeProvider.System.GetUtcNow();
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, [Host], now.AddDays(2), now.AddDays(30));

        CertificateCheck check = Check(leaf, TrustedRoots);

        Assert.False(check.IsValid);
        Assert.Equal("certificate-expired", check.ReasonCode);
        Assert.StartsWith("not yet valid (NotBefore ", check.Problem);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: a chain to a root nobody trusts is rejected, even when the root is sent along")]
    public void STS_3_3_a_UntrustedRoot_IsRejected()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_otherRoot, null, [Host]);

        CertificateCheck check = Check(leaf, TrustedRoots, _otherRoot);

        Assert.False(check.IsValid);
        Assert.Equal("certificate-untrusted", check.ReasonCode);
        Assert.Contains("Someone Else's Root", check.Problem);
    }

    [Fact(DisplayName = "RFC 8461 §3.3: without extra roots, a private CA is not trusted")]
    public void STS_3_3_a_PrivateCaWithoutExtraRoots_IsRejected()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, [Host]);

        CertificateCheck check = Check(leaf, []);

        Assert.False(check.IsValid);
        Assert.Equal("certificate-untrusted", check.ReasonCode);
    }

    [Fact(DisplayName = "A self-signed certificate is untrusted, and a name mismatch on top is reported too")]
    public void STS_3_3_a_SelfSignedWrongName_ReportsBothProblems()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(null, "self", ["self.example.test"]);

        CertificateCheck check = Check(leaf, TrustedRoots);

        Assert.False(check.IsValid);
        Assert.Equal("certificate-untrusted", check.ReasonCode);
        Assert.Contains("untrusted", check.Problem);
        Assert.Contains("name mismatch", check.Problem);
    }

    [Fact(DisplayName = "MtaStsOptions.AdditionalTrustedRoots: a leaf under an intermediate the server sends is trusted through the extra root")]
    public void STS_3_3_a_TrustedOnlyViaAdditionalRoot_WithIntermediate()
    {
        using X509Certificate2 intermediate = TestCertificates.CreateIntermediate(_root, "MtaSts Test Intermediate");
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(intermediate, null, [Host]);

        CertificateCheck withRoot = Check(leaf, TrustedRoots, intermediate);
        CertificateCheck withoutRoot = Check(leaf, [], intermediate);

        Assert.True(withRoot.IsValid, withRoot.Problem);
        Assert.False(withoutRoot.IsValid);
    }

    [Fact(DisplayName = "MtaStsOptions.AdditionalTrustedRoots only adds anchors: a wrong name is still rejected")]
    public void STS_3_3_a_AdditionalRootsDoNotBypassNameCheck()
    {
        using X509Certificate2 leaf = TestCertificates.CreateLeaf(_root, null, ["mta-sts.other.test"]);

        CertificateCheck check = Check(leaf, TrustedRoots);

        Assert.False(check.IsValid);
        Assert.Equal("certificate-name-mismatch", check.ReasonCode);
    }

    [Fact(DisplayName = "No certificate at all is rejected")]
    public void NoCertificate_IsRejected()
    {
        CertificateCheck check = PolicyHostCertificateValidator.Validate(null, null, SslPolicyErrors.RemoteCertificateNotAvailable, Host, TrustedRoots);

        Assert.False(check.IsValid);
        Assert.Equal("certificate-untrusted", check.ReasonCode);
    }

    [Fact(DisplayName = "The handler callback throws the problem so it reaches the fetcher")]
    public void Callback_ThrowsWithProblem_AndAcceptsValid()
    {
        using X509Certificate2 good = TestCertificates.CreateLeaf(_root, null, [Host]);
        using X509Certificate2 bad = TestCertificates.CreateLeaf(_root, null, ["www.example.test"]);
        var request = new HttpRequestMessage(HttpMethod.Get, "https://" + Host + "/.well-known/mta-sts.txt");

        bool accepted = PolicyHttpHandlerFactory.ValidateServerCertificate(request, good, null, SslPolicyErrors.None, []);
        var ex = Assert.Throws<PolicyHostCertificateException>(() =>
            PolicyHttpHandlerFactory.ValidateServerCertificate(request, bad, null, SslPolicyErrors.RemoteCertificateNameMismatch, []));

        Assert.True(accepted);
        Assert.Equal("certificate-name-mismatch", ex.ReasonCode);
        Assert.Contains("www.example.test", ex.Problem);
        request.Dispose();
    }
}
