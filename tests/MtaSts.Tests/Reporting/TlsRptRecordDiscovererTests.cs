using DnsClient;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MtaSts.Tests.Fakes;
using static MtaSts.Tests.Fakes.FakeDnsQuery;

namespace MtaSts.Tests.Reporting;

/// <summary>The <c>_smtp._tls</c> lookup: where it asks, how it joins and selects, what it caches.</summary>
public class TlsRptRecordDiscovererTests
{
    private const string Name = "_smtp._tls.recipient.example";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    private TlsRptRecordDiscoverer Discoverer(FakeDnsQuery dns) => new(dns, _clock, NullLogger.Instance);

    [Fact(DisplayName = "RFC 8460 §3: the record is at _smtp._tls.<domain>, its strings joined, and cached for its TTL")]
    public async Task RPT_3_a_LooksUpUnderscoreSmtpUnderscoreTls_JoinsStrings_AndCachesForTheTtl()
    {
        var dns = new FakeDnsQuery().Answer(Name, QueryType.TXT, Txt(Name, 600, "v=TLSRPTv1; rua=mailto:tls", "rpt@recipient.example"));
        var discoverer = Discoverer(dns);

        var found = await discoverer.DiscoverAsync("Recipient.Example.");

        Assert.Equal(TlsRptRecordStatus.Found, found.Status);
        Assert.Equal("mailto:tlsrpt@recipient.example", Assert.Single(found.Record!.ReportingUris).ToString());
        Assert.Equal(TimeSpan.FromSeconds(600), found.TimeToLive);
        Assert.Equal([(Name, QueryType.TXT)], dns.Asked);

        _clock.Advance(TimeSpan.FromSeconds(599));
        await discoverer.DiscoverAsync("recipient.example");
        Assert.Equal(1, dns.QueryCount);
        _clock.Advance(TimeSpan.FromSeconds(2));
        await discoverer.DiscoverAsync("recipient.example");
        Assert.Equal(2, dns.QueryCount);
    }

    [Fact(DisplayName = "RFC 8460 §3: records not beginning with v=TLSRPTv1; are dropped, and two that do mean no TLS-RPT")]
    public async Task RPT_3_e_UnrelatedRecordsDropped_TwoRecordsAreMultiple()
    {
        var one = new FakeDnsQuery().Answer(Name, QueryType.TXT, Txt(Name, 300, "google-site-verification=x"), Txt(Name, 300, "v=TLSRPTv1; rua=https://r.example/tlsrpt"));
        Assert.Equal(TlsRptRecordStatus.Found, (await Discoverer(one).DiscoverAsync("recipient.example")).Status);

        var two = new FakeDnsQuery().Answer(Name, QueryType.TXT, Txt(Name, 300, "v=TLSRPTv1; rua=mailto:a@r.example"), Txt(Name, 300, "v=TLSRPTv1; rua=mailto:b@r.example"));
        var multiple = await Discoverer(two).DiscoverAsync("recipient.example");
        Assert.Equal(TlsRptRecordStatus.MultipleRecords, multiple.Status);
        Assert.Equal("multiple-records", Assert.Single(multiple.Errors).Code);
    }

    [Fact]
    public async Task NoRecord_IsNotFound_AndADnsFailure_IsNotCached()
    {
        var absent = new FakeDnsQuery().NxDomain(Name, QueryType.TXT);
        var notFound = await Discoverer(absent).DiscoverAsync("recipient.example");
        Assert.Equal(TlsRptRecordStatus.NotFound, notFound.Status);
        Assert.Contains("NXDOMAIN", notFound.Message, StringComparison.Ordinal);

        var failing = new FakeDnsQuery().Rcode(Name, QueryType.TXT, DnsHeaderResponseCode.ServerFailure);
        var discoverer = Discoverer(failing);
        Assert.Equal(TlsRptRecordStatus.DnsFailure, (await discoverer.DiscoverAsync("recipient.example")).Status);
        await discoverer.DiscoverAsync("recipient.example");
        Assert.Equal(2, failing.QueryCount);
    }
}
