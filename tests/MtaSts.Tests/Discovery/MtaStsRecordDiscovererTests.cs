using DnsClient;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using MtaSts.Discovery;
using MtaSts.Tests.Fakes;
using static MtaSts.Tests.Fakes.FakeDnsQuery;

namespace MtaSts.Tests.Discovery;

public class MtaStsRecordDiscovererTests
{
    private const string Domain = "example.test";
    private const string Name = "_mta-sts.example.test";

    private static Task<DiscoveryResult> DiscoverAsync(FakeDnsQuery dns, string domain = Domain, CancellationToken cancellationToken = default) =>
        new MtaStsRecordDiscoverer(dns, NullLogger.Instance).DiscoverAsync(domain, cancellationToken);

    [Fact(DisplayName = "RFC 8461 §3.1: the TXT record is looked up at _mta-sts.<domain>")]
    public async Task STS_3_1_a_QueriesTxtAtUnderscoreMtaStsName()
    {
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT, Txt(Name, 300, "v=STSv1; id=20240101T000000;"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.Found, result.Status);
        Assert.Equal("20240101T000000", result.Record!.Id);
        Assert.Equal([(Name, QueryType.TXT)], dns.Asked);
        Assert.Equal(["v=STSv1; id=20240101T000000;"], result.TxtRecords);
        Assert.Null(result.Message);
        Assert.Null(result.DnsResponseCode);
    }

    [Fact(DisplayName = "RFC 8461 §3.1: the character-strings of a record are joined with nothing between them")]
    public async Task STS_3_1_i_MultiStringRecord_IsJoinedWithoutSeparator()
    {
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT, Txt(Name, 300, "v=STSv1; id=abc", "def123;"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.Found, result.Status);
        Assert.Equal("abcdef123", result.Record!.Id);
        Assert.Equal(["v=STSv1; id=abcdef123;"], result.TxtRecords);
        Assert.Equal("v=STSv1; id=abcdef123;", result.Record.Text);
    }

    [Fact(DisplayName = "RFC 8461 §3.1: a record split right after v=STSv1 still counts as an STS record once joined")]
    public async Task STS_3_1_i_SplitInsideVersionTag_IsJoinedBeforeFiltering()
    {
        // Also: STS-3.1-f
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT, Txt(Name, 300, "v=STS", "v1; id=x1"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.Found, result.Status);
        Assert.Equal("x1", result.Record!.Id);
    }

    [Fact(DisplayName = "RFC 8461 §3.1: unrelated TXT records are dropped before counting")]
    public async Task STS_3_1_f_UnrelatedTxtRecords_AreFilteredOut()
    {
        // Also: A-17
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT,
            Txt(Name, 300, "google-site-verification=abc"),
            Txt(Name, 300, "v=STSv1; id=one;"),
            Txt(Name, 300, "v=spf1 -all"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.Found, result.Status);
        Assert.Equal("one", result.Record!.Id);
        Assert.Equal(3, result.TxtRecords.Count);
        Assert.Contains("v=spf1 -all", result.TxtRecords);
    }

    [Fact(DisplayName = "RFC 8461 §3.1: two STS records mean no policy")]
    public async Task STS_3_1_g_TwoStsRecords_AreMultiple()
    {
        // Also: A-17
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT,
            Txt(Name, 300, "v=STSv1; id=one;"),
            Txt(Name, 300, "some other text"),
            Txt(Name, 300, "v=STSv1; id=two;"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.Multiple, result.Status);
        Assert.Null(result.Record);
        Assert.Equal(3, result.TxtRecords.Count);
        Assert.Contains("2 TXT records", result.Message);
    }

    [Fact(DisplayName = "RFC 8461 §3.1: TXT records none of which start with v=STSv1 mean no policy, with the records kept as evidence")]
    public async Task STS_3_1_g_NoStsRecordAfterFiltering_IsNotFoundWithEvidence()
    {
        // Also: A-17. Case matters: v=stsv1 is not the version tag.
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT, Txt(Name, 120, "v=stsv1; id=1;"), Txt(Name, 60, " v=STSv1; id=2;"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.NotFound, result.Status);
        Assert.Equal(["v=stsv1; id=1;", " v=STSv1; id=2;"], result.TxtRecords);
        Assert.Equal(TimeSpan.FromSeconds(60), result.TimeToLive);
        Assert.Contains("none of the 2 TXT records", result.Message);
    }

