using System.Net;
using DnsClient;
using MtaSts.Dane;
using MtaSts.Dns;
using MtaSts.Tests.Fakes;
using static MtaSts.Tests.Fakes.DaneFakeDns;

namespace MtaSts.Tests.Dane;

public class MxHostLookupTests
{
    private const string Host = "mx.example.test";
    private const string TlsaName = "_25._tcp.mx.example.test";

    private readonly DaneFakeDns _dns = new();
    private readonly MtaStsOptions _options = new();

    private MxHostLookup Lookup() => new(_dns, _options);

    private DaneFakeDns SecureAddresses(string host = Host)
    {
        _dns.Answer(host, QueryType.A, ad: true, A(host, "192.0.2.25"));
        _dns.Answer(host, QueryType.AAAA, ad: true, Aaaa(host, "2001:db8::25"));
        return _dns;
    }

    private bool AskedFor(QueryType type) => _dns.Asked.Exists(q => q.Type == type);

    [Fact]
    public async Task DANE_2_2_b_SecureRRsetWithUsableRecord_IsUsable()
    {
        // Also: DANE-2.1.2-c (a securely identified server gets its TLSA looked up), PREC-c.
        SecureAddresses().Answer(TlsaName, QueryType.TLSA, ad: true, Tlsa311(TlsaName), Tlsa(TlsaName, 0, 0, 1, new byte[32]));

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.Usable, result.Status);
        Assert.Equal(2, result.Records.Count);
        Assert.Equal(new TlsaAssociation(3, 1, 1, Enumerable.Repeat((byte)0xAB, 32).ToArray()), result.Records[0]);
        Assert.Equal(Host, result.BaseDomain);
        Assert.True(result.AddressSecure);
        Assert.True(result.TlsRequired);
        Assert.True(result.HostUsable);
        Assert.Equal([IPAddress.Parse("2001:db8::25"), IPAddress.Parse("192.0.2.25")], result.Addresses);
    }

    [Fact]
    public async Task DANE_2_2_c_SecureRRsetWithOnlyUnusableRecords_IsUnusable_TlsStillRequired()
    {
        // Also: PREC-c, DANE-2.2.3-f (an unusable secure record still forbids cleartext).
        SecureAddresses().Answer(TlsaName, QueryType.TLSA, ad: true,
            Tlsa(TlsaName, 1, 1, 1, new byte[32]),    // PKIX-EE: unusable for SMTP
            Tlsa(TlsaName, 3, 1, 1, new byte[31]),    // digest of the wrong length
            Tlsa(TlsaName, 3, 1, 7, new byte[32]));   // unknown matching type

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.Unusable, result.Status);
        Assert.Equal(3, result.Records.Count);
        Assert.True(result.TlsRequired);
        Assert.True(result.HostUsable);
    }

    [Fact]
    public async Task DANE_2_2_d_InsecureTlsaRRset_IsNotApplicable()
    {
        SecureAddresses().Answer(TlsaName, QueryType.TLSA, ad: false, Tlsa311(TlsaName));

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.NotApplicable, result.Status);
        Assert.Empty(result.Records);
        Assert.False(result.TlsRequired);
        Assert.True(result.HostUsable);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task DANE_2_1_1_g_DenialOfTlsa_SecureOrInsecure_IsAnAnswer_NotApplicable(bool nxdomain, bool ad)
    {
        // Also: DANE-2.2-d, DANE-2.2.1-i.
        SecureAddresses();
        if (nxdomain)
        {
            _dns.NxDomain(TlsaName, QueryType.TLSA, ad);
        }
        else
        {
            _dns.NoData(TlsaName, QueryType.TLSA, ad);
        }

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.NotApplicable, result.Status);
        Assert.True(result.HostUsable);
        Assert.Equal(Host, result.BaseDomain);
    }

    [Fact]
    public async Task DANE_2_2_e_TlsaServfail_IsLookupFailed_HostUnusable()
    {
        // Also: DANE-2.1.1-d (bogus and indeterminate reach a stub as SERVFAIL).
        SecureAddresses().Fail(TlsaName, QueryType.TLSA);

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.LookupFailed, result.Status);
        Assert.False(result.HostUsable);
        Assert.Empty(result.Records);
        Assert.Equal(TimeSpan.Zero, result.TimeToLive);
    }

    [Fact]
    public async Task PREC_b_TlsaLookupError_MakesTheHostUnusable_WhateverMtaStsSays()
    {
        SecureAddresses().Fail(TlsaName, QueryType.TLSA);

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.LookupFailed, result.Status);
        Assert.False(result.HostUsable);
        Assert.Contains("whatever MTA-STS says", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DANE_2_1_2_d_TlsaTimeout_IsLookupFailed()
    {
        SecureAddresses().Throw(TlsaName, QueryType.TLSA, new DnsResponseException(DnsResponseCode.ConnectionTimeout, "timed out"));

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.LookupFailed, result.Status);
        Assert.False(result.HostUsable);
    }

    [Fact]
    public async Task DANE_2_1_1_g_UnparseableTlsaReply_IsLookupFailed_NotAnException()
    {
        // DnsClient throws DnsResponseParseException (not a DnsResponseException) when the last server's reply cannot be
        // parsed: a malformed reply is a lookup error like SERVFAIL (DANE-2.1.1-g). Also: PREC-b.
        SecureAddresses().Throw(TlsaName, QueryType.TLSA, new DnsResponseParseException("bad rdata", new byte[12], 10, 4));

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.LookupFailed, result.Status);
        Assert.False(result.HostUsable);
    }

    [Fact]
    public async Task DANE_2_1_2_d_MalformedTlsaReply_IsLookupFailed()
    {
        SecureAddresses().Reply(TlsaName, QueryType.TLSA, DnsHeaderResponseCode.NoError, ad: true, [Tlsa311(TlsaName)], [], truncated: true);

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.LookupFailed, result.Status);
    }

    [Theory]
    [InlineData(QueryType.A)]
    [InlineData(QueryType.AAAA)]
    public async Task DANE_2_1_2_d_AddressLookupFailure_IsLookupFailed_NoTlsaQuery(QueryType failing)
    {
        // Also: DANE-2.2.2-e.
        SecureAddresses().Fail(Host, failing);

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.LookupFailed, result.Status);
        Assert.False(result.HostUsable);
        Assert.False(AskedFor(QueryType.TLSA));
    }

    [Fact]
    public async Task DANE_2_2_2_a_AddressesAreLookedUpBeforeTlsa()
    {
        SecureAddresses().Answer(TlsaName, QueryType.TLSA, ad: true, Tlsa311(TlsaName));

        await Lookup().LookupAsync(Host, mxSecure: true);

        var order = _dns.Asked.Select(q => q.Type).ToList();
        Assert.Equal(QueryType.TLSA, order[^1]);
        Assert.Equal([QueryType.A, QueryType.AAAA], order.Take(2).Order());
        Assert.All(_dns.Asked, q => Assert.True(q.Options!.RequestDnsSecRecords));
    }

    [Fact]
    public async Task DANE_2_2_2_b_NoAddressRecords_HostUnreachable_NoTlsaQuery()
    {
        _dns.NoData(Host, QueryType.A, ad: true).NxDomain(Host, QueryType.AAAA, ad: true);

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Empty(result.Addresses);
        Assert.False(result.HostUsable);
        Assert.NotEqual(DaneStatus.Usable, result.Status);
        Assert.False(AskedFor(QueryType.TLSA));
    }

    [Fact]
    public async Task DANE_2_2_2_c_InsecureAddressAnswer_NoTlsaQuery_NotApplicable()
    {
        _dns.Answer(Host, QueryType.A, ad: false, A(Host, "192.0.2.25")).NoData(Host, QueryType.AAAA, ad: false);

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.NotApplicable, result.Status);
        Assert.False(result.AddressSecure);
        Assert.True(result.HostUsable);
        Assert.False(AskedFor(QueryType.TLSA));
    }

    [Fact]
    public async Task DANE_2_2_2_c_OneInsecureAddressFamily_MakesTheAddressAnswerInsecure()
    {
        _dns.Answer(Host, QueryType.A, ad: true, A(Host, "192.0.2.25")).Answer(Host, QueryType.AAAA, ad: false, Aaaa(Host, "2001:db8::25"));

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.NotApplicable, result.Status);
        Assert.False(result.AddressSecure);
        Assert.False(AskedFor(QueryType.TLSA));
    }

    [Fact]
    public async Task DANE_2_2_3_b_TlsaNameUsesTheConfiguredPort()
    {
        _options.Delivery.SmtpPort = 2525;
        SecureAddresses().Answer("_2525._tcp." + Host, QueryType.TLSA, ad: true, Tlsa311("_2525._tcp." + Host));

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.Usable, result.Status);
        Assert.Equal("_2525._tcp." + Host, _dns.Asked.Single(q => q.Type == QueryType.TLSA).Name);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void DANE_2_2_3_b_PortOutsideRange_IsRejected(int port)
    {
        // The one options validator rejects it before any lookup is built (facade and DI alike).
        _options.Delivery.SmtpPort = port;
        var result = MtaStsOptionsValidator.Instance.Validate(null, _options);
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, failure => failure.StartsWith("Delivery.SmtpPort is ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DANE_2_2_3_a_SecureCname_ExpandedNameIsTriedFirst_IntermediateNamesNever()
    {
        // Also: DANE-2.2.3-d (the first candidate with a secure RRset is the base domain).
        const string alias = "alias.example.test", middle = "middle.example.test", real = "real.example.test";
        DnsClient.Protocol.DnsResourceRecord[] chain = [Cname(alias, middle + "."), Cname(middle, real + ".")];
        _dns.Answer(alias, QueryType.A, ad: true, [.. chain, A(real, "192.0.2.25")])
            .NoData(alias, QueryType.AAAA, ad: true, chain)
            .Answer("_25._tcp." + real, QueryType.TLSA, ad: true, Tlsa311("_25._tcp." + real));

        var result = await Lookup().LookupAsync(alias, mxSecure: true);

        Assert.Equal(DaneStatus.Usable, result.Status);
        Assert.Equal(real, result.BaseDomain);
        Assert.Equal(["_25._tcp." + real], _dns.Asked.Where(q => q.Type == QueryType.TLSA).Select(q => q.Name));
        Assert.Equal([IPAddress.Parse("192.0.2.25")], result.Addresses);
    }

    [Fact]
    public async Task DANE_2_2_3_g_ExpandedNameWithoutSecureTlsa_FallsBackToTheOriginalName()
    {
        const string alias = "alias.example.test", real = "real.example.test";
        _dns.Answer(alias, QueryType.A, ad: true, Cname(alias, real + "."), A(real, "192.0.2.25"))
            .NoData(alias, QueryType.AAAA, ad: true, Cname(alias, real + "."))
            .Answer("_25._tcp." + real, QueryType.TLSA, ad: false, Tlsa311("_25._tcp." + real, fill: 1))
            .Answer("_25._tcp." + alias, QueryType.TLSA, ad: true, Tlsa311("_25._tcp." + alias, fill: 2));

        var result = await Lookup().LookupAsync(alias, mxSecure: true);

        Assert.Equal(DaneStatus.Usable, result.Status);
        Assert.Equal(alias, result.BaseDomain);
        Assert.Equal(2, result.Records[0].Data.Span[0]);
        Assert.Equal(["_25._tcp." + real, "_25._tcp." + alias], _dns.Asked.Where(q => q.Type == QueryType.TLSA).Select(q => q.Name));
    }

    [Fact]
    public async Task DANE_2_2_3_g_FailureAtTheExpandedName_IsLookupFailed_NoFallback()
    {
        const string alias = "alias.example.test", real = "real.example.test";
        _dns.Answer(alias, QueryType.A, ad: true, Cname(alias, real + "."), A(real, "192.0.2.25"))
            .NoData(alias, QueryType.AAAA, ad: true, Cname(alias, real + "."))
            .Fail("_25._tcp." + real, QueryType.TLSA);

        var result = await Lookup().LookupAsync(alias, mxSecure: true);

        Assert.Equal(DaneStatus.LookupFailed, result.Status);
        Assert.Single(_dns.Asked, q => q.Type == QueryType.TLSA);
    }

    [Fact]
    public async Task DANE_2_2_2_d_InsecureChainWithSecureFirstCname_OnlyTheOriginalNameIsACandidate()
    {
        // Also: DANE-2.1.3-c (an insecure step makes the rest insecure), DANE-2.1.3-d (separate CNAME query).
        const string alias = "alias.example.test", real = "mx.unsigned.test";
        _dns.Answer(alias, QueryType.A, ad: false, Cname(alias, real + "."), A(real, "192.0.2.25"))
            .NoData(alias, QueryType.AAAA, ad: false, Cname(alias, real + "."))
            .Answer(alias, QueryType.CNAME, ad: true, Cname(alias, real + "."))
            .Answer("_25._tcp." + alias, QueryType.TLSA, ad: true, Tlsa311("_25._tcp." + alias));

        var result = await Lookup().LookupAsync(alias, mxSecure: true);

        Assert.Equal(DaneStatus.Usable, result.Status);
        Assert.Equal(alias, result.BaseDomain);
        Assert.False(result.AddressSecure);
        Assert.Equal(["_25._tcp." + alias], _dns.Asked.Where(q => q.Type == QueryType.TLSA).Select(q => q.Name));
    }

    [Fact]
    public async Task DANE_2_2_2_d_InsecureFirstCname_DaneDoesNotApply_NoTlsaQuery()
    {
        const string alias = "alias.example.test", real = "real.example.test";
        _dns.Answer(alias, QueryType.A, ad: false, Cname(alias, real + "."), A(real, "192.0.2.25"))
            .NoData(alias, QueryType.AAAA, ad: false, Cname(alias, real + "."))
            .Answer(alias, QueryType.CNAME, ad: false, Cname(alias, real + "."));

        var result = await Lookup().LookupAsync(alias, mxSecure: true);

        Assert.Equal(DaneStatus.NotApplicable, result.Status);
        Assert.False(AskedFor(QueryType.TLSA));
        Assert.True(result.HostUsable);
    }

    [Fact]
    public async Task DANE_2_1_3_b_FailedCnameCheck_IsLookupFailed()
    {
        const string alias = "alias.example.test", real = "real.example.test";
        _dns.Answer(alias, QueryType.A, ad: false, Cname(alias, real + "."), A(real, "192.0.2.25"))
            .NoData(alias, QueryType.AAAA, ad: false, Cname(alias, real + "."))
            .Fail(alias, QueryType.CNAME);

        var result = await Lookup().LookupAsync(alias, mxSecure: true);

        Assert.Equal(DaneStatus.LookupFailed, result.Status);
        Assert.False(AskedFor(QueryType.TLSA));
    }

    [Fact]
    public async Task DANE_2_1_3_a_AddressCnameLoop_IsLookupFailed()
    {
        const string alias = "alias.example.test";
        _dns.Answer(alias, QueryType.A, ad: true, Cname(alias, "b.example.test."), Cname("b.example.test", alias + "."))
            .Answer(alias, QueryType.AAAA, ad: true, Cname(alias, "b.example.test."), Cname("b.example.test", alias + "."));

        var result = await Lookup().LookupAsync(alias, mxSecure: true);

        Assert.Equal(DaneStatus.LookupFailed, result.Status);
    }

    [Fact]
    public async Task DANE_2_2_3_e_CnameAtTheTlsaName_IsFollowed_BaseDomainUnchanged()
    {
        // Also: DANE-2.2.3-c.
        const string shared = "_25._tcp.tlsa.provider.test";
        SecureAddresses().Answer(TlsaName, QueryType.TLSA, ad: true, Cname(TlsaName, shared + "."), Tlsa311(shared), Tlsa311("_25._tcp.other.test", fill: 9));

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.Usable, result.Status);
        Assert.Equal(Host, result.BaseDomain);
        Assert.Equal(0xAB, Assert.Single(result.Records).Data.Span[0]);
    }

    [Fact]
    public async Task DANE_2_1_1_e_UntrustedResolver_DaneUnavailable_EvenWithAdBit_NoTlsaQuery()
    {
        // Also: DANE-2.1.1-f.
        _dns.DefaultResolver = new IPEndPoint(IPAddress.Parse("198.51.100.53"), 53);
        SecureAddresses().Answer(TlsaName, QueryType.TLSA, ad: true, Tlsa311(TlsaName));

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.Unavailable, result.Status);
        Assert.False(result.AddressSecure);
        Assert.True(result.HostUsable);
        Assert.False(AskedFor(QueryType.TLSA));
        Assert.Contains("198.51.100.53", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DANE_2_1_1_e_TlsaAnswerFromUntrustedResolver_DaneUnavailable()
    {
        SecureAddresses().Reply(TlsaName, QueryType.TLSA, DnsHeaderResponseCode.NoError, ad: true, [Tlsa311(TlsaName)], [], new IPEndPoint(IPAddress.Parse("198.51.100.53"), 53));

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.Unavailable, result.Status);
        Assert.Empty(result.Records);
    }

    [Fact]
    public async Task DANE_2_1_1_e_ListedResolver_IsTrusted()
    {
        _options.Dane.TrustedResolvers.Add(IPAddress.Parse("198.51.100.53"));
        _dns.DefaultResolver = new IPEndPoint(IPAddress.Parse("198.51.100.53"), 53);
        SecureAddresses().Answer(TlsaName, QueryType.TLSA, ad: true, Tlsa311(TlsaName));

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.Usable, result.Status);
    }

    [Fact]
    public async Task DaneDisabled_IsUnavailable_WithoutTlsaQuery_AddressesStillReturned()
    {
        _options.Dane.Enabled = false;
        SecureAddresses();

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.Unavailable, result.Status);
        Assert.Equal(2, result.Addresses.Count);
        Assert.False(AskedFor(QueryType.TLSA));
    }

    [Theory]
    [InlineData("192.0.2.25")]
    [InlineData("[192.0.2.25]")]
    [InlineData("[IPv6:2001:db8::25]")]
    [InlineData("2001:db8::25")]
    public async Task DANE_2_2_g_AddressLiteralMxHost_DaneDoesNotApply_NoQueries(string literal)
    {
        var result = await Lookup().LookupAsync(literal, mxSecure: true);

        Assert.Equal(DaneStatus.NotApplicable, result.Status);
        Assert.Single(result.Addresses);
        Assert.Empty(_dns.Asked);
    }

    [Fact]
    public async Task DANE_2_2_1_g_HostOfInsecureMx_StillGetsDane_ResultRemembersTheMxWasInsecure()
    {
        // Also: DANE-2.2.1-h (the result says the MX was insecure, so the delivery is not logged as secure to the domain).
        SecureAddresses().Answer(TlsaName, QueryType.TLSA, ad: true, Tlsa311(TlsaName));

        var result = await Lookup().LookupAsync(Host, mxSecure: false);

        Assert.Equal(DaneStatus.Usable, result.Status);
        Assert.False(result.MxSecure);
    }

    [Fact]
    public async Task TimeToLive_IsTheSmallestTtlOfTheAnswersUsed()
    {
        _dns.Answer(Host, QueryType.A, ad: true, A(Host, "192.0.2.25", ttl: 600))
            .Answer(Host, QueryType.AAAA, ad: true, Aaaa(Host, "2001:db8::25", ttl: 500))
            .Answer(TlsaName, QueryType.TLSA, ad: true, Tlsa311(TlsaName, ttl: 60));

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(TimeSpan.FromSeconds(60), result.TimeToLive);
    }

    [Fact]
    public async Task HostName_IsNormalised()
    {
        SecureAddresses().Answer(TlsaName, QueryType.TLSA, ad: true, Tlsa311(TlsaName));

        var result = await Lookup().LookupAsync("MX.Example.TEST.", mxSecure: true);

        Assert.Equal(Host, result.Host);
        Assert.Equal(DaneStatus.Usable, result.Status);
    }

    [Fact]
    public async Task OddAsciiHostFromDns_IsLookedUp_NotRejectedAsInput()
    {
        const string odd = "mail_relay.example.test";
        _dns.NxDomain(odd, QueryType.A, ad: true).NxDomain(odd, QueryType.AAAA, ad: true);

        var result = await Lookup().LookupAsync(odd, mxSecure: true);

        Assert.False(result.HostUsable);
        Assert.Equal(2, _dns.Asked.Count);
    }

    [Fact]
    public async Task UnicodeHost_IsLookedUpAsALabel()
    {
        const string ace = "xn--mx-cja.example.test";
        _dns.Answer(ace, QueryType.A, ad: false, A(ace, "192.0.2.25")).NoData(ace, QueryType.AAAA, ad: false);

        var result = await Lookup().LookupAsync("mxé.example.test", mxSecure: false);

        Assert.Equal(ace, result.Host);
        Assert.Single(result.Addresses);
    }

    [Fact]
    public async Task DANE_2_1_1_g_MalformedTlsaRdata_IsAParseFailureOfTheAnswer_NotCannotBeSent()
    {
        // DnsClient's TLSA reader throws an ArgumentException for RDATA too short for its fields: the answer is
        // malformed; nothing is wrong with the question.
        SecureAddresses().Throw(TlsaName, QueryType.TLSA, new ArgumentOutOfRangeException("certificateAssociationData", "too short"));

        var result = await Lookup().LookupAsync(Host, mxSecure: true);

        Assert.Equal(DaneStatus.LookupFailed, result.Status);
        Assert.Contains("malformed", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot be sent", result.Message, StringComparison.Ordinal);
    }
}
