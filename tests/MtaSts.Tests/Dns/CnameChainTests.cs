using DnsClient;
using DnsClient.Protocol;
using MtaSts.Dns;
using static MtaSts.Tests.Fakes.DaneFakeDns;

namespace MtaSts.Tests.Dns;

public class CnameChainTests
{
    [Fact]
    public void NotAnAlias_EndsAtTheStart_WithItsRecords()
    {
        CnameChainResult chain = CnameChain.Follow([A("host.example.", "192.0.2.1", ttl: 120)], "Host.Example.", QueryType.A);

        Assert.Equal(CnameChainStatus.Ok, chain.Status);
        Assert.Equal("host.example", chain.FinalName);
        Assert.False(chain.IsAliased);
        Assert.Single(chain.Records);
        Assert.Equal(TimeSpan.FromSeconds(120), chain.TimeToLive);
    }

    [Fact]
    public void STS_3_1_j_DANE_2_1_3_a_Chain_IsFollowedToTheRecordsOfTheFinalName()
    {
        DnsResourceRecord[] answers =
        [
            A("c.example", "192.0.2.3"),
            Cname("b.example", "c.example"),
            Cname("a.example", "b.example"),
            A("a.example.other", "192.0.2.9"),
        ];

        CnameChainResult chain = CnameChain.Follow(answers, "a.example", QueryType.A);

        Assert.Equal(CnameChainStatus.Ok, chain.Status);
        Assert.Equal("c.example", chain.FinalName);
        Assert.Equal(["b.example", "c.example"], chain.Hops);
        Assert.Equal("192.0.2.3", Assert.IsType<ARecord>(Assert.Single(chain.Records)).Address.ToString());
    }

    [Fact]
    public void MinTtl_IsTheSmallestOverTheChainAndTheRrset()
    {
        DnsResourceRecord[] answers =
        [
            Cname("a.example", "b.example", ttl: 600),
            Cname("b.example", "c.example", ttl: 45),
            A("c.example", "192.0.2.3", ttl: 300),
            A("c.example", "192.0.2.4", ttl: 900),
            A("unrelated.example", "192.0.2.5", ttl: 1),
        ];

        CnameChainResult chain = CnameChain.Follow(answers, "a.example", QueryType.A);

        Assert.Equal(45, chain.ChainTtlSeconds);
        Assert.Equal(TimeSpan.FromSeconds(45), chain.TimeToLive);

        CnameChainResult rrsetSmaller = CnameChain.Follow([Cname("a.example", "c.example", ttl: 600), A("c.example", "192.0.2.3", ttl: 30)], "a.example", QueryType.A);
        Assert.Equal(TimeSpan.FromSeconds(30), rrsetSmaller.TimeToLive);
    }

    [Fact]
    public void ChainWithoutRecords_IsOk_AndBoundedByTheChainOnly()
    {
        CnameChainResult chain = CnameChain.Follow([Cname("a.example", "b.example", ttl: 70)], "a.example", QueryType.MX);

        Assert.Equal(CnameChainStatus.Ok, chain.Status);
        Assert.Equal("b.example", chain.FinalName);
        Assert.Empty(chain.Records);
        Assert.Equal(70, chain.MinTtlSeconds);
    }

    [Fact]
    public void Loop_IsReported_WithTheRepeatedName()
    {
        DnsResourceRecord[] answers = [Cname("a.example", "b.example"), Cname("b.example", "A.Example.")];

        CnameChainResult chain = CnameChain.Follow(answers, "a.example", QueryType.TXT);

        Assert.Equal(CnameChainStatus.Loop, chain.Status);
        Assert.Equal(["b.example", "a.example"], chain.Hops);
        Assert.Equal("b.example", chain.FinalName);
        Assert.Empty(chain.Records);
    }

    [Fact]
    public void SelfLoop_IsALoop()
    {
        Assert.Equal(CnameChainStatus.Loop, CnameChain.Follow([Cname("a.example", "a.example")], "a.example", QueryType.A).Status);
    }

