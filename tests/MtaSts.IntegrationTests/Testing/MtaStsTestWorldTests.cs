using System.Net;
using DnsClient;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Testing;

public sealed class MtaStsTestWorldTests : IAsyncLifetime
{
    private MtaStsTestWorld _world = null!;

    public async Task InitializeAsync() => _world = await MtaStsTestWorld.StartAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public void CreateOptions_PointsAtTheWorld_WithShortTimeouts()
    {
        var options = _world.CreateOptions();

        Assert.Equal([_world.Dns.EndPoint], options.Dns.NameServers);
        Assert.Equal(_world.CertificateAuthority.RootCertificate.Thumbprint, Assert.Single(options.AdditionalTrustedRoots).Thumbprint);
        Assert.Equal(_world.PolicyHost.Port, options.PolicyFetch.Port);
        Assert.True(options.PolicyFetch.ResolveHostWithNameServers);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Dns.Timeout);
        Assert.Equal(1, options.Dns.Retries);
        Assert.Equal(TimeSpan.FromSeconds(5), options.PolicyFetch.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(2), options.PolicyFetch.ConnectTimeout);
        Assert.Equal(2, options.PolicyFetch.Retries);
        Assert.NotSame(options, _world.CreateOptions());
    }

    [Fact]
    public void BuildPolicy_WritesTheFieldsWithCrlf()
    {
        Assert.Equal(
            "version: STSv1\r\nmode: testing\r\nmx: mx1.example.test\r\nmx: *.example.test\r\nmax_age: 604800\r\n",
            MtaStsTestWorld.BuildPolicy(MtaStsMode.Testing, 604800, "mx1.example.test", "*.example.test"));
        Assert.Equal("version: STSv1\r\nmode: none\r\nmax_age: 1\r\n", MtaStsTestWorld.BuildPolicy(MtaStsMode.None, 1));
    }

    [Fact]
    public async Task PublishPolicy_PublishesTxtAddressAndPolicy()
    {
        var body = _world.PublishPolicy("example.test", "20240101", MtaStsMode.Enforce, 86400, "mx1.example.test");
        var dns = new LookupClient(new LookupClientOptions(_world.Dns.EndPoint) { UseCache = false, Retries = 0 });

        var txt = await dns.QueryAsync("_mta-sts.example.test", QueryType.TXT);
        Assert.Equal(["v=STSv1; id=20240101"], Assert.Single(txt.Answers.TxtRecords()).Text);
        var a = await dns.QueryAsync("mta-sts.example.test", QueryType.A);
        Assert.Equal(IPAddress.Loopback, Assert.Single(a.Answers.ARecords()).Address);

        using var http = new TestClient(_world.CertificateAuthority, _world.PolicyHost.Port);
        using var response = await http.GetAsync($"https://mta-sts.example.test:{_world.PolicyHost.Port}/.well-known/mta-sts.txt");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, _world.PolicyHost.RequestCount("mta-sts.example.test"));

        // Publishing again replaces the id and the body, not adds to them.
        _world.PublishPolicy("example.test", "20240102", "version: STSv1\r\nmode: none\r\nmax_age: 60\r\n");
        var replaced = await dns.QueryAsync("_mta-sts.example.test", QueryType.TXT);
        Assert.Equal(["v=STSv1; id=20240102"], Assert.Single(replaced.Answers.TxtRecords()).Text);
        Assert.Single((await dns.QueryAsync("mta-sts.example.test", QueryType.A)).Answers);
        using var second = await http.GetAsync("https://mta-sts.example.test/.well-known/mta-sts.txt");
        Assert.Contains("mode: none", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishMxHost_AddsMxAndARecord_ToTheHostsOwnLoopbackAddress()
    {
        _world.Dns.AddA("mx1.smtp.example.test", IPAddress.Loopback);
        var address = _world.PublishMxHost("smtp.example.test", 10, "mx1.smtp.example.test");
        var dns = new LookupClient(new LookupClientOptions(_world.Dns.EndPoint) { UseCache = false, Retries = 0 });

        var mx = Assert.Single((await dns.QueryAsync("smtp.example.test", QueryType.MX)).Answers.MxRecords());
        Assert.Equal(("mx1.smtp.example.test.", 10), (mx.Exchange.Value, (int)mx.Preference));
        Assert.Equal(address, Assert.Single((await dns.QueryAsync("mx1.smtp.example.test", QueryType.A)).Answers.ARecords()).Address);
        Assert.NotEqual(IPAddress.Loopback, address);

        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(address, _world.Smtp.Port);
        var greeting = new byte[64];
        var read = await client.GetStream().ReadAsync(greeting);
        Assert.StartsWith("220 mx1.smtp.example.test ", System.Text.Encoding.ASCII.GetString(greeting, 0, read), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishMx_AddsMxAndAddressRecords()
    {
        _world.Dns.AddA("mx2.example.test", IPAddress.Parse("192.0.2.7"));
        _world.PublishMx("example.test", (10, "mx1.example.test"), (20, "mx2.example.test"));
        var dns = new LookupClient(new LookupClientOptions(_world.Dns.EndPoint) { UseCache = false, Retries = 0 });

        var mx = await dns.QueryAsync("example.test", QueryType.MX);
        Assert.Equal(
            [(10, "mx1.example.test."), (20, "mx2.example.test.")],
            mx.Answers.MxRecords().Select(r => ((int)r.Preference, r.Exchange.Value)).Order());
        Assert.Equal(IPAddress.Loopback, Assert.Single((await dns.QueryAsync("mx1.example.test", QueryType.A)).Answers.ARecords()).Address);
        Assert.Equal(IPAddress.Parse("192.0.2.7"), Assert.Single((await dns.QueryAsync("mx2.example.test", QueryType.A)).Answers.ARecords()).Address);
    }

    [Fact]
    public async Task Dispose_StopsDnsAndPolicyHost()
    {
        var world = await MtaStsTestWorld.StartAsync();
        var dnsEndPoint = world.Dns.EndPoint;
        var httpPort = world.PolicyHost.Port;

        await world.DisposeAsync();
        await world.DisposeAsync();

        using var tcp = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => tcp.ConnectAsync(dnsEndPoint));
        using var http = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => http.ConnectAsync(IPAddress.Loopback, httpPort));
        Assert.Throws<ObjectDisposedException>(() => world.CertificateAuthority.GetServerCertificate("mta-sts.example.test"));
    }
}