    [Fact(DisplayName = "Decision A-2: v=STSv1 followed by whitespace before ';' is an STS record")]
    public async Task A_2_WhitespaceBeforeSemicolon_CountsAsStsRecord()
    {
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT, Txt(Name, 300, "v=STSv1 ; id=abc;"), Txt(Name, 300, "v=STSv1\t;id=def"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.Multiple, result.Status);
    }

    [Fact(DisplayName = "RFC 8461 §3.1: the one STS record is invalid: Invalid with the parser's errors")]
    public async Task STS_3_1_g_OneInvalidRecord_IsInvalidWithErrors()
    {
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT, Txt(Name, 300, "v=STSv1; id=has space;"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.Invalid, result.Status);
        Assert.Null(result.Record);
        Assert.NotEmpty(result.Errors);
        Assert.Equal(["v=STSv1; id=has space;"], result.TxtRecords);
        Assert.StartsWith("the MTA-STS TXT record at _mta-sts.example.test is invalid: ", result.Message);
    }

    [Fact(DisplayName = "Decision A-21: an accepted slip comes back as a warning on a found record")]
    public async Task A_21_IdWithHyphen_IsFoundWithWarning()
    {
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT, Txt(Name, 300, "v=STSv1; id=2024-01-01;"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.Found, result.Status);
        Assert.Contains(result.Warnings, w => w.Code == "id-nonstandard-characters");
        Assert.Empty(result.Errors);
    }

