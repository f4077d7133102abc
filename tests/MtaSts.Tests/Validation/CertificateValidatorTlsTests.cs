using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using static MtaSts.Tests.Validation.TestPki;

namespace MtaSts.Tests.Validation;

/// <summary>The validator's callback in real TLS handshakes (SslStream on loopback): issue 3, point 6.</summary>
public sealed class CertificateValidatorTlsTests
{
    private static readonly Set Pki = Certs;

    public static TheoryData<byte, byte> SelectorsAndMatchingTypes => new()
    {
        { 0, 0 }, { 0, 1 }, { 0, 2 }, { 1, 0 }, { 1, 1 }, { 1, 2 },
    };

    public static TheoryData<byte, byte, byte> UsagesSelectorsAndMatchingTypes
    {
        get
        {
            var data = new TheoryData<byte, byte, byte>();
            foreach (var usage in new byte[] { 2, 3 })
            {
                for (byte selector = 0; selector <= 1; selector++)
                {
                    for (byte matchingType = 0; matchingType <= 2; matchingType++)
                    {
                        data.Add(usage, selector, matchingType);
                    }
                }
            }

            return data;
        }
    }

    public static TheoryData<string, string> FailingPkixServers => new()
    {
        { "wrong-name", "certificate-host-mismatch" },
        { "cn-only", "certificate-host-mismatch" },
        { "partial-wildcard", "certificate-host-mismatch" },
        { "expired", "certificate-expired" },
        { "untrusted", "certificate-not-trusted" },
        { "self-signed", "certificate-not-trusted" },
        { "no-intermediate", "certificate-not-trusted" },
    };

    private static CertificateRequirement Dane(MxAuthentication authentication, bool enforce = true, params TlsaAssociation[] records) => new()
    {
        Authentication = authentication,
        MxHost = MxHost,
        TlsaRecords = records,
        ReferenceIdentifiers = [MxHost],
        Enforce = enforce,
    };

    private static CertificateRequirement Pkix(bool enforce) => new()
    {
        Authentication = MxAuthentication.Pkix,
        MxHost = MxHost,
        Enforce = enforce,
        AdditionalTrustedRoots = [Pki.Root],
    };

