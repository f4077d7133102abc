using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace MtaSts.Redis.Tests;

/// <summary>TLS-RPT counts in a real redis-server: atomic adds from a fleet, one sender per report, expiry, unreadable fields.</summary>
public sealed class RedisTlsReportStoreTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly DateOnly Day = new(2026, 3, 1);
    private static readonly DateTimeOffset Noon = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private RedisTlsReportStore Store(string prefix) =>
        new(new RedisTlsReportStoreOptions { Connection = redis.Connection, KeyPrefix = prefix });

    private static TlsRptPolicy Policy() => TlsRptPolicy.Sts("recipient.example", ["version: STSv1", "mode: enforce", "mx: mx.recipient.example", "max_age: 86400"], ["mx.recipient.example"]);

    private static TlsRptFailure Expired() => new(TlsRptResultType.CertificateExpired, TlsRptReasonCodes.CertificateExpired)
    {
        ReceivingMxHostname = "mx.recipient.example",
        ReceivingIp = IPAddress.Parse("192.0.2.25"),
    };

    [Fact]
    public async Task TwoRecorders_OnOneRedis_BuildOneReport_WhoseCountsAreTheSum()
    {
        var prefix = RedisServerFixture.UniquePrefix("rpt-sum");
        var clock = new FakeTimeProvider(Noon);
        var options = new TlsReportRecorderOptions { RequireTlsRptRecord = false };
        await using (var node1 = new TlsReportRecorder(Store(prefix), null, options, clock))
        await using (var node2 = new TlsReportRecorder(Store(prefix), null, options, clock))
        {
            for (var i = 0; i < 30; i++)
            {
                node1.Record(new TlsSession("recipient.example", Policy()));
            }

            for (var i = 0; i < 12; i++)
            {
                node2.Record(new TlsSession("recipient.example", Policy()));
            }

            node1.Record(new TlsSession("recipient.example", Policy(), Expired()));
            node2.Record(new TlsSession("recipient.example", Policy(), Expired()));
            await Task.WhenAll(node1.FlushAsync(), node2.FlushAsync());
            node2.Record(new TlsSession("recipient.example", Policy())); // flushed on dispose
        }

        var store = Store(prefix);
        Assert.Equal(["recipient.example"], await store.GetDomainsAsync(Day));
        var counts = await store.GetAsync(Day, "recipient.example");
        var report = Assert.Single(new TlsReportBuilder(new TlsReportOptions { OrganizationName = "Sender", ContactInfo = "tlsrpt@sender.example", Submitter = "sender.example" }).Build(counts!));
        var policy = Assert.Single(TlsReportReader.Read(report.Json.Span).Report!.Policies);
        Assert.Equal(43, policy.TotalSuccessfulSessionCount);
        Assert.Equal(2, policy.TotalFailureSessionCount);
        Assert.Equal(2, Assert.Single(policy.FailureDetails).FailedSessionCount);
    }

    [Fact]
    public async Task ManyConcurrentAdds_AreAtomic()
    {
        var prefix = RedisServerFixture.UniquePrefix("rpt-atomic");
        var stores = Enumerable.Range(0, 4).Select(_ => Store(prefix)).ToArray();
        await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
        {
            var one = new TlsReportAggregator();
            one.AddFailure(Day, "recipient.example", Policy(), Expired(), 2);
            return stores[i % 4].AddAsync(one.Snapshot()[0]);
        }));

        var policy = Assert.Single((await Store(prefix).GetAsync(Day, "recipient.example"))!.Policies);
        Assert.Equal(200, policy.FailedSessions);
        Assert.Equal(200, Assert.Single(policy.Failures).Count);
    }

    [Fact]
    public async Task TryMarkSent_IsTrueForOneNodeOnly_AndKeysExpire()
    {
        var prefix = RedisServerFixture.UniquePrefix("rpt-sent");
        var one = new TlsReportAggregator();
        one.AddSuccess(Day, "recipient.example", Policy());
        await Store(prefix).AddAsync(one.Snapshot()[0]);

        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Store(prefix).TryMarkSentAsync(Day, "recipient.example")));
        Assert.Equal(1, claims.Count(c => c));

        var database = redis.Connection.GetDatabase();
        var key = Store(prefix).GetKey(Day, "recipient.example");
        Assert.Equal(prefix + "{2026-03-01}:recipient.example", key);
        var ttl = await database.KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(7.9), TimeSpan.FromDays(8));
        Assert.NotNull(await database.KeyTimeToLiveAsync(key + ":sent"));

        Assert.True(await Store(prefix).RemoveAsync(Day, "recipient.example"));
        Assert.Empty(await Store(prefix).GetDomainsAsync(Day));
        Assert.True(await Store(prefix).TryMarkSentAsync(Day, "recipient.example"));
    }

    [Fact]
    public async Task UnreadableFields_AreSkipped_NotThrown()
    {
        var prefix = RedisServerFixture.UniquePrefix("rpt-bad");
        var one = new TlsReportAggregator();
        one.AddSuccess(Day, "recipient.example", Policy(), 5);
        var store = Store(prefix);
        await store.AddAsync(one.Snapshot()[0]);
        var database = redis.Connection.GetDatabase();
        await database.HashSetAsync(store.GetKey(Day, "recipient.example"), "garbage", "12");
        await database.HashSetAsync(store.GetKey(Day, "recipient.example"), "[\"s\",{}]", "not a number");
        await database.StringSetAsync(store.GetKey(Day, "string.example"), "a string, not a hash");

        Assert.Equal(5, Assert.Single((await store.GetAsync(Day, "recipient.example"))!.Policies).SuccessfulSessions);
        Assert.Null(await store.GetAsync(Day, "string.example"));
        Assert.Throws<ArgumentException>(() => new RedisTlsReportStore(new RedisTlsReportStoreOptions { Configuration = "127.0.0.1:1", Retention = TimeSpan.FromHours(1) }));
    }

    [Fact(DisplayName = "RFC 8460 §5 (docs/decisions/0010): schedulers of four nodes on one Redis send each report exactly once")]
    public async Task AFleetOfSchedulers_OnOneRedis_SendsEachReportOnce()
    {
        var prefix = RedisServerFixture.UniquePrefix("rpt-fleet");
        await using var dns = await MtaSts.Testing.LoopbackDnsServer.StartAsync();
        string[] domains = ["a.recipient.example", "b.recipient.example", "c.recipient.example"];
        foreach (var domain in domains)
        {
            dns.AddTxt("_smtp._tls." + domain, $"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}");
            var aggregator = new TlsReportAggregator();
            aggregator.AddSuccess(Day, domain, TlsRptPolicy.NoPolicyFound(domain), 3);
            await Store(prefix).AddAsync(aggregator.Snapshot(Day, domain)!);
        }

        var options = new MtaStsOptions();
        options.Dns.NameServers.Add(dns.EndPoint);
        var mailer = new CountingMailer();
        using var sender = TlsReportSender.Create(options, mailer: mailer);
        var identity = new TlsReportOptions { OrganizationName = "Sender", ContactInfo = "tlsrpt@sender.example", Submitter = "sender.example" };
        var nodes = Enumerable.Range(0, 4).Select(_ => new TlsReportScheduler(Store(prefix), TlsRptRecordDiscoverer.Create(options), sender, identity)).ToArray();

        var results = (await Task.WhenAll(nodes.Select(n => n.SendDayAsync(Day)))).SelectMany(r => r).ToArray();

        Assert.Equal(domains.Order(StringComparer.Ordinal), mailer.Recipients.Order(StringComparer.Ordinal).Select(r => r["tlsrpt@".Length..]));
        Assert.Equal(3, results.Count(r => r.Status == TlsReportSendStatus.Delivered));
        Assert.Equal(9, results.Count(r => r.Status == TlsReportSendStatus.AlreadySent));
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }
    }

    private sealed class CountingMailer : ITlsReportMailer
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _recipients = new();

        public IReadOnlyList<string> Recipients => [.. _recipients];

        public Task SendAsync(TlsReport report, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
        {
            foreach (var recipient in recipients)
            {
                _recipients.Enqueue(recipient);
            }

            return Task.CompletedTask;
        }
    }
}
