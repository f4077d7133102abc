using System.Net;
using DnsClient;
using MtaSts.Dane;
using MtaSts.Dns;
using static MtaSts.IntegrationTests.Dnssec.DnssecTestZones;

namespace MtaSts.IntegrationTests.Dnssec;

/// <summary>
/// The DANE DNS lookups against a real validating resolver (unbound) serving signed, bogus and unsigned loopback zones.
/// </summary>
public sealed class ValidatingResolverTests : IClassFixture<UnboundFixture>
{
    private readonly UnboundFixture _fixture;
    private readonly LookupClient _client;

    public ValidatingResolverTests(UnboundFixture fixture)
    {
        _fixture = fixture;
        _client = fixture.CreateClient();
    }

    private MxLookup Mx(MtaStsOptions? options = null) => new(_client, options ?? UnboundFixture.CreateOptions());

    private MxHostLookup Tlsa(MtaStsOptions? options = null) => new(_client, options ?? UnboundFixture.CreateOptions());

    private async Task<IDnsQueryResponse> RawAsync(string name, QueryType type) =>
        await _client.QueryAsync(new DnsQuestion(name, type), new DnsQueryAndServerOptions { RequestDnsSecRecords = true, UseCache = false, Timeout = TimeSpan.FromSeconds(2), Retries = 0 });

    // ---- the harness itself: unbound really validates ----------------------------------------------------------------

    [Fact]
    public async Task DANE_2_1_1_b_Resolver_ClassifiesSecureBogusAndInsecureAnswers()
    {
        var secure = await RawAsync("_25._tcp.mx.secure.test", QueryType.TLSA);
        var bogus = await RawAsync("_25._tcp.mx.bogus.test", QueryType.TLSA);
        var insecure = await RawAsync("_25._tcp.mx.insecure.test", QueryType.TLSA);

        Assert.Equal(DnsHeaderResponseCode.NoError, secure.Header.ResponseCode);
        Assert.True(secure.Header.IsAuthenticData, _fixture.UnboundOutput);
        Assert.Equal(2, secure.Answers.TlsaRecords().Count());

        Assert.Equal(DnsHeaderResponseCode.ServerFailure, bogus.Header.ResponseCode);
        Assert.Empty(bogus.Answers.TlsaRecords());

        Assert.Equal(DnsHeaderResponseCode.NoError, insecure.Header.ResponseCode);
        Assert.False(insecure.Header.IsAuthenticData);
        Assert.Single(insecure.Answers.TlsaRecords());
    }