    private static (X509Certificate2 Leaf, X509Certificate2[] Sent) PkixServer(string kind) => kind switch
    {
        "valid" => (Pki.Leaf, [Pki.Intermediate]),
        "wildcard" => (Pki.WildcardLeaf, [Pki.Intermediate]),
        "wrong-name" => (Pki.WrongNameLeaf, [Pki.Intermediate]),
        "cn-only" => (Pki.CnOnlyLeaf, [Pki.Intermediate]),
        "partial-wildcard" => (Pki.PartialWildcardLeaf, [Pki.Intermediate]),
        "expired" => (Pki.ExpiredLeaf, [Pki.Intermediate]),
        "untrusted" => (Pki.UntrustedLeaf, [Pki.OtherIntermediate]),
        "self-signed" => (Pki.SelfSignedLeaf, []),
        "no-intermediate" => (Pki.Leaf, []),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    // ---- DANE ----

    [Theory]
    [MemberData(nameof(SelectorsAndMatchingTypes))]
    public async Task DANE_3_1_1_a_Tls_EeRecordMatchingTheServerCertificate_Authenticates(byte selector, byte matchingType)
    {
        // Also: DANE-3.1.1-b, DANE-3.2.1-a. The server's certificate is self-signed, expired and names another host.
        var server = Pki.SelfSignedExpiredWrongName;

        var outcome = await TlsLoopback.HandshakeAsync(Dane(MxAuthentication.DaneEe, true, Tlsa(3, selector, matchingType, server)), server);

        Assert.True(outcome.HandshakeSucceeded);
        Assert.True(outcome.Result.Verdict == CertificateVerdict.Passed, outcome.Result.ToString());
        Assert.Equal(MxAuthentication.DaneEe, outcome.Result.Authentication);
    }

    [Theory]
    [MemberData(nameof(SelectorsAndMatchingTypes))]
    public async Task DANE_3_1_2_a_Tls_TaRecordMatchingThePresentedIntermediate_Authenticates(byte selector, byte matchingType)
    {
        var outcome = await TlsLoopback.HandshakeAsync(Dane(MxAuthentication.DaneTa, true, Tlsa(2, selector, matchingType, Pki.Intermediate)), Pki.Leaf, Pki.Intermediate);

        Assert.True(outcome.HandshakeSucceeded);
        Assert.True(outcome.Result.Verdict == CertificateVerdict.Passed, outcome.Result.ToString());
        Assert.Equal(MxAuthentication.DaneTa, outcome.Result.Authentication);
    }

    [Theory]
    [MemberData(nameof(UsagesSelectorsAndMatchingTypes))]
    public async Task DANE_9_1_b_Tls_NoRecordMatching_RefusesTheServer(byte usage, byte selector, byte matchingType)
    {
        // Also: DANE-3.2-a. The records describe another authority's certificates, of the same shape as the real ones.
        var record = Tlsa(usage, selector, matchingType, usage == 3 ? Pki.UntrustedLeaf : Pki.OtherIntermediate);

        var outcome = await TlsLoopback.HandshakeAsync(Dane(usage == 3 ? MxAuthentication.DaneEe : MxAuthentication.DaneTa, true, record), Pki.Leaf, Pki.Intermediate);

        Assert.False(outcome.HandshakeSucceeded);
        Assert.NotEqual(CertificateVerdict.Passed, outcome.Result.Verdict);
        Assert.Equal("tlsa-invalid", outcome.Result.ResultType);
    }

    [Fact]
    public async Task DANE_9_1_a_Tls_AuditMode_DeliversAndReports()
    {
        var outcome = await TlsLoopback.HandshakeAsync(Dane(MxAuthentication.DaneEe, false, Tlsa(3, 1, 1, Pki.UntrustedLeaf)), Pki.Leaf, Pki.Intermediate);

        Assert.True(outcome.HandshakeSucceeded);
        Assert.Equal(CertificateVerdict.FailedButAllowed, outcome.Result.Verdict);
        Assert.Equal("tlsa-invalid", outcome.Result.ResultType);
    }

    [Fact]
    public async Task DANE_3_1_2_a_Tls_AnchorTwoLevelsAboveTheServer_Authenticates()
    {
        var requirement = Dane(MxAuthentication.DaneTa, true, Tlsa(2, 0, 1, Pki.UpperIntermediate));

        var outcome = await TlsLoopback.HandshakeAsync(requirement, Pki.DeepLeaf, Pki.LowerIntermediate, Pki.UpperIntermediate);

        Assert.True(outcome.HandshakeSucceeded, outcome.Result.ToString());
    }

    [Fact]
    public async Task DANE_3_1_2_a_Tls_FullRecordSuppliesTheRoot_TheServerNeedNotSendIt()
    {
        // SslStream's server side never sends a self-signed root; a 2 0 0 record can supply it, a digest cannot (DANE-3.1.2-b).
        var supplied = await TlsLoopback.HandshakeAsync(Dane(MxAuthentication.DaneTa, true, Tlsa(2, 0, 0, Pki.Root)), Pki.Leaf, Pki.Intermediate, Pki.Root);
        var digest = await TlsLoopback.HandshakeAsync(Dane(MxAuthentication.DaneTa, true, Tlsa(2, 0, 1, Pki.Root)), Pki.Leaf, Pki.Intermediate, Pki.Root);

        Assert.True(supplied.HandshakeSucceeded, supplied.Result.ToString());
        Assert.False(digest.HandshakeSucceeded);
        Assert.Equal("tlsa-invalid", digest.Result.ResultType);
    }

    [Fact]
    public async Task DANE_3_2_3_a_Tls_TaServerWithAnotherName_IsCertificateHostMismatch()
    {
        // Also: DANE-3.2.2-a
        var outcome = await TlsLoopback.HandshakeAsync(Dane(MxAuthentication.DaneTa, true, Tlsa(2, 1, 1, Pki.Intermediate)), Pki.WrongNameLeaf, Pki.Intermediate);

        Assert.False(outcome.HandshakeSucceeded);
        Assert.Equal("certificate-host-mismatch", outcome.Result.ResultType);
    }

    [Fact]
    public async Task DANE_3_1_2_d_Tls_ExpiredServerBelowTheAnchor_IsCertificateExpired()
    {
        var outcome = await TlsLoopback.HandshakeAsync(Dane(MxAuthentication.DaneTa, true, Tlsa(2, 1, 1, Pki.Intermediate)), Pki.ExpiredLeaf, Pki.Intermediate);

        Assert.False(outcome.HandshakeSucceeded);
        Assert.Equal("certificate-expired", outcome.Result.ResultType);
    }

    [Fact]
    public async Task DANE_3_1_2_a_Tls_ServerCertificateNotSignedByTheAnchor_IsCertificateNotTrusted()
    {
        // The server sends the real anchor, but its certificate was signed by an impostor bearing the anchor's name.
        var outcome = await TlsLoopback.HandshakeAsync(Dane(MxAuthentication.DaneTa, true, Tlsa(2, 0, 1, Pki.Intermediate)), Pki.ForgedLeaf, Pki.Intermediate);

        Assert.False(outcome.HandshakeSucceeded);
        Assert.Equal("certificate-not-trusted", outcome.Result.ResultType);
        Assert.Contains("NotSignatureValid", outcome.Result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DANE_3_1_3_b_Tls_OnlyPkixUsages_TlsWithoutAuthentication()
    {
        var outcome = await TlsLoopback.HandshakeAsync(Dane(MxAuthentication.DaneEe, true, Tlsa(1, 1, 1, Pki.UntrustedLeaf)), Pki.SelfSignedExpiredWrongName);

        Assert.True(outcome.HandshakeSucceeded);
        Assert.Equal(CertificateVerdict.Passed, outcome.Result.Verdict);
        Assert.Equal(MxAuthentication.None, outcome.Result.Authentication);
    }

    [Fact]
    public async Task PREC_a_Tls_PkixValidServer_FailingDane_IsRefused()
    {
        var requirement = new CertificateRequirement
        {
            Authentication = MxAuthentication.DaneEe,
            MxHost = MxHost,
            TlsaRecords = [Tlsa(3, 1, 1, Pki.UntrustedLeaf)],
            AdditionalTrustedRoots = [Pki.Root],
        };

        var outcome = await TlsLoopback.HandshakeAsync(requirement, Pki.Leaf, Pki.Intermediate);

        Assert.False(outcome.HandshakeSucceeded);
        Assert.Equal("tlsa-invalid", outcome.Result.ResultType);
    }

    // ---- MTA-STS (PKIX) ----

    [Theory]
    [InlineData("valid", true)]
    [InlineData("valid", false)]
    [InlineData("wildcard", true)]
    public async Task STS_4_2_a_Tls_TrustedChainAndMatchingSan_Authenticates(string server, bool enforce)
    {
        // Also: STS-4.2-b, A-9 (wildcard as the whole left-most label)
        var (leaf, sent) = PkixServer(server);

        var outcome = await TlsLoopback.HandshakeAsync(Pkix(enforce), leaf, sent);

        Assert.True(outcome.HandshakeSucceeded);
        Assert.True(outcome.Result.Verdict == CertificateVerdict.Passed, outcome.Result.ToString());
        Assert.Equal(MxAuthentication.Pkix, outcome.Result.Authentication);
    }

    [Theory]
    [MemberData(nameof(FailingPkixServers))]
    public async Task STS_5_a_Tls_Enforce_FailingCertificate_FailsTheHandshake(string server, string resultType)
    {
        // Also: STS-4.2-a (expired, untrusted, self-signed, no intermediate), STS-4.2-b and A-9 (wrong name, CN only, partial wildcard)
        var (leaf, sent) = PkixServer(server);

        var outcome = await TlsLoopback.HandshakeAsync(Pkix(enforce: true), leaf, sent);

        Assert.False(outcome.HandshakeSucceeded);
        Assert.Equal(CertificateVerdict.Rejected, outcome.Result.Verdict);
        Assert.Equal(resultType, outcome.Result.ResultType);
    }

    [Theory]
    [MemberData(nameof(FailingPkixServers))]
    public async Task STS_5_b_Tls_Testing_FailingCertificate_HandshakeGoesAheadAndTheFailureIsObserved(string server, string resultType)
    {
        var (leaf, sent) = PkixServer(server);

        var outcome = await TlsLoopback.HandshakeAsync(Pkix(enforce: false), leaf, sent);

        Assert.True(outcome.HandshakeSucceeded);
        Assert.Equal(CertificateVerdict.FailedButAllowed, outcome.Result.Verdict);
        Assert.Equal(resultType, outcome.Result.ResultType);
    }

    // ---- The callback itself ----

    [Fact]
    public void Callback_IgnoresItsSender_AndUsesTheRequirementsHost()
    {
        // MailKit passes the host it connected to as the sender; a different one must change nothing.
        var callback = CertificateValidator.CreateCallback(Pkix(enforce: true));
        using var stack = StackChain.Build(Pki.Leaf, Pki.Intermediate);

        Assert.True(callback("mx9.example.net", Pki.Leaf, stack.Chain, SslPolicyErrors.RemoteCertificateNameMismatch | stack.Errors));
        Assert.True(callback(new object(), Pki.Leaf, stack.Chain, stack.Errors));
    }

    [Fact]
    public void Callback_NeverThrows_AnExceptionIsAValidationFailure()
    {
        var observed = new List<CertificateValidationResult>();
        var enforcing = CertificateValidator.CreateCallback(Pkix(enforce: true), observed.Add);
        var testing = CertificateValidator.CreateCallback(Pkix(enforce: false), observed.Add);
#pragma warning disable SYSLIB0026 // An empty certificate object is exactly the broken input wanted here.
        using var broken = new X509Certificate();
#pragma warning restore SYSLIB0026

        Assert.False(enforcing(null!, broken, null, SslPolicyErrors.None));
        Assert.True(testing(null!, broken, null, SslPolicyErrors.None));
        Assert.All(observed, r => Assert.Equal("validation-failure", r.ResultType));
        Assert.Equal(2, observed.Count);
    }

    [Fact]
    public void Callback_ObserverThatThrows_RefusesWhenEnforcing_AndIsToldWhy()
    {
        var calls = new List<CertificateValidationResult>();
        var callback = CertificateValidator.CreateCallback(Pkix(enforce: true), r =>
        {
            calls.Add(r);
            throw new InvalidOperationException("observer broke");
        });
        using var stack = StackChain.Build(Pki.Leaf, Pki.Intermediate);

        var accepted = callback(null!, Pki.Leaf, stack.Chain, stack.Errors);

        Assert.False(accepted);
        Assert.Equal(2, calls.Count);
        Assert.Equal(CertificateVerdict.Passed, calls[0].Verdict);
        Assert.Equal("validation-failure", calls[1].ResultType);
        Assert.Equal(TlsRptReasonCodes.CertificateCheckError, calls[1].ReasonCode);
        Assert.Contains(nameof(InvalidOperationException), calls[1].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("observer broke", calls[1].Reason, StringComparison.Ordinal); // exception text stays in logs
    }

    [Fact]
    public void Callback_ReadsTheRequirementOnce()
    {
        var records = new List<TlsaAssociation> { Tlsa(3, 1, 1, Pki.Leaf) };
        var callback = CertificateValidator.CreateCallback(new CertificateRequirement { Authentication = MxAuthentication.DaneEe, MxHost = MxHost, TlsaRecords = records });
        records[0] = Tlsa(3, 1, 1, Pki.SelfSignedLeaf);
        using var stack = StackChain.Build(Pki.Leaf, Pki.Intermediate);

        Assert.True(callback(null!, Pki.Leaf, stack.Chain, stack.Errors));
    }
}
