using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using static MtaSts.Tests.Reporting.ReportingFixtures;

namespace MtaSts.Tests.Reporting;

public class TlsReportBuilderTests
{
    private static TlsReport BuildOne(TlsReportCounts counts, TlsReportOptions? options = null) =>
        Assert.Single(new TlsReportBuilder(options ?? Options()).Build(counts));

    private static JsonElement Root(TlsReport report) => JsonDocument.Parse(report.Json).RootElement;

    [Fact]
    public void RPT_4_a_BuiltReport_MatchesTheStrictSchema()
    {
        var report = BuildOne(MixedDay());
        TlsReportSchema.AssertValid(report.Json);
    }

    [Fact]
    public void RPT_4_a_TheSchema_RejectsWhatStrictReceiversReject()
    {
        var json = Encoding.UTF8.GetString(BuildOne(MixedDay()).Json.Span);
        TlsReportSchema.AssertInvalid(json.Replace("\"contact-info\":\"tlsrpt+ops@sender.example\",", string.Empty, StringComparison.Ordinal));
        TlsReportSchema.AssertInvalid(json.Replace("\"policy-domain\":\"recipient.example\"", "\"policy-domain\":null", StringComparison.Ordinal));
        TlsReportSchema.AssertInvalid(json.Replace("\"total-failure-session-count\":0", "\"total-failure-session-count\":\"0\"", StringComparison.Ordinal));
        TlsReportSchema.AssertInvalid(json.Replace("\"mx-host\":[\"mx1.recipient.example\",\"*.backup.recipient.example\"]", "\"mx-host\":\"mx1.recipient.example\"", StringComparison.Ordinal));
        TlsReportSchema.AssertInvalid(json.Replace("\"receiving-mx-helo\":\"mx1.recipient.example\"", "\"receiving-mx-helo\":\"\"", StringComparison.Ordinal));
        TlsReportSchema.AssertInvalid(json.Replace("T23:59:59Z", "T23:59:59", StringComparison.Ordinal));
        TlsReportSchema.AssertInvalid(json.Replace("\"198.51.100.10\"", "\"198.51.100.999\"", StringComparison.Ordinal));
        TlsReportSchema.AssertInvalid(json.Replace("\"result-type\":\"certificate-expired\"", "\"result-type\":\"certificate-revoked\"", StringComparison.Ordinal));
    }

    [Fact]
    public void RPT_4_a_MembersAndOrder_AreTheSchemas()
    {
        var root = Root(BuildOne(MixedDay()));
        Assert.Equal(["organization-name", "date-range", "contact-info", "report-id", "policies"], root.EnumerateObject().Select(p => p.Name));
        var sts = root.GetProperty("policies").EnumerateArray().First(p => p.GetProperty("policy").GetProperty("policy-type").GetString() == "sts");
        Assert.Equal(["policy", "summary", "failure-details"], sts.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["policy-type", "policy-string", "policy-domain", "mx-host"], sts.GetProperty("policy").EnumerateObject().Select(p => p.Name));
        var detail = sts.GetProperty("failure-details")[0];
        Assert.Equal(
            ["result-type", "sending-mta-ip", "receiving-mx-hostname", "receiving-mx-helo", "receiving-ip", "failed-session-count", "failure-reason-code"],
            detail.EnumerateObject().Select(p => p.Name));
        Assert.Equal("certificate-expired", detail.GetProperty("result-type").GetString());
        Assert.Equal(3, detail.GetProperty("failed-session-count").GetInt64());
        Assert.Equal("Sender Example Ltd", root.GetProperty("organization-name").GetString());
        Assert.Equal("tlsrpt+ops@sender.example", root.GetProperty("contact-info").GetString());
    }

    [Fact]
    public void RPT_4_b_Policies_IsAnArray_EvenWithOnePolicy()
    {
        var aggregator = new TlsReportAggregator();
        aggregator.AddSuccess(Day, "recipient.example", StsPolicy());
        var root = Root(BuildOne(aggregator.Snapshot(Day, "recipient.example")!));
        Assert.Equal(JsonValueKind.Array, root.GetProperty("policies").ValueKind);
        Assert.Equal(1, root.GetProperty("policies").GetArrayLength());
    }

