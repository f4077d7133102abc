using System.Net;
using ARSoft.Tools.Net.Dns;
using MtaSts.Testing;
using WireName = ARSoft.Tools.Net.DomainName;
using Question = ARSoft.Tools.Net.Dns.DnsQuestion;

namespace MtaSts.IntegrationTests.Testing.Dns;

/// <summary>The answering part of the loopback DNS server, without sockets: one query in, one response out.</summary>
public sealed class LoopbackZoneTests
{
    private readonly LoopbackZone _zone = new();

    private static DnsMessage Query(string name, RecordType type)
    {
        var query = new DnsMessage { TransactionID = 7, IsRecursionDesired = true };
        query.Questions.Add(new Question(new WireName(name.Split('.')), type, RecordClass.INet));
        return query;
    }

    private ZoneReply Ask(string name, RecordType type, DnsTransport transport = DnsTransport.Udp) => _zone.Respond(Query(name, type), transport);

    [Fact]
    public void Records_OfTheAskedType_AreAnswered_WithRaNotAa()
    {
        _zone.AddA("Host.Example.Test.", IPAddress.Parse("127.0.0.5"), ttl: 120);
        _zone.AddAaaa("host.example.test", IPAddress.IPv6Loopback);

        ZoneReply reply = Ask("host.example.test", RecordType.A);

        Assert.Equal(ReturnCode.NoError, reply.Response.ReturnCode);
        ARecord a = Assert.IsType<ARecord>(Assert.Single(reply.Response.AnswerRecords));
        Assert.Equal(IPAddress.Parse("127.0.0.5"), a.Address);
        Assert.Equal(120, a.TimeToLive);
        Assert.True(reply.Response.IsRecursionAllowed);
        Assert.False(reply.Response.IsAuthoritiveAnswer);
        Assert.Equal(DnsFault.None, reply.Fault);
        Assert.Equal(TimeSpan.Zero, reply.Delay);
    }

    [Fact]
    public void CnameChain_IsFollowed_EveryCnameInTheAnswer()
    {
        _zone.AddCname("a.example.test", "b.example.test");
        _zone.AddCname("b.example.test", "c.example.test");
        _zone.AddTxt("c.example.test", "v=STSv1; id=1");

        ZoneReply reply = Ask("a.example.test", RecordType.Txt);

        Assert.Equal(ReturnCode.NoError, reply.Response.ReturnCode);
        Assert.Equal(3, reply.Response.AnswerRecords.Count);
        Assert.IsType<CNameRecord>(reply.Response.AnswerRecords[0]);
        Assert.IsType<CNameRecord>(reply.Response.AnswerRecords[1]);
        Assert.Equal("c.example.test", reply.Response.AnswerRecords[2].Name.ToString().TrimEnd('.'));
    }

    [Fact]
    public void CnameLoop_IsServfail_WithAnEmptyAnswer()
    {
        _zone.AddCname("a.example.test", "b.example.test");
        _zone.AddCname("b.example.test", "a.example.test");

        ZoneReply reply = Ask("a.example.test", RecordType.A);

        Assert.Equal(ReturnCode.ServerFailure, reply.Response.ReturnCode);
        Assert.Empty(reply.Response.AnswerRecords);
    }

    [Fact]
    public void UnknownName_IsNxdomain_WithAnSoaOfNegativeTtl()
    {
        _zone.NegativeTtl = 42;

        ZoneReply reply = Ask("missing.example.test", RecordType.A);

        Assert.Equal(ReturnCode.NxDomain, reply.Response.ReturnCode);
        SoaRecord soa = Assert.IsType<SoaRecord>(Assert.Single(reply.Response.AuthorityRecords));
        Assert.Equal("example.test", soa.Name.ToString().TrimEnd('.'));
        Assert.Equal(42, soa.TimeToLive);
        Assert.Equal(42, soa.NegativeCachingTTL);
    }

    [Fact]
    public void KnownNameWithoutTheType_AndEmptyNonTerminal_AreNodata()
    {
        _zone.AddA("host.example.test", IPAddress.Loopback);
        _zone.AddTlsa("_25._tcp.mx.example.test", 3, 1, 1, new byte[32]);

        ZoneReply noType = Ask("host.example.test", RecordType.Mx);
        ZoneReply emptyNonTerminal = Ask("_tcp.mx.example.test", RecordType.Tlsa);

        Assert.Equal(ReturnCode.NoError, noType.Response.ReturnCode);
        Assert.Empty(noType.Response.AnswerRecords);
        Assert.IsType<SoaRecord>(Assert.Single(noType.Response.AuthorityRecords));
        Assert.Equal(ReturnCode.NoError, emptyNonTerminal.Response.ReturnCode);
        Assert.Empty(emptyNonTerminal.Response.AnswerRecords);
    }