    [Fact(DisplayName = "RFC 8461 §3.1: NXDOMAIN is no record, with the negative TTL min(SOA TTL, SOA MINIMUM)")]
    public async Task STS_3_1_g_NxDomain_IsNotFoundWithNegativeTtl()
    {
        var dns = new FakeDnsQuery().NxDomain(Name, QueryType.TXT, Soa(Domain, ttl: 3600, minimum: 300));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.NotFound, result.Status);
        Assert.Equal(TimeSpan.FromSeconds(300), result.TimeToLive);
        Assert.Empty(result.TxtRecords);
        Assert.Null(result.DnsResponseCode);
        Assert.Contains("NXDOMAIN", result.Message);
    }

    [Fact(DisplayName = "RFC 2308 §5: the negative TTL is the SOA's own TTL when that is the smaller one")]
    public async Task NoData_NegativeTtl_IsSoaTtlWhenSmallerThanMinimum()
    {
        var dns = new FakeDnsQuery().NoData(Name, QueryType.TXT, Soa(Domain, ttl: 45, minimum: 900));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.NotFound, result.Status);
        Assert.Equal(TimeSpan.FromSeconds(45), result.TimeToLive);
        Assert.Contains("NODATA", result.Message);
    }

    [Fact(DisplayName = "A negative answer without an SOA has TTL zero")]
    public async Task NoData_WithoutSoa_HasZeroTtl()
    {
        var dns = new FakeDnsQuery().NoData(Name, QueryType.TXT);

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.NotFound, result.Status);
        Assert.Equal(TimeSpan.Zero, result.TimeToLive);
    }

    [Theory(DisplayName = "Decision A-1: SERVFAIL, REFUSED and other error codes are a temporary DNS failure, not 'no policy'")]
    [InlineData(DnsHeaderResponseCode.ServerFailure, "ServerFailure", "SERVFAIL")]
    [InlineData(DnsHeaderResponseCode.Refused, "Refused", "REFUSED")]
    [InlineData(DnsHeaderResponseCode.FormatError, "FormatError", "FORMERR")]
    [InlineData(DnsHeaderResponseCode.NotImplemented, "NotImplemented", "NOTIMP")]
    public async Task A_1_ErrorRcode_IsDnsFailure(DnsHeaderResponseCode code, string expectedCode, string mnemonic)
    {
        var dns = new FakeDnsQuery().Rcode(Name, QueryType.TXT, code);

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.DnsFailure, result.Status);
        Assert.Equal(expectedCode, result.DnsResponseCode);
        Assert.Contains(mnemonic, result.Message);
        Assert.Contains(Name, result.Message);
        Assert.Equal(TimeSpan.Zero, result.TimeToLive);
    }

    [Fact(DisplayName = "Decision A-1: a timeout (DnsResponseException ConnectionTimeout) is a temporary DNS failure")]
    public async Task A_1_Timeout_IsDnsFailure()
    {
        var dns = new FakeDnsQuery().Throw(Name, QueryType.TXT, new DnsResponseException(DnsResponseCode.ConnectionTimeout, "timed out"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.DnsFailure, result.Status);
        Assert.Equal("ConnectionTimeout", result.DnsResponseCode);
        Assert.Contains("timed out", result.Message);
    }

    [Fact(DisplayName = "Decision A-1: any unexpected exception is a DNS failure, never thrown")]
    public async Task A_1_GarbageException_IsDnsFailure()
    {
        var dns = new FakeDnsQuery().Throw(Name, QueryType.TXT, new FormatException("bad label length"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.DnsFailure, result.Status);
        Assert.Equal("MalformedResponse", result.DnsResponseCode);
        Assert.Contains("cannot be parsed as a DNS message", result.Message);
        Assert.DoesNotContain("bad label length", result.Message); // the parser's text is not ours to show
    }

    [Fact(DisplayName = "Decision A-1: a truncated answer is a DNS failure")]
    public async Task A_1_TruncatedAnswer_IsDnsFailure()
    {
        var dns = new FakeDnsQuery().Respond(Name, QueryType.TXT,
            new FakeDnsResponse(DnsHeaderResponseCode.NoError, [Txt(Name, 300, "v=STSv1; id=x;")], truncated: true));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.DnsFailure, result.Status);
        Assert.Equal("Truncated", result.DnsResponseCode);
    }

    [Fact(DisplayName = "An answer holding only records of other names is malformed, not 'no record'")]
    public async Task A_1_AnswerForOtherName_IsDnsFailure()
    {
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT, Txt("_mta-sts.other.test", 300, "v=STSv1; id=x;"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.DnsFailure, result.Status);
        Assert.Equal("MalformedResponse", result.DnsResponseCode);
    }

    [Fact(DisplayName = "The caller's cancellation propagates; DnsClient's ConnectionTimeout for it is not a result")]
    public async Task CallerCancellation_Throws()
    {
        using var cts = new CancellationTokenSource();
        var dns = new FakeDnsQuery().Respond(Name, QueryType.TXT, _ =>
        {
            cts.Cancel();

            // DnsClient turns a cancelled query into this exception.
            throw new DnsResponseException(DnsResponseCode.ConnectionTimeout, "cancelled");
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DiscoverAsync(dns, cancellationToken: cts.Token));
    }

    [Fact(DisplayName = "RFC 8461 §3.1: a CNAME chain in the answer is followed; the TTL is the smallest along the chain and the RRset")]
    public async Task STS_3_1_j_CnameChainInAnswer_IsFollowed()
    {
        // _mta-sts.example.test -> _mta-sts.provider.test -> sts.hosting.test (TXT)
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT,
            CName(Name, "_mta-sts.provider.test.", ttl: 600),
            CName("_mta-sts.provider.test", "sts.hosting.test.", ttl: 90),
            Txt("sts.hosting.test", 3600, "v=STSv1; id=delegated1;"),
            Txt("unrelated.test", 5, "v=STSv1; id=ignored;"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.Found, result.Status);
        Assert.Equal("delegated1", result.Record!.Id);
        Assert.Equal(TimeSpan.FromSeconds(90), result.TimeToLive);
        Assert.Equal(1, dns.QueryCount);
    }

    [Fact(DisplayName = "RFC 8461 §3.1: when the answer holds only the CNAME, the target is queried")]
    public async Task STS_3_1_j_CnameOnlyAnswer_QueriesTarget()
    {
        var dns = new FakeDnsQuery()
            .Answer(Name, QueryType.TXT, CName(Name, "_mta-sts.provider.test.", ttl: 120))
            .Answer("_mta-sts.provider.test", QueryType.TXT, Txt("_mta-sts.provider.test", 3600, "v=STSv1; id=prov;"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.Found, result.Status);
        Assert.Equal("prov", result.Record!.Id);
        Assert.Equal(TimeSpan.FromSeconds(120), result.TimeToLive);
        Assert.Equal([(Name, QueryType.TXT), ("_mta-sts.provider.test", QueryType.TXT)], dns.Asked);
    }

    [Fact(DisplayName = "RFC 8461 §3.1: a CNAME to a name without TXT is NODATA with the chain's TTL limit")]
    public async Task STS_3_1_j_CnameToNoData_IsNotFound()
    {
        var dns = new FakeDnsQuery()
            .Answer(Name, QueryType.TXT, CName(Name, "target.provider.test.", ttl: 30))
            .NoData("target.provider.test", QueryType.TXT, Soa("provider.test", 600, 600));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.NotFound, result.Status);
        Assert.Equal(TimeSpan.FromSeconds(30), result.TimeToLive);
        Assert.Contains("target.provider.test", result.Message);
    }

    [Fact(DisplayName = "RFC 8461 §3.1: NXDOMAIN after a CNAME in the same answer is about the target")]
    public async Task STS_3_1_j_CnameThenNxDomain_IsNotFoundForTarget()
    {
        var dns = new FakeDnsQuery().NxDomain(Name, QueryType.TXT, Soa("provider.test", 900, 900), CName(Name, "gone.provider.test.", ttl: 600));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.NotFound, result.Status);
        Assert.Equal("gone.provider.test does not exist (NXDOMAIN)", result.Message);
        Assert.Equal(TimeSpan.FromSeconds(600), result.TimeToLive);
        Assert.Equal(1, dns.QueryCount);
    }

    [Fact(DisplayName = "RFC 8461 §3.1: a CNAME loop is detected and is a DNS failure, without endless queries")]
    public async Task STS_3_1_j_CnameLoop_IsDnsFailure()
    {
        var dns = new FakeDnsQuery()
            .Answer(Name, QueryType.TXT, CName(Name, "a.loop.test."))
            .Answer("a.loop.test", QueryType.TXT, CName("a.loop.test", "b.loop.test."))
            .Answer("b.loop.test", QueryType.TXT, CName("b.loop.test", "_mta-sts.example.test."));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.DnsFailure, result.Status);
        Assert.Equal("CnameLoop", result.DnsResponseCode);
        Assert.Contains("loop", result.Message);
        Assert.Equal(3, dns.QueryCount);
    }

    [Fact(DisplayName = "RFC 8461 §3.1: a loop inside one answer is detected too")]
    public async Task STS_3_1_j_CnameLoopInsideOneAnswer_IsDnsFailure()
    {
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT,
            CName(Name, "x.loop.test."),
            CName("x.loop.test", "_MTA-STS.Example.TEST."));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.DnsFailure, result.Status);
        Assert.Equal("CnameLoop", result.DnsResponseCode);
        Assert.Equal(1, dns.QueryCount);
    }

    [Fact(DisplayName = "RFC 8461 §3.1: a chain of 8 CNAMEs is followed, a ninth hop is refused")]
    public async Task STS_3_1_j_CnameChainLimit_IsEightHops()
    {
        static FakeDnsQuery Chain(int hops)
        {
            var dns = new FakeDnsQuery();
            string from = Name;
            for (int i = 1; i <= hops; i++)
            {
                string to = $"hop{i}.chain.test";
                dns.Answer(from, QueryType.TXT, CName(from, to + "."));
                from = to;
            }

            return dns.Answer(from, QueryType.TXT, Txt(from, 300, "v=STSv1; id=end;"));
        }

        DiscoveryResult eight = await DiscoverAsync(Chain(8));
        FakeDnsQuery nineDns = Chain(9);
        DiscoveryResult nine = await DiscoverAsync(nineDns);

        Assert.Equal(DiscoveryStatus.Found, eight.Status);
        Assert.Equal(DiscoveryStatus.DnsFailure, nine.Status);
        Assert.Equal("CnameChainTooLong", nine.DnsResponseCode);
        Assert.Equal(9, nineDns.QueryCount);
    }

    [Fact(DisplayName = "Owner names match case-insensitively and with or without the trailing dot")]
    public async Task OwnerNames_CompareCaseInsensitively()
    {
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT, Txt("_MTA-STS.EXAMPLE.TEST.", 300, "v=STSv1; id=upper;"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.Found, result.Status);
    }

    [Fact(DisplayName = "The TTL of a found record is the smallest of its RRset")]
    public async Task Found_TtlIsSmallestOfRrset()
    {
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT, Txt(Name, 900, "v=STSv1; id=a;"), Txt(Name, 200, "other"));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(TimeSpan.FromSeconds(200), result.TimeToLive);
    }

    [Fact(DisplayName = "A DNS failure is logged as a warning naming the domain and the code")]
    public async Task DnsFailure_IsLoggedAsWarning()
    {
        var logger = new FakeLogger();
        var dns = new FakeDnsQuery().Rcode(Name, QueryType.TXT, DnsHeaderResponseCode.ServerFailure);

        await new MtaStsRecordDiscoverer(dns, logger).DiscoverAsync(Domain, CancellationToken.None);

        FakeLogRecord record = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal(106, record.Id.Id);
        Assert.Contains("example.test", record.Message);
        Assert.Contains("ServerFailure", record.Message);
    }

    [Fact(DisplayName = "A malformed DNS answer with a huge payload gives a short, one-line message")]
    public async Task HostileDns_MalformedAnswerWithHugePayload_GivesAShortOneLineMessage()
    {
        string huge = "bad answer\r\nInjected: line\u0007" + new string('x', 90_000);
        var dns = new FakeDnsQuery().Throw(Name, QueryType.TXT, new DnsResponseParseException(huge, new byte[65_535], 12, 4));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.DnsFailure, result.Status);
        Assert.NotNull(result.Message);
        Assert.True(result.Message.Length <= 700, $"{result.Message.Length} characters");
        Assert.DoesNotContain(result.Message, c => char.IsControl(c));
        Assert.Contains("cannot be parsed as a DNS message", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Injected", result.Message, StringComparison.Ordinal); // none of the attacker's text
    }

    [Fact(DisplayName = "Evidence messages are capped and made one line in one place")]
    public void HostileDns_EvidenceMessage_IsCappedAndSanitised()
    {
        var evidence = new MtaStsEvidence { Message = "a\nb\u202Ec" + new string('y', 100_000), CertificateProblem = "p\r\nq" };

        Assert.Equal(MtaSts.Diagnostics.EvidenceText.MaxLength + 1, evidence.Message.Length);
        Assert.StartsWith("a b c", evidence.Message, StringComparison.Ordinal);
        Assert.EndsWith("\u2026", evidence.Message, StringComparison.Ordinal);
        Assert.Equal("p  q", evidence.CertificateProblem);
        const string clean = "the TXT lookup of _mta-sts.example.test failed";
        Assert.Same(clean, MtaSts.Diagnostics.EvidenceText.Cap(clean));
    }

    [Fact]
    public void HostileDns_EvidenceCap_IsExactAtItsBoundary()
    {
        var max = MtaSts.Diagnostics.EvidenceText.MaxLength;
        var atCap = new string('x', max);
        Assert.Same(atCap, MtaSts.Diagnostics.EvidenceText.Cap(atCap));

        var overCap = MtaSts.Diagnostics.EvidenceText.Cap(new string('x', max + 1));
        Assert.Equal(max + 1, overCap.Length);
        Assert.EndsWith("x\u2026", overCap, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileDns_AnInvalidRecordWithManyErrors_GivesACappedMessage()
    {
        // Every "a" is an extension without '=', so each adds an error: unbounded, the message grew to 4,883 characters.
        var record = "v=STSv1; id=1;" + string.Concat(Enumerable.Repeat(" a;", 300));
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT, Txt(Name, 300, record));

        DiscoveryResult result = await DiscoverAsync(dns);

        Assert.Equal(DiscoveryStatus.Invalid, result.Status);
        Assert.True(result.Errors.Count > 10);
        Assert.InRange(result.Message!.Length, 100, MtaSts.Diagnostics.EvidenceText.MaxLength + 1);
    }

    [Fact]
    public void HostileText_InAParserDiagnostic_IsEscaped()
    {
        var parsed = MtaStsPolicyParser.Parse("version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 86400\nfoo\u001b[31mRED\u202Eevil: bar\n");

        var message = Assert.Single(parsed.Errors).Message;
        Assert.Contains("\\u001b[31mRED\\u202eevil", message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u202E', message);
        Assert.DoesNotContain('\u001b', message);
    }
}