    [Fact]
    public void RPT_4_a_StsPolicy_OneStringPerLine_AndMxHostAsAnArray()
    {
        var policy = Root(BuildOne(MixedDay())).GetProperty("policies").EnumerateArray()
            .Select(p => p.GetProperty("policy")).First(p => p.GetProperty("policy-type").GetString() == "sts");
        Assert.Equal(
            ["version: STSv1", "mode: enforce", "mx: mx1.recipient.example", "mx: *.backup.recipient.example", "max_age: 604800"],
            policy.GetProperty("policy-string").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["mx1.recipient.example", "*.backup.recipient.example"], policy.GetProperty("mx-host").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("recipient.example", policy.GetProperty("policy-domain").GetString());
    }

    [Fact]
    public void R_1_DateRange_IsTheUtcDay_EndingAt235959()
    {
        // Also: RPT-4.1-a, A-18
        var report = BuildOne(MixedDay());
        var range = Root(report).GetProperty("date-range");
        Assert.Equal("2026-03-01T00:00:00Z", range.GetProperty("start-datetime").GetString());
        Assert.Equal("2026-03-01T23:59:59Z", range.GetProperty("end-datetime").GetString());
        Assert.Equal(Day, report.Document.Day);
    }

    [Fact]
    public void R_2_TlsaPolicy_NamesTheBaseDomain_OneStringPerRecord_NoMxHost()
    {
        var policy = Root(BuildOne(MixedDay())).GetProperty("policies").EnumerateArray()
            .Select(p => p.GetProperty("policy")).Single(p => p.GetProperty("policy-type").GetString() == "tlsa");
        Assert.Equal("mx.dane.recipient.example", policy.GetProperty("policy-domain").GetString());
        Assert.Equal(
            ["3 1 1 " + new string('0', 64), "2 0 1 000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"],
            policy.GetProperty("policy-string").EnumerateArray().Select(e => e.GetString()));
        Assert.False(policy.TryGetProperty("mx-host", out _));
    }

    [Fact]
    public void R_9_NoPolicyFound_KeepsItsPolicyDomain_AndAnEmptyPolicyString()
    {
        var entry = Root(BuildOne(MixedDay())).GetProperty("policies").EnumerateArray()
            .Single(p => p.GetProperty("policy").GetProperty("policy-type").GetString() == "no-policy-found");
        Assert.Equal("recipient.example", entry.GetProperty("policy").GetProperty("policy-domain").GetString());
        Assert.Equal(0, entry.GetProperty("policy").GetProperty("policy-string").GetArrayLength());
        Assert.Equal(2, entry.GetProperty("summary").GetProperty("total-successful-session-count").GetInt64());
        Assert.Equal(0, entry.GetProperty("summary").GetProperty("total-failure-session-count").GetInt64());
        Assert.Equal(0, entry.GetProperty("failure-details").GetArrayLength());
    }

    [Fact]
    public void R_9_R_16_InvalidPolicy_ReportsTheReceivedLines_AFetchErrorNone()
    {
        var aggregator = new TlsReportAggregator();
        var invalid = TlsRptPolicy.FromPolicyText("recipient.example", "version: STSv1\nmode: enforced\n\nmax_age: 1\n");
        var unfetched = TlsRptPolicy.FromPolicyText("other.example", null);
        aggregator.AddFailure(Day, "recipient.example", invalid, new TlsRptFailure(TlsRptResultType.StsPolicyInvalid, TlsRptReasonCodes.ModeInvalid));
        aggregator.AddFailure(Day, "recipient.example", unfetched, new TlsRptFailure(TlsRptResultType.StsPolicyFetchError, TlsRptReasonCodes.ForHttpStatus(404)));
        var report = BuildOne(aggregator.Snapshot(Day, "recipient.example")!);
        TlsReportSchema.AssertValid(report.Json);
        var policies = report.Document.Policies.Select(p => p.Policy).ToList();
        Assert.All(policies, p => Assert.Equal(TlsRptPolicyType.Sts, p.PolicyType));
        Assert.Equal(["version: STSv1", "mode: enforced", "max_age: 1"], policies.Single(p => p.PolicyDomain == "recipient.example").PolicyStrings);
        Assert.Empty(policies.Single(p => p.PolicyDomain == "other.example").PolicyStrings);
        Assert.Contains("\"failure-reason-code\":\"http-status-404\"", Encoding.UTF8.GetString(report.Json.Span), StringComparison.Ordinal);
    }

    [Fact]
    public void R_9_PolicyTextOver64KiB_IsNotReported()
    {
        var policy = TlsRptPolicy.FromPolicyText("recipient.example", "version: STSv1\n" + new string('x', 65536));
        Assert.Empty(policy.PolicyStrings);
    }

    [Fact]
    public void R_11_UnknownValues_AreOmitted_NeverNullOrEmpty()
    {
        var aggregator = new TlsReportAggregator();
        aggregator.AddFailure(Day, "recipient.example", StsPolicy(), new TlsRptFailure(TlsRptResultType.StartTlsNotSupported));
        var report = BuildOne(aggregator.Snapshot(Day, "recipient.example")!);
        var json = Encoding.UTF8.GetString(report.Json.Span);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"\"", json, StringComparison.Ordinal);
        var detail = Root(report).GetProperty("policies")[0].GetProperty("failure-details")[0];
        Assert.Equal(["result-type", "failed-session-count"], detail.EnumerateObject().Select(p => p.Name));
        TlsReportSchema.AssertValid(report.Json);
    }