    [Fact]
    public void Faults_ApplyToTheQuestionName_TypeFaultWinsOverNameFault()
    {
        _zone.AddA("host.example.test", IPAddress.Loopback);
        _zone.SetFault("host.example.test", DnsFault.ServerFailure);
        _zone.SetFault("host.example.test", DnsRecordType.AAAA, DnsFault.Refused);

        Assert.Equal(ReturnCode.ServerFailure, Ask("host.example.test", RecordType.A).Response.ReturnCode);
        Assert.Equal(ReturnCode.Refused, Ask("host.example.test", RecordType.Aaaa).Response.ReturnCode);

        _zone.ClearFault("host.example.test");
        Assert.Equal(ReturnCode.NoError, Ask("host.example.test", RecordType.A).Response.ReturnCode);
    }

    [Fact]
    public void UdpOnlyFaults_DoNotApplyOverTcp_WireFaultsAreFlaggedForTheShell()
    {
        _zone.AddA("host.example.test", IPAddress.Loopback);
        _zone.SetFault("host.example.test", DnsFault.Truncated);
        _zone.SetFault("slow.example.test", DnsFault.Timeout);

        ZoneReply udp = Ask("host.example.test", RecordType.A, DnsTransport.Udp);
        ZoneReply tcp = Ask("host.example.test", RecordType.A, DnsTransport.Tcp);
        ZoneReply timeout = Ask("slow.example.test", RecordType.A);

        Assert.True(udp.Response.IsTruncated);
        Assert.False(udp.IsWireFault);
        Assert.False(tcp.Response.IsTruncated);
        Assert.Equal(DnsFault.None, tcp.Fault);
        Assert.Single(tcp.Response.AnswerRecords);
        Assert.Equal(DnsFault.Timeout, timeout.Fault);
        Assert.True(timeout.IsWireFault);
    }

    [Fact]
    public void AuthenticatedData_PerNameOverride_AndDelay_AreReported()
    {
        _zone.AddA("a.example.test", IPAddress.Loopback);
        _zone.AddA("b.example.test", IPAddress.Loopback);
        _zone.AuthenticatedData = true;
        _zone.SetAuthenticatedData("b.example.test", false);
        _zone.SetDelay("b.example.test", TimeSpan.FromMilliseconds(250));

        ZoneReply a = Ask("a.example.test", RecordType.A);
        ZoneReply b = Ask("b.example.test", RecordType.A);

        Assert.True(a.Response.IsAuthenticData);
        Assert.False(b.Response.IsAuthenticData);
        Assert.Equal(TimeSpan.FromMilliseconds(250), b.Delay);
    }

    [Fact]
    public void EveryQuery_IsLogged_WithTransportAndFault()
    {
        _zone.SetFault("x.example.test", DnsRecordType.TXT, DnsFault.ServerFailure);

        Ask("X.example.test", RecordType.Txt, DnsTransport.Tcp);
        Ask("x.example.test", RecordType.A);

        Assert.Equal(2, _zone.QueryCount("x.example.test"));
        Assert.Equal(1, _zone.QueryCount("x.example.test", DnsRecordType.TXT));
        DnsQueryLog first = _zone.Queries[0];
        Assert.Equal("x.example.test", first.Name);
        Assert.Equal(DnsTransport.Tcp, first.Transport);
        Assert.Equal(DnsFault.ServerFailure, first.Fault);
        _zone.ResetCounters();
        Assert.Empty(_zone.Queries);
    }

    [Fact]
    public void NotAQuery_IsNotImplemented_TwoQuestions_AreFormErr()
    {
        var notify = new DnsMessage { OperationCode = OperationCode.Notify };
        notify.Questions.Add(new Question(new WireName("example.test".Split('.')), RecordType.Soa, RecordClass.INet));
        var two = Query("a.example.test", RecordType.A);
        two.Questions.Add(new Question(new WireName("b.example.test".Split('.')), RecordType.A, RecordClass.INet));

        Assert.Equal(ReturnCode.NotImplemented, _zone.Respond(notify, DnsTransport.Udp).Response.ReturnCode);
        Assert.Equal(ReturnCode.FormatError, _zone.Respond(two, DnsTransport.Udp).Response.ReturnCode);
        Assert.Empty(_zone.Queries);
    }
}
