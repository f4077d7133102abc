using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Testing.Dns;

public sealed class LoopbackDnsServerTests : IAsyncLifetime
{
    private LoopbackDnsServer _dns = null!;

    public async Task InitializeAsync() => _dns = await LoopbackDnsServer.StartAsync();

    public async Task DisposeAsync() => await _dns.DisposeAsync();

    [Fact]
    public async Task Start_BindsUdpAndTcpOnTheSameLoopbackPort()
    {
        Assert.Equal(IPAddress.Loopback, _dns.EndPoint.Address);
        Assert.NotEqual(0, _dns.EndPoint.Port);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_dns.EndPoint);
        Assert.True(tcp.Connected);

        // The UDP port is taken by the server: binding it again fails.
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var error = Assert.Throws<SocketException>(() => udp.Bind(_dns.EndPoint));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryRecordType_IsServed_OverUdpAndTcp(bool tcp)
    {
        _dns.AddA("host.example.test", IPAddress.Parse("192.0.2.1"), ttl: 120);
        _dns.AddA("host.example.test", IPAddress.Parse("192.0.2.2"));
        _dns.AddAaaa("host.example.test", IPAddress.Parse("2001:db8::1"));
        _dns.AddMx("example.test", 10, "mx1.example.test.");
        _dns.AddMx("example.test", 20, "MX2.Example.Test");
        _dns.AddTxt("_mta-sts.example.test", 600, "v=STSv1; id=1");
        _dns.AddTlsa("_25._tcp.mx1.example.test", 3, 1, 1, [0xAB, 0xCD, 0xEF]);
        var client = Client(tcp);

        var a = await client.QueryAsync("HOST.example.test.", QueryType.A);
        Assert.Equal(["192.0.2.1", "192.0.2.2"], a.Answers.ARecords().Select(r => r.Address.ToString()).Order());
        Assert.Equal(120, a.Answers.ARecords().Single(r => r.Address.ToString() == "192.0.2.1").InitialTimeToLive);

        var aaaa = await client.QueryAsync("host.example.test", QueryType.AAAA);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), Assert.Single(aaaa.Answers.AaaaRecords()).Address);

        var mx = await client.QueryAsync("example.test", QueryType.MX);
        Assert.Equal(
            [(10, "mx1.example.test."), (20, "mx2.example.test.")],
            mx.Answers.MxRecords().Select(r => ((int)r.Preference, r.Exchange.Value)).Order());

        var txt = await client.QueryAsync("_mta-sts.example.test", QueryType.TXT);
        var record = Assert.Single(txt.Answers.TxtRecords());
        Assert.Equal(["v=STSv1; id=1"], record.Text);
        Assert.Equal(600, record.InitialTimeToLive);

        var tlsa = await client.QueryAsync("_25._tcp.mx1.example.test", QueryType.TLSA);
        var association = Assert.Single(tlsa.Answers.TlsaRecords());
        Assert.Equal(TlsaCertificateUsage.DANEEE, association.CertificateUsage);
        Assert.Equal(DnsClient.Protocol.TlsaSelector.PublicKey, association.Selector);
        Assert.Equal(DnsClient.Protocol.TlsaMatchingType.SHA256, association.MatchingType);
        Assert.Equal([0xAB, 0xCD, 0xEF], association.CertificateAssociationData);

        var transport = tcp ? DnsTransport.Tcp : DnsTransport.Udp;
        Assert.All(_dns.Queries, q => Assert.Equal(transport, q.Transport));
        Assert.Equal(2, _dns.QueryCount("host.example.test"));
        Assert.Equal(1, _dns.QueryCount("Host.Example.Test.", DnsRecordType.AAAA));
    }

    [Fact]
    public async Task Txt_IsOneRecordOfSeveralStrings_AndLongStringsAreSplitAt255Bytes()
    {
        _dns.AddTxt("_mta-sts.example.test", "v=STSv1; ", "id=abc");
        _dns.AddTxt("_mta-sts.example.test", "v=STSv1; id=second");
        _dns.AddTxt("long.example.test", new string('a', 300) + "é");

        var client = Client(tcp: false);
        var txt = await client.QueryAsync("_mta-sts.example.test", QueryType.TXT);
        var records = txt.Answers.TxtRecords().ToList();
        Assert.Equal(2, records.Count);
        Assert.Contains(records, r => r.Text.SequenceEqual(["v=STSv1; ", "id=abc"]));
        Assert.Contains(records, r => r.Text.SequenceEqual(["v=STSv1; id=second"]));

        var longAnswer = await Client(tcp: true).QueryAsync("long.example.test", QueryType.TXT);
        var parts = Assert.Single(longAnswer.Answers.TxtRecords()).Text.ToList();
        Assert.Equal(2, parts.Count);
        Assert.Equal(new string('a', 255), parts[0]);
        Assert.Equal(new string('a', 45) + "é", parts[1]); // 45 + 2 UTF-8 bytes
    }

    [Fact]
    public async Task CnameChain_IsFollowed_AndEveryHopIsInTheAnswer()
    {
        _dns.AddCname("_mta-sts.example.test", "alias1.example.net");
        _dns.AddCname("alias1.example.net", "final.example.org");
        _dns.AddTxt("final.example.org", "v=STSv1; id=viaCname");
        _dns.AddCname("dangling.example.test", "nowhere.example.test");

        var client = Client(tcp: false);
        var response = await client.QueryAsync("_mta-sts.example.test", QueryType.TXT);
        Assert.Equal(DnsHeaderResponseCode.NoError, response.Header.ResponseCode);
        Assert.Equal(
            ["alias1.example.net.", "final.example.org."],
            response.Answers.CnameRecords().Select(c => c.CanonicalName.Value));
        Assert.Equal(["v=STSv1; id=viaCname"], Assert.Single(response.Answers.TxtRecords()).Text);
        Assert.Equal("final.example.org.", response.Answers.TxtRecords().Single().DomainName.Value);

        var cnameItself = await client.QueryAsync("_mta-sts.example.test", QueryType.CNAME);
        Assert.Single(cnameItself.Answers.CnameRecords());
        Assert.Empty(cnameItself.Answers.TxtRecords());

        var dangling = await client.QueryAsync("dangling.example.test", QueryType.A);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, dangling.Header.ResponseCode);
        Assert.Single(dangling.Answers.CnameRecords());
    }

    [Fact]
    public async Task CnameLoop_IsServerFailure()
    {
        _dns.AddCname("a.example.test", "b.example.test");
        _dns.AddCname("b.example.test", "a.example.test");

        var response = await Client(tcp: false).QueryAsync("a.example.test", QueryType.TXT);

        Assert.Equal(DnsHeaderResponseCode.ServerFailure, response.Header.ResponseCode);
        Assert.Empty(response.Answers);
    }

    [Fact]
    public async Task UnknownName_IsNxDomain_KnownNameWithoutType_IsNoData_BothWithSoa()
    {
        _dns.NegativeTtl = 42;
        _dns.AddA("mta-sts.example.test", IPAddress.Loopback);
        var client = Client(tcp: false);

        var nx = await client.QueryAsync("_mta-sts.example.test", QueryType.TXT);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, nx.Header.ResponseCode);
        Assert.Empty(nx.Answers);
        var soa = Assert.Single(nx.Authorities.SoaRecords());
        Assert.Equal("example.test.", soa.DomainName.Value);
        Assert.Equal(42, soa.InitialTimeToLive);
        Assert.Equal(42u, soa.Minimum);

        var noData = await client.QueryAsync("mta-sts.example.test", QueryType.TXT);
        Assert.Equal(DnsHeaderResponseCode.NoError, noData.Header.ResponseCode);
        Assert.Empty(noData.Answers);
        Assert.Single(noData.Authorities.SoaRecords());

        // An empty non-terminal (a name with nothing but names below it) is NODATA, not NXDOMAIN (RFC 8020).
        var emptyNonTerminal = await client.QueryAsync("example.test", QueryType.MX);
        Assert.Equal(DnsHeaderResponseCode.NoError, emptyNonTerminal.Header.ResponseCode);
        Assert.Empty(emptyNonTerminal.Answers);
    }

    [Fact]
    public async Task RemoveAndClear_TakeRecordsAway()
    {
        _dns.AddA("a.example.test", IPAddress.Loopback);
        _dns.AddTxt("a.example.test", "text");
        var client = Client(tcp: false);

        Assert.True(_dns.Remove("A.EXAMPLE.TEST.", DnsRecordType.TXT));
        Assert.Empty((await client.QueryAsync("a.example.test", QueryType.TXT)).Answers);
        Assert.Single((await client.QueryAsync("a.example.test", QueryType.A)).Answers);

        Assert.True(_dns.Remove("a.example.test"));
        Assert.False(_dns.Remove("a.example.test"));
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, (await client.QueryAsync("a.example.test", QueryType.A)).Header.ResponseCode);

        _dns.AddA("b.example.test", IPAddress.Loopback);
        _dns.Clear();
        Assert.False(_dns.HasRecords("b.example.test"));
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, (await client.QueryAsync("b.example.test", QueryType.A)).Header.ResponseCode);
    }

    [Fact]
    public async Task AuthenticatedData_SetsTheAdBit_GloballyAndPerName()
    {
        _dns.AddTlsa("_25._tcp.mx1.example.test", 3, 1, 1, [1, 2, 3]);
        _dns.AddTlsa("_25._tcp.mx2.example.test", 3, 1, 1, [1, 2, 3]);
        var client = Client(tcp: false, dnssec: true);

        Assert.False((await client.QueryAsync("_25._tcp.mx1.example.test", QueryType.TLSA)).Header.IsAuthenticData);

        _dns.AuthenticatedData = true;
        _dns.SetAuthenticatedData("_25._tcp.mx2.example.test", false);
        Assert.True((await client.QueryAsync("_25._tcp.mx1.example.test", QueryType.TLSA)).Header.IsAuthenticData);
        Assert.False((await client.QueryAsync("_25._tcp.mx2.example.test", QueryType.TLSA)).Header.IsAuthenticData);
        Assert.True((await client.QueryAsync("_25._tcp.nothing.example.test", QueryType.TLSA)).Header.IsAuthenticData); // NXDOMAIN too

        _dns.ClearAuthenticatedData("_25._tcp.mx2.example.test");
        Assert.True((await client.QueryAsync("_25._tcp.mx2.example.test", QueryType.TLSA)).Header.IsAuthenticData);

        _dns.AuthenticatedData = false;
        _dns.SetAuthenticatedData("_25._tcp.mx1.example.test", true);
        Assert.True((await client.QueryAsync("_25._tcp.mx1.example.test", QueryType.TLSA)).Header.IsAuthenticData);
        Assert.False((await client.QueryAsync("_25._tcp.mx2.example.test", QueryType.TLSA)).Header.IsAuthenticData);
    }

    [Fact]
    public async Task EdnsAndDoBit_AreLoggedAndEchoed()
    {
        _dns.AddA("a.example.test", IPAddress.Loopback);

        var withDo = await Client(tcp: false, dnssec: true).QueryAsync("a.example.test", QueryType.A);
        var opt = Assert.Single(withDo.Additionals.OfType<DnsClient.Protocol.Options.OptRecord>());
        Assert.True(opt.IsDnsSecOk);

        var logged = Assert.Single(_dns.Queries);
        Assert.True(logged.EDns);
        Assert.True(logged.DnsSecOk);
        Assert.Equal(DnsFault.None, logged.Fault);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ServerFailure_Refused_AndNameError_AreTheirRcodes(bool tcp)
    {
        _dns.AddTxt("_mta-sts.example.test", "v=STSv1; id=1");
        var client = Client(tcp);

        _dns.SetFault("_mta-sts.example.test", DnsFault.ServerFailure);
        Assert.Equal(DnsHeaderResponseCode.ServerFailure, (await client.QueryAsync("_mta-sts.example.test", QueryType.TXT)).Header.ResponseCode);

        _dns.SetFault("_mta-sts.example.test", DnsFault.Refused);
        Assert.Equal(DnsHeaderResponseCode.Refused, (await client.QueryAsync("_mta-sts.example.test", QueryType.TXT)).Header.ResponseCode);

        _dns.SetFault("_mta-sts.example.test", DnsFault.NameError);
        var nx = await client.QueryAsync("_mta-sts.example.test", QueryType.TXT);
        Assert.Equal(DnsHeaderResponseCode.NotExistentDomain, nx.Header.ResponseCode);
        Assert.Empty(nx.Answers);
        Assert.Single(nx.Authorities.SoaRecords());

        _dns.ClearFault("_mta-sts.example.test");
        Assert.Single((await client.QueryAsync("_mta-sts.example.test", QueryType.TXT)).Answers.TxtRecords());

        Assert.Equal(
            [DnsFault.ServerFailure, DnsFault.Refused, DnsFault.NameError, DnsFault.None],
            _dns.Queries.Select(q => q.Fault));
    }

    [Fact]
    public async Task FaultPerType_OverridesTheFaultForTheName()
    {
        _dns.AddA("mx1.example.test", IPAddress.Loopback);
        _dns.AddAaaa("mx1.example.test", IPAddress.IPv6Loopback);
        _dns.SetFault("mx1.example.test", DnsFault.ServerFailure);
        _dns.SetFault("mx1.example.test", DnsRecordType.A, DnsFault.None);
        var client = Client(tcp: false);

        Assert.Single((await client.QueryAsync("mx1.example.test", QueryType.A)).Answers.ARecords());
        Assert.Equal(DnsHeaderResponseCode.ServerFailure, (await client.QueryAsync("mx1.example.test", QueryType.AAAA)).Header.ResponseCode);

        _dns.ClearFault("mx1.example.test", DnsRecordType.A);
        Assert.Equal(DnsHeaderResponseCode.ServerFailure, (await client.QueryAsync("mx1.example.test", QueryType.A)).Header.ResponseCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Timeout_NeverAnswers(bool tcp)
    {
        _dns.AddTxt("_mta-sts.example.test", "v=STSv1; id=1");
        _dns.SetFault("_mta-sts.example.test", DnsFault.Timeout);
        // Long enough that a loaded machine still accepts the TCP connection and reads the query before the client
        // gives up (at 500 ms the server sometimes never saw it, and the query log below stayed empty).
        var client = Client(tcp, timeout: TimeSpan.FromMilliseconds(1500));

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<DnsResponseException>(() => client.QueryAsync("_mta-sts.example.test", QueryType.TXT));
        Assert.Equal(DnsResponseCode.ConnectionTimeout, error.Code);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(1400), $"gave up after {watch.Elapsed}");

        // The server did get the query (on a busy machine it may log it after the client gave up).
        await TestWait.UntilAsync(() => _dns.Queries.Count > 0);
        var logged = Assert.Single(_dns.Queries);
        Assert.Equal(DnsFault.Timeout, logged.Fault);

        // Other names still answer.
        _dns.AddA("other.example.test", IPAddress.Loopback);
        Assert.Single((await Client(tcp).QueryAsync("other.example.test", QueryType.A)).Answers);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Malformed_GivesBytesNoParserAccepts_WithTheQueryId(bool tcp)
    {
        _dns.AddTxt("_mta-sts.example.test", "v=STSv1; id=1");
        _dns.SetFault("_mta-sts.example.test", DnsFault.Malformed);
        var client = Client(tcp);

        await Assert.ThrowsAsync<DnsResponseParseException>(() => client.QueryAsync("_mta-sts.example.test", QueryType.TXT));
        Assert.NotEmpty(_dns.Queries);
        Assert.All(_dns.Queries, q => Assert.Equal(DnsFault.Malformed, q.Fault));

        // Raw check: the datagram carries the query's id and the QR bit but cannot be parsed.
        if (!tcp)
        {
            using var udp = new UdpClient(AddressFamily.InterNetwork);
            var query = RawQuery(0x4242, "_mta-sts.example.test", 16);
            await udp.SendAsync(query, _dns.EndPoint);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var reply = (await udp.ReceiveAsync(cts.Token)).Buffer;
            Assert.Equal(0x42, reply[0]);
            Assert.Equal(0x42, reply[1]);
            Assert.Equal(0x80, reply[2] & 0x80);
            Assert.ThrowsAny<Exception>(() => ARSoft.Tools.Net.Dns.DnsMessage.Parse(reply));
        }
    }

    [Fact]
    public async Task Truncated_SetsTcOverUdp_AndTheClientFallsBackToTcp()
    {
        _dns.AddTxt("_mta-sts.example.test", "v=STSv1; id=1");
        _dns.SetFault("_mta-sts.example.test", DnsFault.Truncated);

        var response = await Client(tcp: false).QueryAsync("_mta-sts.example.test", QueryType.TXT);

        Assert.Equal(["v=STSv1; id=1"], Assert.Single(response.Answers.TxtRecords()).Text);
        Assert.Equal(
            [(DnsTransport.Udp, DnsFault.Truncated), (DnsTransport.Tcp, DnsFault.None)],
            _dns.Queries.Select(q => (q.Transport, q.Fault)));

        // Without fallback the client sees the TC bit and gives up after the one UDP query.
        _dns.ResetCounters();
        var noFallback = new LookupClient(new LookupClientOptions(_dns.EndPoint) { UseCache = false, UseTcpFallback = false, Retries = 0 });
        var error = await Assert.ThrowsAsync<DnsResponseException>(() => noFallback.QueryAsync("_mta-sts.example.test", QueryType.TXT));
        Assert.Contains("truncated", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(DnsTransport.Udp, Assert.Single(_dns.Queries).Transport);
    }

    [Fact]
    public async Task LargeAnswer_IsTruncatedOverUdp_LikeOnTheWire()
    {
        for (var i = 0; i < 12; i++)
        {
            _dns.AddTxt("big.example.test", $"{i:D2}" + new string('z', 100));
        }

        var plain = new LookupClient(new LookupClientOptions(_dns.EndPoint) { UseCache = false, Retries = 0, ExtendedDnsBufferSize = 512 });
        var response = await plain.QueryAsync("big.example.test", QueryType.TXT);

        Assert.Equal(12, response.Answers.TxtRecords().Count());
        Assert.Equal([DnsTransport.Udp, DnsTransport.Tcp], _dns.Queries.Select(q => q.Transport));
    }

    [Fact]
    public async Task Delay_SlowsTheAnswer()
    {
        _dns.AddA("slow.example.test", IPAddress.Loopback);
        _dns.SetDelay("slow.example.test", TimeSpan.FromMilliseconds(300));

        var watch = Stopwatch.StartNew();
        var response = await Client(tcp: false).QueryAsync("slow.example.test", QueryType.A);

        Assert.Single(response.Answers);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(250), $"answered after {watch.Elapsed}");
    }

    [Fact]
    public async Task QueryLog_CountsPerNameAndType_AndResets()
    {
        var client = Client(tcp: false);
        await client.QueryAsync("a.example.test", QueryType.A);
        await client.QueryAsync("a.example.test", QueryType.TXT);
        await client.QueryAsync("A.Example.Test", QueryType.A);
        await client.QueryAsync("b.example.test", QueryType.MX);

        Assert.Equal(3, _dns.QueryCount("a.example.test."));
        Assert.Equal(2, _dns.QueryCount("a.example.test", DnsRecordType.A));
        Assert.Equal(0, _dns.QueryCount("a.example.test", DnsRecordType.MX));
        Assert.Equal(1, _dns.QueryCount("b.example.test", DnsRecordType.MX));
        Assert.Equal(4, _dns.Queries.Count);
        Assert.Equal(new DnsQueryLog("b.example.test", DnsRecordType.MX, DnsTransport.Udp, true, false, false, DnsFault.None), _dns.Queries[3]);

        _dns.ResetCounters();
        Assert.Empty(_dns.Queries);
        Assert.Equal(0, _dns.QueryCount("a.example.test"));
    }

    [Fact]
    public async Task GarbageQueries_AreIgnored_AndTheServerKeepsAnswering()
    {
        _dns.AddA("a.example.test", IPAddress.Loopback);
        using (var udp = new UdpClient(AddressFamily.InterNetwork))
        {
            await udp.SendAsync(new byte[] { 1, 2, 3 }, _dns.EndPoint);
            await udp.SendAsync(Enumerable.Range(0, 40).Select(i => (byte)(i * 37)).ToArray(), _dns.EndPoint);
        }

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(_dns.EndPoint);
            await tcp.GetStream().WriteAsync(new byte[] { 0, 30, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9 });
        }

        Assert.Single((await Client(tcp: false).QueryAsync("a.example.test", QueryType.A)).Answers);
        Assert.Single((await Client(tcp: true).QueryAsync("a.example.test", QueryType.A)).Answers);
    }

    [Fact]
    public void BadInput_IsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => _dns.AddA("", IPAddress.Loopback));
        Assert.Throws<ArgumentException>(() => _dns.AddA("a..example.test", IPAddress.Loopback));
        Assert.Throws<ArgumentException>(() => _dns.AddA("a.example.test", IPAddress.IPv6Loopback));
        Assert.Throws<ArgumentException>(() => _dns.AddAaaa("a.example.test", IPAddress.Loopback));
        Assert.Throws<ArgumentException>(() => _dns.AddTxt(new string('a', 64) + ".example.test", "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _dns.AddMx("example.test", 70000, "mx.example.test"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _dns.AddA("a.example.test", IPAddress.Loopback, ttl: -1));
    }

    [Fact]
    public async Task Dispose_ClosesBothListeners()
    {
        var server = await LoopbackDnsServer.StartAsync();
        var endPoint = server.EndPoint;
        server.AddA("a.example.test", IPAddress.Loopback);
        using (var connected = new TcpClient())
        {
            await connected.ConnectAsync(endPoint);
        }

        await server.DisposeAsync();

        using var tcp = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => tcp.ConnectAsync(endPoint));
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(endPoint); // free again
    }

    private LookupClient Client(bool tcp, bool dnssec = false, TimeSpan? timeout = null) =>
        new(new LookupClientOptions(_dns.EndPoint)
        {
            UseCache = false,
            UseTcpOnly = tcp,
            Retries = 0,
            Timeout = timeout ?? TimeSpan.FromSeconds(2),
            RequestDnsSecRecords = dnssec,
            ContinueOnDnsError = false,
        });

    private static byte[] RawQuery(ushort id, string name, ushort type)
    {
        var bytes = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. bytes];
    }
}