    [Theory]
    [InlineData(null, "ops@sender.example", "sender.example")]
    [InlineData("Org", null, "sender.example")]
    [InlineData("Org", "ops@sender.example", null)]
    [InlineData(" ", "ops@sender.example", "sender.example")]
    [InlineData("Org", "not an address", "sender.example")]
    [InlineData("Org", "ops@sender.example", "not a domain")]
    public void R_11_OrganisationContactAndSubmitter_AreRequired(string? organization, string? contact, string? submitter) =>
        Assert.Throws<ArgumentException>(() => new TlsReportBuilder(new TlsReportOptions { OrganizationName = organization, ContactInfo = contact, Submitter = submitter }));

    [Fact]
    public void R_3_SuccessOnlyReports_AreBuiltByDefault_AndNotWhenSwitchedOff()
    {
        var aggregator = new TlsReportAggregator();
        aggregator.AddSuccess(Day, "recipient.example", StsPolicy(), 10);
        var counts = aggregator.Snapshot(Day, "recipient.example")!;
        var report = BuildOne(counts);
        Assert.Equal(10, report.Document.TotalSuccessfulSessionCount);
        Assert.Equal(0, report.Document.TotalFailureSessionCount);
        Assert.Empty(new TlsReportBuilder(Options(successOnly: false)).Build(counts));
        Assert.Single(new TlsReportBuilder(Options(successOnly: false)).Build(MixedDay()));
    }

    [Fact]
    public void R_3_NoSessions_NoReport() =>
        Assert.Empty(new TlsReportBuilder(Options()).Build(new TlsReportCounts(Day, "recipient.example", [])));

    [Fact]
    public void R_6_TestingModeFailures_AreCountedAsFailures()
    {
        // A testing-mode session whose certificate failed was delivered, and is still reported as failed.
        var aggregator = new TlsReportAggregator();
        var testing = TlsRptPolicy.FromMtaStsPolicy("recipient.example", MtaStsPolicyParser.Parse("version: STSv1\nmode: testing\nmx: mx1.recipient.example\nmax_age: 86400\n").Policy!);
        aggregator.AddFailure(Day, "recipient.example", testing, CertificateExpired(), 4);
        aggregator.AddSuccess(Day, "recipient.example", testing, 6);
        var entry = BuildOne(aggregator.Snapshot(Day, "recipient.example")!).Document.Policies.Single();
        Assert.Equal(4, entry.TotalFailureSessionCount);
        Assert.Equal(6, entry.TotalSuccessfulSessionCount);
        Assert.Equal(4, entry.FailureDetails.Single().FailedSessionCount);
        Assert.Contains("mode: testing", entry.Policy.PolicyStrings);
    }

