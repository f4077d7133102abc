using System.Net;
using DnsClient;
using MtaSts.Dane;
using MtaSts.Dns;
using MtaSts.Tests.Fakes;
using static MtaSts.Tests.Fakes.DaneFakeDns;

namespace MtaSts.Tests.Dns;

public class MxLookupTests
{
    private const string Domain = "example.test";

    private readonly DaneFakeDns _dns = new();
    private readonly MtaStsOptions _options = new();

    private MxLookup Lookup() => new(_dns, _options);

    [Fact]
    public async Task DANE_2_2_1_b_HostsAreOrderedByPreference_TiesKeepAnswerOrder()
    {
        _dns.Answer(Domain, QueryType.MX, ad: true,
            Mx(Domain, 20, "mx-c.example.test."),
            Mx(Domain, 10, "mx-b.example.test."),
            Mx(Domain, 20, "mx-a.example.test."),
            Mx(Domain, 5, "mx-d.example.test."));

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.Found, result.Status);
        Assert.Equal(
            ["mx-d.example.test", "mx-b.example.test", "mx-c.example.test", "mx-a.example.test"],
            result.Hosts.Select(h => h.Name));
        Assert.Equal([5, 10, 20, 20], result.Hosts.Select(h => h.Preference));
    }

    [Fact]
    public async Task MxNames_AreNormalised_TrailingDotRemoved_LowerCase_DuplicatesKeepBestPreference()
    {
        _dns.Answer(Domain, QueryType.MX, ad: false,
            Mx(Domain, 30, "MX1.Example.TEST."),
            Mx(Domain, 10, "mx1.example.test."),
            Mx(Domain, 20, "Mx2.EXAMPLE.test."));

        var result = await Lookup().LookupAsync("Example.TEST.");

        Assert.Equal(Domain, result.Domain);
        Assert.Equal([new MxHost("mx1.example.test", 10), new MxHost("mx2.example.test", 20)], result.Hosts);
    }

    [Fact]
    public async Task UnicodeDomain_IsQueriedAsALabel()
    {
        const string ace = "xn--bcher-kva.example.test";
        _dns.Answer(ace, QueryType.MX, ad: false, Mx(ace, 10, "mx.example.test."));

        var result = await Lookup().LookupAsync("Bücher.example.test");

        Assert.Equal(ace, result.Domain);
        Assert.Equal(ace, Assert.Single(_dns.Asked).Name);
    }

    [Fact]
    public async Task DANE_2_1_1_a_QueriesSetTheDoBit_AndBypassDnsClientsCache()
    {
        // Also: DANE-2.1.1-b (the resolver's classification reaches us only when DO is set).
        _options.Dns.Timeout = TimeSpan.FromSeconds(3);
        _options.Dns.Retries = 1;
        _dns.Answer(Domain, QueryType.MX, ad: true, Mx(Domain, 10, "mx.example.test."));

        await Lookup().LookupAsync(Domain);

        var options = Assert.Single(_dns.Asked).Options;
        Assert.NotNull(options);
        Assert.True(options.RequestDnsSecRecords);
        Assert.False(options.UseCache);
        Assert.False(options.ContinueOnDnsError);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
        Assert.Equal(1, options.Retries);
    }

    [Fact]
    public async Task DANE_2_1_1_e_AdBitFromLoopbackResolver_IsSecure()
    {
        _dns.Answer(Domain, QueryType.MX, ad: true, Mx(Domain, 10, "mx.example.test."));

        var result = await Lookup().LookupAsync(Domain);

        Assert.True(result.Secure);
        Assert.True(result.ResolverTrusted);
    }

    [Fact]
    public async Task DANE_2_1_1_e_NoAdBit_IsInsecure()
    {
        _dns.Answer(Domain, QueryType.MX, ad: false, Mx(Domain, 10, "mx.example.test."));

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.Found, result.Status);
        Assert.False(result.Secure);
        Assert.True(result.ResolverTrusted);
    }

    [Fact]
    public async Task DANE_2_1_1_e_AdBitFromUntrustedResolver_IsNotBelieved()
    {
        // Also: DANE-2.1.1-f.
        _dns.DefaultResolver = new IPEndPoint(IPAddress.Parse("192.0.2.53"), 53);
        _dns.Answer(Domain, QueryType.MX, ad: true, Mx(Domain, 10, "mx.example.test."));

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.Found, result.Status);
        Assert.False(result.Secure);
        Assert.False(result.ResolverTrusted);
        Assert.Contains("192.0.2.53", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DANE_2_1_1_e_ConfiguredTrustedResolvers_ReplaceTheLoopbackDefault()
    {
        _options.Dane.TrustedResolvers.Add(IPAddress.Parse("192.0.2.53"));
        _dns.Answer(Domain, QueryType.MX, ad: true, Mx(Domain, 10, "mx.example.test."));
        _dns.Reply("other.test", QueryType.MX, DnsHeaderResponseCode.NoError, ad: true, [Mx("other.test", 10, "mx.other.test.")], [], new IPEndPoint(IPAddress.Parse("192.0.2.53"), 53));
        var lookup = Lookup();

        var fromLoopback = await lookup.LookupAsync(Domain);
        var fromListed = await lookup.LookupAsync("other.test");

        Assert.False(fromLoopback.Secure);
        Assert.True(fromListed.Secure);
    }

    [Fact]
    public async Task DANE_2_1_1_e_IPv4MappedLoopbackResolver_IsTrusted()
    {
        _dns.DefaultResolver = new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.53"), 53);
        _dns.Answer(Domain, QueryType.MX, ad: true, Mx(Domain, 10, "mx.example.test."));

        var result = await Lookup().LookupAsync(Domain);

        Assert.True(result.Secure);
    }

    [Fact]
    public async Task DANE_2_1_2_a_MxServfail_IsFailed_NotNoMx()
    {
        // Also: PREC-d, DANE-2.1.1-d (a validating resolver reports bogus and indeterminate as SERVFAIL).
        _dns.Fail(Domain, QueryType.MX);

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.Failed, result.Status);
        Assert.True(result.IsTemporaryFailure);
        Assert.Empty(result.Hosts);
        Assert.False(result.Secure);
        Assert.Equal(TimeSpan.Zero, result.TimeToLive);
        Assert.Contains("SERVFAIL", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PREC_d_UnparseableMxReply_IsFailed_NotAnException()
    {
        // Also: DANE-2.1.1-g (a malformed reply is a lookup error), DANE-2.1.2-a.
        _dns.Throw(Domain, QueryType.MX, new DnsResponseParseException("bad rdata", new byte[12], 10, 4));

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.Failed, result.Status);
        Assert.Empty(result.Hosts);
    }

    [Fact]
    public async Task PREC_d_MxTimeout_IsFailed()
    {
        _dns.Throw(Domain, QueryType.MX, new DnsResponseException(DnsResponseCode.ConnectionTimeout, "timed out"));

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.Failed, result.Status);
        Assert.Empty(result.Hosts);
    }

    [Theory]
    [InlineData(DnsHeaderResponseCode.Refused)]
    [InlineData(DnsHeaderResponseCode.FormatError)]
    [InlineData(DnsHeaderResponseCode.NotImplemented)]
    public async Task DANE_2_1_1_g_OtherErrorRcodes_AreFailures(DnsHeaderResponseCode code)
    {
        _dns.Fail(Domain, QueryType.MX, code);

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.Failed, result.Status);
    }

    [Fact]
    public async Task DANE_2_1_1_g_TruncatedReply_IsFailure()
    {
        _dns.Reply(Domain, QueryType.MX, DnsHeaderResponseCode.NoError, ad: true, [Mx(Domain, 10, "mx.example.test.")], [], truncated: true);

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.Failed, result.Status);
    }

    [Fact]
    public async Task DANE_2_1_1_g_ReplyToAnotherQuestion_IsFailure()
    {
        _dns.Reply(Domain, QueryType.MX, DnsHeaderResponseCode.NoError, ad: true, [Mx("evil.test", 10, "mx.evil.test.")], [],
            echoedQuestion: new DnsQuestion("evil.test", QueryType.MX));

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.Failed, result.Status);
        Assert.Empty(result.Hosts);
    }

    [Fact]
    public async Task A_15_NoMxRecords_DomainItselfIsTheImplicitMx()
    {
        _dns.NoData(Domain, QueryType.MX, ad: true);

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.ImplicitMx, result.Status);
        Assert.Equal([new MxHost(Domain, 0)], result.Hosts);
        Assert.True(result.Secure); // an authenticated denial
        Assert.Equal(TimeSpan.FromSeconds(300), result.TimeToLive); // SOA MINIMUM (RFC 2308)
    }

    [Fact]
    public async Task A_15_AliasWithoutMx_ImplicitMxIsTheRecipientDomainAsGiven()
    {
        _dns.NoData(Domain, QueryType.MX, ad: false, Cname(Domain, "target.example.test."));

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.ImplicitMx, result.Status);
        Assert.Equal(Domain, Assert.Single(result.Hosts).Name);
    }

    [Fact]
    public async Task DANE_2_2_1_d_MxThroughCname_UsesTheTargetsMxRecords()
    {
        _dns.Answer(Domain, QueryType.MX, ad: true,
            Cname(Domain, "alias.example.test."),
            Cname("alias.example.test", "real.example.test."),
            Mx("real.example.test", 10, "mx.real.example.test."),
            Mx("stray.example.test", 1, "mx.stray.example.test."));

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.Found, result.Status);
        Assert.Equal("mx.real.example.test", Assert.Single(result.Hosts).Name);
        Assert.True(result.Secure);
    }

    [Fact]
    public async Task DANE_2_1_3_a_CnameLoop_IsFailure()
    {
        _dns.Answer(Domain, QueryType.MX, ad: true,
            Cname(Domain, "loop.example.test."),
            Cname("loop.example.test", Domain + "."));

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.Failed, result.Status);
    }

    [Fact]
    public async Task NullMx_MeansNoDelivery()
    {
        _dns.Answer(Domain, QueryType.MX, ad: true, Mx(Domain, 0, "."));

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.NullMx, result.Status);
        Assert.Empty(result.Hosts);
        Assert.False(result.IsTemporaryFailure);
    }

    [Fact]
    public async Task NullMx_NextToRealHosts_IsIgnored()
    {
        _dns.Answer(Domain, QueryType.MX, ad: true, Mx(Domain, 0, "."), Mx(Domain, 10, "mx.example.test."));

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.Found, result.Status);
        Assert.Equal("mx.example.test", Assert.Single(result.Hosts).Name);
        Assert.Contains("RFC 7505", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonExistentDomain_IsDomainNotFound_NotImplicitMx()
    {
        _dns.NxDomain(Domain, QueryType.MX, ad: true);

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(MxLookupStatus.DomainNotFound, result.Status);
        Assert.Empty(result.Hosts);
        Assert.True(result.Secure);
        Assert.False(result.IsTemporaryFailure);
    }

    [Fact]
    public async Task TimeToLive_IsTheSmallestRecordTtl()
    {
        _dns.Answer(Domain, QueryType.MX, ad: true, Mx(Domain, 10, "mx1.example.test.", ttl: 900), Mx(Domain, 20, "mx2.example.test.", ttl: 120));

        var result = await Lookup().LookupAsync(Domain);

        Assert.Equal(TimeSpan.FromSeconds(120), result.TimeToLive);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(".")]
    public async Task EmptyDomain_IsArgumentException_BeforeAnyQuery(string domain)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Lookup().LookupAsync(domain));
        Assert.Empty(_dns.Asked);
    }

    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("[192.0.2.1]")]
    public async Task AddressLiteralDomain_IsArgumentException_BeforeAnyQuery(string domain)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Lookup().LookupAsync(domain));
        Assert.Empty(_dns.Asked);
    }

    [Fact]
    public async Task CancellationWrappedByDnsClient_IsCancellation_NotADnsFailure()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        _dns.Throw(Domain, QueryType.MX, new DnsResponseException("Operation canceled"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Lookup().LookupAsync(Domain, cts.Token));
    }
}