    [Fact]
    public void DANE_2_1_3_a_MaxHops_IsAllowed_OneMoreIsTooLong()
    {
        DnsResourceRecord[] Chain(int hops) => Enumerable.Range(0, hops).Select(i => (DnsResourceRecord)Cname($"n{i}.example", $"n{i + 1}.example")).ToArray();

        CnameChainResult eight = CnameChain.Follow(Chain(CnameChain.MaxHops), "n0.example", QueryType.A);
        CnameChainResult nine = CnameChain.Follow(Chain(CnameChain.MaxHops + 1), "n0.example", QueryType.A);

        Assert.Equal(CnameChainStatus.Ok, eight.Status);
        Assert.Equal(CnameChain.MaxHops, eight.Hops.Count);
        Assert.Equal(CnameChainStatus.TooLong, nine.Status);
        Assert.Equal($"n{CnameChain.MaxHops}.example", nine.FinalName);
        Assert.Equal(CnameChainStatus.TooLong, CnameChain.Follow(Chain(3), "n0.example", QueryType.A, maxHops: 2).Status);
    }

    [Fact]
    public void EmptyTarget_IsReported_AtTheCnameOwner()
    {
        CnameChainResult chain = CnameChain.Follow([Cname("a.example", "b.example"), Cname("b.example", ".")], "a.example", QueryType.A);

        Assert.Equal(CnameChainStatus.EmptyTarget, chain.Status);
        Assert.Equal("b.example", chain.FinalName);
        Assert.Contains("empty target", chain.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordsOfAnotherClass_AreIgnored()
    {
        var chaosCname = new CNameRecord(new ResourceRecordInfo(DnsString.Parse("a.example"), ResourceRecordType.CNAME, QueryClass.CH, 300, 0), DnsString.Parse("evil.example"));
        var chaosA = new ARecord(new ResourceRecordInfo(DnsString.Parse("a.example"), ResourceRecordType.A, QueryClass.CH, 300, 0), System.Net.IPAddress.Parse("192.0.2.66"));

        CnameChainResult chain = CnameChain.Follow([chaosCname, chaosA], "a.example", QueryType.A);

        Assert.Equal(CnameChainStatus.Ok, chain.Status);
        Assert.Equal("a.example", chain.FinalName);
        Assert.Empty(chain.Records);
    }

    [Fact]
    public void RecordsOfTheAskedType_EndTheChain_BeforeACnameAtTheSameName()
    {
        CnameChainResult chain = CnameChain.Follow([Cname("a.example", "b.example"), A("a.example", "192.0.2.1")], "a.example", QueryType.A);
        CnameChainResult cnameQuestion = CnameChain.Follow([Cname("a.example", "b.example")], "a.example", QueryType.CNAME);

        Assert.Equal("a.example", chain.FinalName);
        Assert.Single(chain.Records);
        Assert.Equal("a.example", cnameQuestion.FinalName);
        Assert.IsType<CNameRecord>(Assert.Single(cnameQuestion.Records));
    }

    [Fact]
    public void Continue_CarriesHopsLoopDetectionAndTtlAcrossAnswers()
    {
        CnameChainResult first = CnameChain.Follow([Cname("a.example", "b.example", ttl: 50)], "a.example", QueryType.TXT);

        CnameChainResult loop = CnameChain.Continue([Cname("b.example", "a.example")], first, QueryType.TXT);
        CnameChainResult found = CnameChain.Continue([Txt("b.example", 400)], first, QueryType.TXT);
        CnameChainResult tooLong = CnameChain.Continue([Cname("b.example", "c.example"), Cname("c.example", "d.example")], first, QueryType.TXT, maxHops: 2);

        Assert.Equal(CnameChainStatus.Loop, loop.Status);
        Assert.Equal(CnameChainStatus.Ok, found.Status);
        Assert.Equal(["b.example"], found.Hops);
        Assert.Equal(TimeSpan.FromSeconds(50), found.TimeToLive);
        Assert.Equal(CnameChainStatus.TooLong, tooLong.Status);
    }

    private static TxtRecord Txt(string owner, int ttl) => MtaSts.Tests.Fakes.FakeDnsQuery.Txt(owner, ttl, "v=STSv1; id=1");
}
