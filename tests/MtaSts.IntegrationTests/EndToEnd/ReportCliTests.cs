using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary><c>mta-sts report build|show</c> (issue 8 §4, §5): reports from a report store, and reading reports back.</summary>
public sealed class ReportCliTests : IDisposable
{
    // Yesterday (UTC), as `report build` would default to: the file store keeps day folders for a week.
    private static readonly DateOnly Day = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime).AddDays(-1);

    private static readonly string DayText = Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private readonly string _folder = Directory.CreateTempSubdirectory("mtasts-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string StoreDirectory => Path.Combine(_folder, "store");

    private string OutDirectory => Path.Combine(_folder, "out");

    private static TlsRptPolicy Policy() =>
        TlsRptPolicy.Sts("recipient.example", ["version: STSv1", "mode: testing", "mx: mx.recipient.example", "max_age: 86400"], ["mx.recipient.example"]);

    private async Task RecordDayAsync()
    {
        var at = new DateTimeOffset(Day.ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero);
        await using var recorder = new TlsReportRecorder(new FileTlsReportStore(StoreDirectory), null, new TlsReportRecorderOptions { RequireTlsRptRecord = false });
        for (var i = 0; i < 5; i++)
        {
            recorder.Record(new TlsSession("recipient.example", Policy()) { Time = at });
        }

        recorder.Record(new TlsSession("recipient.example", Policy(), new TlsRptFailure(TlsRptResultType.CertificateHostMismatch, TlsRptReasonCodes.CertificateNameMismatch)
        {
            ReceivingMxHostname = "mx.recipient.example",
            ReceivingIp = IPAddress.Loopback,
        }) { Time = at });
        recorder.Record(new TlsSession("other.example", TlsRptPolicy.NoPolicyFound("other.example")) { Time = at });
    }

    private string[] Build(params string[] extra) =>
        ["report", "build", "--store", "file:" + StoreDirectory, "--date", DayText, "--out", OutDirectory, "--organization", "Sender Example", "--contact", "tlsrpt@sender.example", .. extra];

    [Fact]
    public async Task Build_WritesOneRfc8460FilePerDomain_ThatReadsBackWithTheDaysCounts()
    {
        await RecordDayAsync();

        var (exitCode, output, error) = await CliRunner.RunAsync(Build("--json"));

        Assert.True(exitCode == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(["other.example", "recipient.example"], lines.Select(l => l.GetProperty("domain").GetString()));
        var recipient = lines[1];
        var file = recipient.GetProperty("file").GetString()!;
        // RFC 8460 §5.1: sender!policy-domain!begin!end[!id].json.gz, begin = the day's start, end = begin + 86399 (R-1).
        var begin = new DateTimeOffset(Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.Equal($"sender.example!recipient.example!{begin}!{begin + 86399}.json.gz", Path.GetFileName(file));
        var read = TlsReportReader.Read(await File.ReadAllBytesAsync(file));
        Assert.True(read.WasCompressed);
        var policy = Assert.Single(read.Report!.Policies);
        Assert.Equal((5L, 1L), (policy.TotalSuccessfulSessionCount, policy.TotalFailureSessionCount));
        Assert.Equal(TlsRptReasonCodes.CertificateNameMismatch, Assert.Single(policy.FailureDetails).FailureReasonCode);
        Assert.Equal("Sender Example", read.Report.OrganizationName);

        var (showCode, shown, _) = await CliRunner.RunAsync("report", "show", file);
        Assert.Equal(0, showCode);
        Assert.Contains("report-id    " + recipient.GetProperty("report_id").GetString(), shown, StringComparison.Ordinal);
        Assert.Matches(@"sts\s+recipient\.example\s+5\s+1", shown);
        Assert.Matches(@"certificate-host-mismatch\s+certificate-name-mismatch\s+mx\.recipient\.example\s+127\.0\.0\.1\s+1", shown);
    }

    [Fact]
    public async Task Build_UsageErrors_ExitTwo_InTheToolsWords()
    {
        await RecordDayAsync();

        var noOrganization = await CliRunner.RunAsync("report", "build", "--store", "file:" + StoreDirectory, "--out", OutDirectory, "--contact", "a@b.example");
        Assert.Equal(2, noOrganization.ExitCode);
        Assert.Contains("--organization", noOrganization.Error, StringComparison.Ordinal);

        var badDate = await CliRunner.RunAsync("report", "build", "--store", "file:" + StoreDirectory, "--date", "01/03/2026", "--out", OutDirectory, "--organization", "x", "--contact", "a@b.example");
        Assert.Equal(2, badDate.ExitCode);
        Assert.Contains("use YYYY-MM-DD, today or yesterday", badDate.Error, StringComparison.Ordinal);

        var badContact = await CliRunner.RunAsync("report", "build", "--store", "file:" + StoreDirectory, "--out", OutDirectory, "--organization", "x", "--contact", "nobody");
        Assert.Equal(2, badContact.ExitCode);
        Assert.Contains("--contact must be an e-mail address", badContact.Error, StringComparison.Ordinal);

        var noStore = await CliRunner.RunAsync("report", "build", "--store", "file:" + Path.Combine(_folder, "missing"), "--out", OutDirectory, "--organization", "x", "--contact", "a@b.example");
        Assert.Equal(2, noStore.ExitCode);
        Assert.Contains("the directory does not exist", noStore.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_ADayWithoutCounts_BuildsNothing_AndSaysSo()
    {
        Directory.CreateDirectory(StoreDirectory);

        var (exitCode, output, error) = await CliRunner.RunAsync(Build());

        Assert.Equal(0, exitCode);
        Assert.Equal("", output);
        Assert.Contains($"no TLS-RPT counts for {DayText}", error, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "RFC 8460 §4 (checklist §4.5): report show reads another sender's variant, and shows its hostile text made safe")]
    public async Task Show_AForeignVariant_WithHostileText_IsReadAndSanitised()
    {
        // mx-host as a string, the end at next-day 00:00:00Z, an organization name with an escape sequence and a bidi override.
        var json = """
            {"organization-name":"Evil\u001b[31m Corp\u202e","date-range":{"start-datetime":"2026-03-01T00:00:00Z","end-datetime":"2026-03-02T00:00:00Z"},
             "contact-info":"x@evil.example","report-id":"r1",
             "policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1"],"policy-domain":"recipient.example","mx-host":"mx.recipient.example"},
               "summary":{"total-successful-session-count":9,"total-failure-session-count":0}}]}
            """;
        var path = Path.Combine(_folder, "foreign.json.gz");
        await using (var file = File.Create(path))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(json));
        }

        var (exitCode, output, _) = await CliRunner.RunAsync("report", "show", path);

        Assert.Equal(0, exitCode);
        Assert.Contains("(gzip)", output, StringComparison.Ordinal);
        Assert.Matches(@"sts\s+recipient\.example\s+9\s+0", output);
        Assert.DoesNotContain('\u001b', output);
        Assert.DoesNotContain('\u202e', output);
        Assert.Contains("organization Evil [31m Corp", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_AFileThatIsNoReport_ExitsOne_WithTheReadersCode()
    {
        var path = Path.Combine(_folder, "not-a-report.json");
        await File.WriteAllTextAsync(path, "{\"hello\":1}");

        var (exitCode, _, error) = await CliRunner.RunAsync("report", "show", path, Path.Combine(_folder, "absent.json"));

        Assert.Equal(1, exitCode);
        Assert.Contains("not-a-report.json: not a TLS-RPT report: ", error, StringComparison.Ordinal);
        Assert.Contains("absent.json: no such file", error, StringComparison.Ordinal);
    }

    [Fact(DisplayName = "RFC 8460 §5.6: report show goes by the report's body, not by a file name that says otherwise")]
    public async Task RPT_5_6_a_AFileNameThatDisagreesWithTheBody_TheBodyWins()
    {
        // The name claims another submitter, another domain, 1970 and plain JSON; the body is a gzip report for recipient.example.
        var aggregator = new TlsReportAggregator();
        aggregator.AddSuccess(new DateOnly(2026, 3, 1), "recipient.example", Policy(), 4);
        var report = Assert.Single(new TlsReportBuilder(new TlsReportOptions { OrganizationName = "Sender Example", ContactInfo = "tlsrpt@sender.example", Submitter = "sender.example" })
            .Build(aggregator.Snapshot(new DateOnly(2026, 3, 1), "recipient.example")!));
        var path = Path.Combine(_folder, "liar.example!spoofed.example!0!86399.json");
        await File.WriteAllBytesAsync(path, report.ToGzip());

        var (exitCode, output, error) = await CliRunner.RunAsync("report", "show", "--json", path);

        Assert.True(exitCode == 0, error);
        var shown = JsonDocument.Parse(output).RootElement;
        Assert.True(shown.GetProperty("gzip").GetBoolean());
        Assert.Equal(report.ReportId, shown.GetProperty("report_id").GetString());
        Assert.Equal("2026-03-01T00:00:00Z", shown.GetProperty("start").GetString());
        var policy = Assert.Single(shown.GetProperty("policies").EnumerateArray().ToArray());
        Assert.Equal("recipient.example", policy.GetProperty("policy_domain").GetString());
        Assert.Equal(4, policy.GetProperty("successful").GetInt64());
        Assert.DoesNotContain("spoofed.example", output.Replace(path, "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