    [Fact]
    public void R_7_AnOversizedReport_IsSplit_EveryPartWithinTheLimit_TotalsExact()
    {
        // Also: RPT-4-c
        var aggregator = new TlsReportAggregator();
        long failed = 0;
        for (var host = 1; host <= 400; host++)
        {
            aggregator.AddFailure(Day, "recipient.example", StsPolicy(), CertificateExpired(host), host);
            failed += host;
        }

        aggregator.AddFailures(Day, "recipient.example", StsPolicy(), [CertificateExpired(1), CertificateExpired(2)], 5); // RPT-4-c: 5 sessions, 10 detail counts
        failed += 5;
        aggregator.AddSuccess(Day, "recipient.example", StsPolicy(), 1000);
        aggregator.AddFailure(Day, "recipient.example", TlsaPolicy(), new TlsRptFailure(TlsRptResultType.TlsaInvalid, TlsRptReasonCodes.TlsaNoMatch), 7);
        aggregator.AddSuccess(Day, "recipient.example", TlsRptPolicy.NoPolicyFound("recipient.example"), 3);
        var counts = aggregator.Snapshot(Day, "recipient.example")!;

        const int limit = 8192;
        var parts = new TlsReportBuilder(Options(maxBytes: limit)).Build(counts);

        Assert.True(parts.Count > 3, $"{parts.Count} parts");
        Assert.All(parts, p => Assert.True(p.Json.Length <= limit, $"part {p.Part}: {p.Json.Length} bytes"));
        Assert.All(parts, p => TlsReportSchema.AssertValid(p.Json));
        Assert.Equal(Enumerable.Range(1, parts.Count), parts.Select(p => p.Part));
        Assert.All(parts, p => Assert.Equal(parts.Count, p.PartCount));
        Assert.Equal(parts.Count, parts.Select(p => p.ReportId).Distinct().Count());
        Assert.Equal(parts.Count, parts.Select(p => p.FileName).Distinct().Count());

        var entries = parts.SelectMany(p => p.Document.Policies).ToList();
        Assert.Equal(counts.SuccessfulSessions, entries.Sum(e => e.TotalSuccessfulSessionCount));
        Assert.Equal(counts.FailedSessions, entries.Sum(e => e.TotalFailureSessionCount));
        Assert.Equal(failed + 7, entries.Sum(e => e.TotalFailureSessionCount));
        foreach (var policy in counts.Policies)
        {
            var mine = entries.Where(e => e.Policy.Equals(policy.Policy)).ToList();
            Assert.Equal(policy.Failures.Sum(f => f.Count), mine.Sum(e => e.FailureDetails.Sum(d => d.FailedSessionCount)));
            Assert.Equal(policy.Failures.Count, mine.Sum(e => e.FailureDetails.Count));
            Assert.All(mine, e => Assert.True(e.TotalFailureSessionCount <= e.FailureDetails.Sum(d => d.FailedSessionCount)));
        }
    }

    [Fact]
    public void R_7_AReportWithinTheLimit_IsOnePart()
    {
        var report = BuildOne(MixedDay(), Options(maxBytes: 4096));
        Assert.Equal(1, report.PartCount);
        Assert.DoesNotMatch(@"!\d{3}\.json", report.FileName);
    }

    [Fact]
    public void R_14_TheSameCounts_GiveTheSameReport_ByteForByte()
    {
        var first = BuildOne(MixedDay());
        var second = BuildOne(MixedDay());
        Assert.Equal(first.ReportId, second.ReportId);
        Assert.Equal(first.Json.ToArray(), second.Json.ToArray());
        Assert.Equal(first.FileName, second.FileName);
    }