    [Fact]
    public async Task DANE_2_1_1_b_Resolver_ProvesDenialsInTheSignedZone_AndRefusesEverythingElse()
    {
        var denial = await RawAsync("_25._tcp.mx2.secure.test", QueryType.TLSA);
        var outside = await RawAsync("example.com", QueryType.A);

        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, denial.Header.ResponseCode);
        Assert.True(denial.Header.IsAuthenticData);
        Assert.Equal(DnsHeaderResponseCode.Refused, outside.Header.ResponseCode); // nothing leaves loopback
    }

    // ---- secure.test: DANE decides ----------------------------------------------------------------------------------

    [Fact]
    public async Task DANE_2_1_1_a_SignedZone_MxIsSecure_InPreferenceOrder()
    {
        // Also: DANE-2.2.1-b.
        var result = await Mx().LookupAsync(Secure);

        Assert.Equal(MxLookupStatus.Found, result.Status);
        Assert.True(result.Secure);
        Assert.Equal([new MxHost("mx.secure.test", 10), new MxHost("mx2.secure.test", 20)], result.Hosts);
    }

    [Fact]
    public async Task DANE_2_2_b_SecureUsableTlsa_AdBitSet_DaneDecides()
    {
        // Also: DANE-2.1.1-a, DANE-2.1.2-c, DANE-2.2.2-a.
        var result = await Tlsa().LookupAsync("mx.secure.test", mxSecure: true);

        Assert.Equal(DaneStatus.Usable, result.Status);
        Assert.True(result.AddressSecure);
        Assert.Equal("mx.secure.test", result.BaseDomain);
        Assert.Equal(
            [new TlsaAssociation(3, 1, 1, SecureMxEe), new TlsaAssociation(2, 0, 1, SecureMxTa)],
            result.Records.OrderByDescending(r => r.Usage));
        Assert.Equal([IPAddress.Parse("2001:db8::11"), IPAddress.Parse("127.0.0.11")], result.Addresses);
        Assert.True(result.HostUsable);
        Assert.True(result.TlsRequired);
    }

    [Fact]
    public async Task DANE_2_2_c_SecureTlsaWithoutUsableRecords_IsUnusable_TlsStillRequired()
    {
        // Also: PREC-c.
        var result = await Tlsa().LookupAsync("mx3.secure.test", mxSecure: true);

        Assert.Equal(DaneStatus.Unusable, result.Status);
        Assert.Equal(2, result.Records.Count);
        Assert.True(result.TlsRequired);
    }

    [Fact]
    public async Task DANE_2_1_1_g_AuthenticatedDenialOfTlsa_IsNotApplicable()
    {
        // Also: DANE-2.2-d, DANE-2.2.1-i.
        var result = await Tlsa().LookupAsync("mx2.secure.test", mxSecure: true);

        Assert.Equal(DaneStatus.NotApplicable, result.Status);
        Assert.True(result.AddressSecure);
        Assert.True(result.HostUsable);
    }

    [Fact]
    public async Task DANE_2_2_3_b_TlsaOwnerNameCarriesTheConfiguredPort()
    {
        var options = UnboundFixture.CreateOptions();
        options.Delivery.SmtpPort = 2525;

        var result = await Tlsa(options).LookupAsync("mx2.secure.test", mxSecure: true);

        Assert.Equal(DaneStatus.Usable, result.Status);
        Assert.Equal(new TlsaAssociation(3, 1, 1, Mx2Port2525), Assert.Single(result.Records));
    }

    [Fact]
    public async Task DANE_2_2_3_a_SecureAlias_ExpandedNameIsTheBaseDomain()
    {
        var result = await Tlsa().LookupAsync("alias.secure.test", mxSecure: true);

        Assert.Equal(DaneStatus.Usable, result.Status);
        Assert.Equal("mx.secure.test", result.BaseDomain);
    }

    [Fact]
    public async Task DANE_2_2_3_g_SecureAliasWhoseTargetHasNoTlsa_FallsBackToTheOriginalName()
    {
        var result = await Tlsa().LookupAsync("alias2.secure.test", mxSecure: true);

        Assert.Equal(DaneStatus.Usable, result.Status);
        Assert.Equal("alias2.secure.test", result.BaseDomain);
        Assert.Equal(new TlsaAssociation(3, 1, 1, Alias2), Assert.Single(result.Records));
    }

    [Fact]
    public async Task DANE_2_2_2_d_SecureFirstCnameIntoUnsignedZone_OnlyTheOriginalNameCounts()
    {
        // Also: DANE-2.1.3-c, DANE-2.1.3-d.
        var result = await Tlsa().LookupAsync("partial.secure.test", mxSecure: true);

        Assert.False(result.AddressSecure);
        Assert.Equal(DaneStatus.Usable, result.Status);
        Assert.Equal("partial.secure.test", result.BaseDomain);
        Assert.Equal(new TlsaAssociation(3, 1, 1, Partial), Assert.Single(result.Records));
        Assert.Equal([IPAddress.Parse("127.0.0.31")], result.Addresses);
    }

    [Fact]
    public async Task A_15_NoMx_DomainIsTheImplicitMx_SecureDenial_AndGetsDane()
    {
        var mx = await Mx().LookupAsync("nomx.secure.test");
        var host = Assert.Single(mx.Hosts);
        var dane = await Tlsa().LookupAsync(host.Name, mx.Secure);

        Assert.Equal(MxLookupStatus.ImplicitMx, mx.Status);
        Assert.True(mx.Secure);
        Assert.Equal("nomx.secure.test", host.Name);
        Assert.Equal(DaneStatus.Usable, dane.Status);
    }

    [Fact]
    public async Task NullMx_InSignedZone_IsNullMx()
    {
        var result = await Mx().LookupAsync("nullmx.secure.test");

        Assert.Equal(MxLookupStatus.NullMx, result.Status);
        Assert.True(result.Secure);
    }

    [Fact]
    public async Task DANE_2_2_2_c_SecureMxPointingIntoUnsignedZone_HostGetsNoDane()
    {
        var mx = await Mx().LookupAsync("viainsecure.secure.test");
        var dane = await Tlsa().LookupAsync(Assert.Single(mx.Hosts).Name, mx.Secure);

        Assert.True(mx.Secure);
        Assert.Equal(DaneStatus.NotApplicable, dane.Status);
        Assert.False(dane.AddressSecure);
        Assert.True(dane.HostUsable);
    }

    [Fact]
    public async Task DANE_2_1_1_e_SameResolverNotListedAsTrusted_DaneUnavailable()
    {
        // Also: DANE-2.1.1-f.
        var options = UnboundFixture.CreateOptions();
        options.Dane.TrustedResolvers.Add(IPAddress.Parse("192.0.2.53"));

        var mx = await Mx(options).LookupAsync(Secure);
        var dane = await Tlsa(options).LookupAsync("mx.secure.test", mxSecure: mx.Secure);

        Assert.False(mx.Secure);
        Assert.False(mx.ResolverTrusted);
        Assert.Equal(DaneStatus.Unavailable, dane.Status);
        Assert.Empty(dane.Records);
    }

    // ---- bogus.test: the host is unusable ---------------------------------------------------------------------------

    [Fact]
    public async Task PREC_b_BogusTlsa_HostUnusable_ThoughItsMxIsSecure()
    {
        // Also: DANE-2.1.1-d, DANE-2.1.2-d, DANE-2.2-e. The MX and the address validate, so an MTA-STS policy listing
        // mx.bogus.test would pass; the broken TLSA signature still takes the host out.
        var mx = await Mx().LookupAsync(Bogus);
        var dane = await Tlsa().LookupAsync(Assert.Single(mx.Hosts).Name, mx.Secure);

        Assert.Equal(MxLookupStatus.Found, mx.Status);
        Assert.True(mx.Secure);
        Assert.Equal(DaneStatus.LookupFailed, dane.Status);
        Assert.True(dane.AddressSecure);
        Assert.False(dane.HostUsable);
        Assert.Contains("SERVFAIL", dane.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DANE_2_1_1_d_BogusAddressRecords_HostUnusable_NoDaneVerdict()
    {
        // Also: DANE-2.2.2-e.
        var result = await Tlsa().LookupAsync("badaddr.bogus.test", mxSecure: true);

        Assert.Equal(DaneStatus.LookupFailed, result.Status);
        Assert.Empty(result.Addresses);
        Assert.False(result.HostUsable);
    }

    [Fact]
    public async Task DANE_2_1_2_a_BogusMx_IsFailed_DeliveryDelayed()
    {
        // Also: PREC-d.
        var result = await Mx().LookupAsync("badmx.bogus.test");

        Assert.Equal(MxLookupStatus.Failed, result.Status);
        Assert.True(result.IsTemporaryFailure);
        Assert.Empty(result.Hosts);
    }

    // ---- insecure.test: DANE does not apply, MTA-STS decides --------------------------------------------------------

    [Fact]
    public async Task DANE_2_2_d_UnsignedZone_MxInsecure_TlsaIgnored_FallsBackToMtaSts()
    {
        // Also: DANE-2.2.1-f, DANE-2.2.2-c.
        var mx = await Mx().LookupAsync(Insecure);
        var dane = await Tlsa().LookupAsync(Assert.Single(mx.Hosts).Name, mx.Secure);

        Assert.Equal(MxLookupStatus.Found, mx.Status);
        Assert.False(mx.Secure);
        Assert.True(mx.ResolverTrusted);
        Assert.Equal(DaneStatus.NotApplicable, dane.Status);
        Assert.Empty(dane.Records);
        Assert.True(dane.HostUsable);
        Assert.Equal("mx.insecure.test", dane.BaseDomain);
    }

    // ---- no resolver at all -----------------------------------------------------------------------------------------

    [Fact]
    public async Task DANE_2_1_2_d_ResolverUnreachable_MxFailed_HostUnusable()
    {
        // Also: PREC-d. A loopback port nobody listens on: the query fails at once (ICMP port unreachable) or times out.
        var silent = new LookupClient(new LookupClientOptions(new IPEndPoint(IPAddress.Loopback, UnboundFixture.UnusedPort()))
        {
            UseCache = false,
            AutoResolveNameServers = false,
        });
        var options = UnboundFixture.CreateOptions();
        options.Dns.Timeout = TimeSpan.FromMilliseconds(300);

        var mx = await new MxLookup(silent, options).LookupAsync(Secure);
        var dane = await new MxHostLookup(silent, options).LookupAsync("mx.secure.test", mxSecure: true);

        Assert.Equal(MxLookupStatus.Failed, mx.Status);
        Assert.Equal(DaneStatus.LookupFailed, dane.Status);
        Assert.False(dane.HostUsable);
    }
}
