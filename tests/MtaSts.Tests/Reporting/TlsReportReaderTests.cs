using System.IO.Compression;
using System.Text;
using MtaSts.Reporting;
using static MtaSts.Tests.Reporting.ReportingFixtures;

namespace MtaSts.Tests.Reporting;

public class TlsReportReaderTests
{
    private static byte[] Fixture(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Reporting", "Resources", "Variants", name));

    private static TlsReportDocument AssertReads(TlsReportReadResult result)
    {
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Empty(result.Errors);
        return result.Report!;
    }

    private static void AssertFails(string json, string code)
    {
        var result = TlsReportReader.Read(Encoding.UTF8.GetBytes(json));
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Code == code);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    [Fact]
    public void RPT_4_a_RoundTrip_WhatWeWrite_ReadsBackExactly()
    {
        foreach (var report in new TlsReportBuilder(Options()).Build(MixedDay()))
        {
            var result = TlsReportReader.Read(report.Json.Span);
            var read = AssertReads(result);
            Assert.Empty(result.Warnings);
            Assert.False(result.WasCompressed);
            Assert.Equal(report.Json.ToArray(), TlsReportWriter.Serialize(read)); // every member survives, in place
            Assert.Equal(Day, read.Day);
            Assert.Equal(report.Document.Policies.Select(p => p.Policy), read.Policies.Select(p => p.Policy));
        }
    }

    [Fact]
    public void RPT_5_2_a_RoundTrip_ThroughGzip()
    {
        var report = new TlsReportBuilder(Options()).Build(MixedDay()).Single();
        var result = TlsReportReader.Read(report.ToGzip());
        Assert.True(result.WasCompressed);
        Assert.Equal(report.Json.ToArray(), TlsReportWriter.Serialize(AssertReads(result)));
    }

    [Fact]
    public void R_7_RoundTrip_OfSplitParts_AddsUpToTheCounts()
    {
        var aggregator = new TlsReportAggregator();
        for (var host = 1; host <= 150; host++)
        {
            aggregator.AddFailure(Day, "recipient.example", StsPolicy(), CertificateExpired(host), host);
        }

        var counts = aggregator.Snapshot(Day, "recipient.example")!;
        var read = new TlsReportBuilder(Options(maxBytes: 4096)).Build(counts).Select(p => AssertReads(TlsReportReader.Read(p.ToGzip()))).ToList();
        Assert.True(read.Count > 1);
        Assert.Equal(counts.FailedSessions, read.Sum(r => r.TotalFailureSessionCount));
        Assert.Equal(150, read.Sum(r => r.Policies.Sum(p => p.FailureDetails.Count)));
    }

    [Fact]
    public void RPT_4_5_2_MxHostAsAString_IsReadAsOnePattern()
    {
        var result = TlsReportReader.Read(Fixture("mx-host-string.json"));
        var report = AssertReads(result);
        Assert.Equal(["mx1.recipient.example"], report.Policies.Single().Policy.MxHosts);
        Assert.Contains(result.Warnings, w => w.Code == "mx-host-string");
        Assert.Equal(Day, report.Day);
        var detail = report.Policies.Single().FailureDetails.Single();
        Assert.Equal("certificate-expired", detail.ResultType);
        Assert.Equal("203.0.113.25", detail.ReceivingIp);
        Assert.Equal(3, detail.FailedSessionCount);
        Assert.Null(detail.FailureReasonCode);
    }

    [Fact]
    public void RPT_4_5_3_EndAtTheNextMidnight_IsTheSameDay()
    {
        // Also: A-18
        var result = TlsReportReader.Read(Fixture("end-next-midnight.json"));
        var report = AssertReads(result);
        Assert.Empty(result.Warnings);
        Assert.Equal(Day, report.Day);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), report.EndDateTime);
        Assert.Empty(report.Policies.Single().FailureDetails); // failure-details absent
        Assert.Equal(42, report.TotalSuccessfulSessionCount);
    }

    [Fact]
    public void RPT_4_5_3_TimesWithoutAZone_AreReadAsUtc()
    {
        var result = TlsReportReader.Read(Fixture("times-without-zone.json"));
        var report = AssertReads(result);
        Assert.Equal(2, result.Warnings.Count(w => w.Code == "time-without-zone"));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), report.StartDateTime);
        Assert.Equal(Day, report.Day);
        var policy = report.Policies.Single();
        Assert.Equal(TlsRptPolicyType.NoPolicyFound, policy.Policy.PolicyType);
        Assert.Empty(policy.Policy.PolicyStrings); // policy-string absent
        Assert.Equal("STARTTLS_NOT_OFFERED", policy.FailureDetails.Single().FailureReasonCode);
        Assert.Equal("2001:db8:10::25", policy.FailureDetails.Single().SendingMtaIp);
    }

    [Fact]
    public void RPT_4_5_TlsaStringsDoubleEncoded_AreDecoded()
    {
        var result = TlsReportReader.Read(Fixture("tlsa-double-encoded.json"));
        var report = AssertReads(result);
        Assert.Contains(result.Warnings, w => w.Code == "policy-string-double-encoded");
        var policy = report.Policies.Single().Policy;
        Assert.Equal(TlsRptPolicyType.Tlsa, policy.PolicyType);
        Assert.Equal("mx.recipient.example", policy.PolicyDomain);
        Assert.Equal(
            ["3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6", "2 0 1 8D02536C887482BC34FF54E41D2BA659BF85B341A0A20AFADB5813DCFBCF286D"],
            policy.PolicyStrings);
        Assert.Equal(Day, report.Day); // fractional seconds
    }

    [Fact]
    public void RPT_4_5_1_RPT_4_5_4_ProseNames_Nulls_AndOptionalMembers()
    {
        var result = TlsReportReader.Read(Fixture("prose-names-and-nulls.json"));
        var report = AssertReads(result);
        var policy = report.Policies.Single();
        Assert.Equal("recipient.example", policy.Policy.PolicyDomain);
        Assert.Equal(["mail.recipient.example"], policy.Policy.MxHosts);
        Assert.Equal(3, result.Warnings.Count(w => w.Code == "prose-member-name"));
        Assert.Null(policy.FailureDetails[0].ReceivingMxHelo);
        Assert.Null(policy.FailureDetails[0].FailureReasonCode);
        Assert.Equal("some-future-type", policy.FailureDetails[1].ResultType); // an unknown type still reads
        Assert.Equal("https://sender-five.example/tlsrpt/why", policy.FailureDetails[1].AdditionalInformation);
        Assert.Equal(Day, report.Day); // +00:00 offsets
    }

    [Fact]
    public void RPT_5_2_a_AGzippedVariant_Reads()
    {
        var result = TlsReportReader.Read(Gzip(Fixture("mx-host-string.json")));
        Assert.True(result.WasCompressed);
        Assert.Equal(120, AssertReads(result).TotalSuccessfulSessionCount);
    }

    [Fact]
    public void AByteOrderMark_IsSkipped()
    {
        var data = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Fixture("end-next-midnight.json")).ToArray();
        AssertReads(TlsReportReader.Read(data));
    }

    [Fact]
    public void Variants_PolicyStringAsOneString_PoliciesAsOneObject_MissingContact()
    {
        const string json = """
            {"organization-name":"X","date-range":{"start-datetime":"2026-03-01T00:00:00Z","end-datetime":"2026-03-01T23:59:59Z"},
             "report-id":"1","policies":{"policy":{"policy-type":"sts","policy-string":"version: STSv1\nmode: none","policy-domain":"recipient.example"},
             "summary":{"total-successful-session-count":1,"total-failure-session-count":0}}}
            """;
        var result = TlsReportReader.Read(Encoding.UTF8.GetBytes(json));
        var report = AssertReads(result);
        Assert.Equal(["version: STSv1", "mode: none"], report.Policies.Single().Policy.PolicyStrings);
        Assert.Equal(string.Empty, report.ContactInfo);
        Assert.Contains(result.Warnings, w => w.Code == "policy-string-not-array");
        Assert.Contains(result.Warnings, w => w.Code == "policies-not-array");
        Assert.Contains(result.Warnings, w => w.Code == "member-missing");
    }

    [Fact]
    public void ARangeThatIsNotOneDay_HasNoDay()
    {
        var json = Encoding.UTF8.GetString(Fixture("end-next-midnight.json")).Replace("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", StringComparison.Ordinal);
        Assert.Null(AssertReads(TlsReportReader.Read(Encoding.UTF8.GetBytes(json))).Day);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{\"organization-name\":", "json-invalid")]
    [InlineData("[]", "not-an-object")]
    [InlineData("{\"organization-name\":\"X\",\"contact-info\":\"a@b\",\"report-id\":\"1\",\"policies\":[]}", "date-range-invalid")]
    [InlineData("{\"date-range\":{\"start-datetime\":\"yesterday\",\"end-datetime\":\"2026-03-01T23:59:59Z\"},\"policies\":[]}", "date-range-invalid")]
    [InlineData("{\"date-range\":{\"start-datetime\":\"2026-03-01T00:00:00Z\",\"end-datetime\":\"2026-03-01T23:59:59Z\"}}", "policies-invalid")]
    [InlineData("{\"date-range\":{\"start-datetime\":\"2026-03-01T00:00:00Z\",\"end-datetime\":\"2026-03-01T23:59:59Z\"},\"policies\":[{\"policy\":{\"policy-type\":\"dmarc\"},\"summary\":{\"total-successful-session-count\":1,\"total-failure-session-count\":0}}]}", "policy-type-unknown")]
    [InlineData("{\"date-range\":{\"start-datetime\":\"2026-03-01T00:00:00Z\",\"end-datetime\":\"2026-03-01T23:59:59Z\"},\"policies\":[{\"summary\":{}}]}", "policy-invalid")]
    [InlineData("{\"date-range\":{\"start-datetime\":\"2026-03-01T00:00:00Z\",\"end-datetime\":\"2026-03-01T23:59:59Z\"},\"policies\":[{\"policy\":{\"policy-type\":\"sts\"},\"summary\":{\"total-successful-session-count\":-1,\"total-failure-session-count\":0}}]}", "summary-invalid")]
    [InlineData("{\"date-range\":{\"start-datetime\":\"2026-03-01T00:00:00Z\",\"end-datetime\":\"2026-03-01T23:59:59Z\"},\"policies\":[{\"policy\":{\"policy-type\":\"sts\"},\"summary\":{\"total-successful-session-count\":1,\"total-failure-session-count\":1},\"failure-details\":[{\"result-type\":\"tlsa-invalid\"}]}]}", "failure-detail-invalid")]
    public void BrokenReports_AreRefusedWithAReason(string json, string code) => AssertFails(json, code);

    [Fact]
    public void GarbageAfterTheGzipMagic_IsRefused()
    {
        var result = TlsReportReader.Read([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03]);
        Assert.False(result.IsValid);
        Assert.True(result.WasCompressed);
        Assert.Contains(result.Errors, e => e.Code is "gzip-invalid");
    }
}