    [Fact]
    public void R_14_ReportId_DependsOnSubmitterDomainDayAndPart()
    {
        var id = TlsReportBuilder.CreateReportId("mail.sender.example", "recipient.example", Day, 1);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", id);
        Assert.Equal(id, TlsReportBuilder.CreateReportId("MAIL.sender.example.", "Recipient.Example", Day, 1));
        Assert.NotEqual(id, TlsReportBuilder.CreateReportId("other.sender.example", "recipient.example", Day, 1));
        Assert.NotEqual(id, TlsReportBuilder.CreateReportId("mail.sender.example", "other.example", Day, 1));
        Assert.NotEqual(id, TlsReportBuilder.CreateReportId("mail.sender.example", "recipient.example", Day.AddDays(1), 1));
        Assert.NotEqual(id, TlsReportBuilder.CreateReportId("mail.sender.example", "recipient.example", Day, 2));
        Assert.DoesNotContain("@", id, StringComparison.Ordinal);
        Assert.Equal(id, BuildOne(MixedDay()).ReportId);
    }

    [Fact]
    public void RPT_5_1_a_FileName_SubmitterDomainAndTheDaysUnixSeconds()
    {
        var report = BuildOne(MixedDay());
        var begin = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.Equal($"mail.sender.example!recipient.example!{begin}!{begin + 86399}.json.gz", report.FileName);
        Assert.Equal($"mail.sender.example!recipient.example!{begin}!{begin + 86399}.json", report.JsonFileName);
        Assert.Equal(begin, TlsReportBuilder.BeginTimestamp(Day));
    }

    [Fact]
    public void RPT_5_1_a_SplitParts_CarryAUniqueIdInTheFileName()
    {
        var aggregator = new TlsReportAggregator();
        for (var host = 1; host <= 200; host++)
        {
            aggregator.AddFailure(Day, "recipient.example", StsPolicy(), CertificateExpired(host));
        }

        var parts = new TlsReportBuilder(Options(maxBytes: 4096)).Build(aggregator.Snapshot(Day, "recipient.example")!);
        var abnf = new Regex(@"^[a-z0-9.-]+![a-z0-9.-]+![0-9]+![0-9]+(![A-Za-z0-9]+)?\.(json|json\.gz)$");
        Assert.All(parts, p => Assert.Matches(abnf, p.FileName));
        Assert.EndsWith("!001.json.gz", parts[0].FileName, StringComparison.Ordinal);
    }

    [Fact]
    public void RPT_5_2_a_Gzip_IsRfc1952_AndDecompressesToTheJson()
    {
        var report = BuildOne(MixedDay());
        var gzip = report.ToGzip();
        Assert.Equal(0x1f, gzip[0]);
        Assert.Equal(0x8b, gzip[1]);
        Assert.Equal(8, gzip[2]); // deflate
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        Assert.Equal(report.Json.ToArray(), output.ToArray());
        Assert.Equal("application/tlsrpt+gzip", TlsReport.GzipMediaType);
    }

    [Fact]
    public void RPT_4_a_Json_IsIJson_Utf8WithoutBom()
    {
        var json = BuildOne(MixedDay()).Json.Span;
        Assert.Equal((byte)'{', json[0]);
        Assert.True(new UTF8Encoding(false, true).GetCharCount(json) > 0);
        Assert.Contains("+ops@", Encoding.UTF8.GetString(json), StringComparison.Ordinal); // not escaped as \u002B
    }

    [Fact]
    public void RPT_4_a_Addresses_AreWrittenInRfc5952Form()
    {
        var aggregator = new TlsReportAggregator();
        aggregator.AddFailure(Day, "recipient.example", StsPolicy(), new TlsRptFailure(TlsRptResultType.TlsaInvalid)
        {
            SendingMtaIp = IPAddress.Parse("::ffff:198.51.100.1"),
            ReceivingIp = IPAddress.Parse("2001:0DB8:0000:0000:0000:0000:0000:0025"),
        });
        var detail = BuildOne(aggregator.Snapshot(Day, "recipient.example")!).Document.Policies[0].FailureDetails[0];
        Assert.Equal("198.51.100.1", detail.SendingMtaIp);
        Assert.Equal("2001:db8::25", detail.ReceivingIp);
    }
}
