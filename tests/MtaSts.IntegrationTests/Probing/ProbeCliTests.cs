using System.Globalization;
using System.Text.Json;
using MtaSts.IntegrationTests.EndToEnd;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Probing;

/// <summary><c>mta-sts probe</c> (issue 8 §2): the documented JSON fields, exit codes, and <c>--report-store</c>.</summary>
public sealed class ProbeCliTests(WorldFixture fixture) : IClassFixture<WorldFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mtasts-probe-").FullName;

    private MtaStsTestWorld World => fixture.World;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string[] Arguments() =>
        [.. CliRunner.WorldArguments(World), "--smtp-port", World.Smtp.Port.ToString(CultureInfo.InvariantCulture), "--smtp-timeout", "5", "--connect-timeout", "3"];

    [Fact]
    public async Task Probe_Json_HasTheDocumentedFields_PerHost_AndExitsOneWhenNoHostIsUsable()
    {
        var domain = WorldFixture.UniqueDomain("probe-cli");
        var good = "mx1." + domain;
        var wrong = "mx2." + domain;
        var rogue = "rogue." + domain;
        World.PublishMxHost(domain, 10, wrong, new SmtpHostBehavior { Certificate = TestCertificateKind.WrongName });
        World.PublishMxHost(domain, 20, good);
        World.PublishMxHost(domain, 30, rogue);
        World.PublishPolicy(domain, "c1", MtaStsMode.Enforce, 86400, good, wrong);
        var deferred = WorldFixture.UniqueDomain("probe-cli-defer");
        World.PublishMxHost(deferred, 10, "mx." + deferred, new SmtpHostBehavior { OfferStartTls = false });
        World.PublishPolicy(deferred, "c2", MtaStsMode.Enforce, 86400, "mx." + deferred);

        var (exitCode, output, error) = await CliRunner.RunAsync(["probe", "--json", domain.ToUpperInvariant(), deferred, .. Arguments()]);

        Assert.True(exitCode == 1, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var root = first.RootElement;
        Assert.Equal(domain, root.GetProperty("domain").GetString());
        Assert.Equal(domain.ToUpperInvariant(), root.GetProperty("input").GetString());
        Assert.Equal("deliver-to " + good, root.GetProperty("verdict").GetString());
        var mx = root.GetProperty("mx").EnumerateArray().ToArray();
        Assert.Equal([wrong, good, rogue], mx.Select(m => m.GetProperty("host").GetString()));
        string[] fields = ["host", "preference", "use", "temporary", "tls_required", "auth", "validated", "sni", "connected", "starttls", "tls_version", "certificate", "result_type", "reason_code", "reason"];
        Assert.All(mx, m => Assert.All(fields, f => Assert.True(m.TryGetProperty(f, out _), f)));

        Assert.False(mx[0].GetProperty("use").GetBoolean());
        Assert.True(mx[0].GetProperty("connected").GetBoolean());
        Assert.False(mx[0].GetProperty("validated").GetBoolean());
        Assert.Equal("pkix", mx[0].GetProperty("auth").GetString());
        Assert.Equal("certificate-host-mismatch", mx[0].GetProperty("result_type").GetString());
        Assert.Equal("certificate-name-mismatch", mx[0].GetProperty("reason_code").GetString());
        Assert.Equal(TestCertificateAuthority.WrongHostName, mx[0].GetProperty("certificate").GetProperty("san")[0].GetString());

        Assert.True(mx[1].GetProperty("use").GetBoolean());
        Assert.True(mx[1].GetProperty("validated").GetBoolean());
        Assert.True(mx[1].GetProperty("starttls").GetBoolean());
        Assert.StartsWith("TLSv1.", mx[1].GetProperty("tls_version").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, mx[1].GetProperty("result_type").ValueKind);
        Assert.Equal(good, mx[1].GetProperty("sni").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", mx[1].GetProperty("certificate").GetProperty("not_after").GetString()!);

        Assert.False(mx[2].GetProperty("connected").GetBoolean());
        Assert.Equal(JsonValueKind.Null, mx[2].GetProperty("validated").ValueKind);
        Assert.Equal(JsonValueKind.Null, mx[2].GetProperty("certificate").ValueKind);
        Assert.Equal("mtasts-policy-mx-mismatch", mx[2].GetProperty("reason_code").GetString());

        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal("defer", second.RootElement.GetProperty("verdict").GetString());
        Assert.Equal("starttls-not-supported", second.RootElement.GetProperty("mx")[0].GetProperty("result_type").GetString());
    }

    [Fact]
    public async Task Probe_Text_ShowsEachHostsVerdict_AndBadUsageExitsTwo()
    {
        var domain = WorldFixture.UniqueDomain("probe-text");
        World.PublishMxHost(domain, 10, "mx." + domain);

        var (exitCode, output, error) = await CliRunner.RunAsync(["probe", domain, .. Arguments()]);
        var (badCode, _, badError) = await CliRunner.RunAsync(["probe", "--smtp-port", "0", domain, .. CliRunner.WorldArguments(World)]);
        var (invalidCode, invalidOutput, _) = await CliRunner.RunAsync(["probe", "not a domain", .. Arguments()]);

        Assert.True(exitCode == 0, error);
        Assert.Contains($"{domain}: deliver-to mx.{domain}", output, StringComparison.Ordinal);
        Assert.Contains("STARTTLS yes", output, StringComparison.Ordinal);
        Assert.Equal(2, badCode);
        Assert.Contains("--smtp-port", badError, StringComparison.Ordinal);
        Assert.Equal(2, invalidCode);
        Assert.Contains("invalid-input", invalidOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task R_10_Probe_ReportStore_RecordsEverySession_OfDomainsWithATlsRptRecord()
    {
        var domain = WorldFixture.UniqueDomain("probe-record");
        var good = "mx1." + domain;
        var bad = "mx2." + domain;
        World.PublishMxHost(domain, 10, bad, new SmtpHostBehavior { Certificate = TestCertificateKind.Expired });
        World.PublishMxHost(domain, 20, good);
        World.PublishPolicy(domain, "r1", MtaStsMode.Testing, 86400, good, bad);
        World.Dns.AddTxt("_smtp._tls." + domain, "v=TLSRPTv1; rua=mailto:tlsrpt@" + domain);
        var silent = WorldFixture.UniqueDomain("probe-record-silent"); // no _smtp._tls record: nothing kept (R-10)
        World.PublishMxHost(silent, 10, "mx." + silent);
        var store = Path.Combine(_folder, "store");

        var (exitCode, _, error) = await CliRunner.RunAsync(["probe", "--report-store", "file:" + store, domain, silent, .. Arguments()]);
        Assert.True(exitCode == 0, error);

        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var outDirectory = Path.Combine(_folder, "out");
        var (buildCode, buildOutput, buildError) = await CliRunner.RunAsync(
            "report", "build", "--store", "file:" + store, "--date", today, "--out", outDirectory, "--organization", "Probe", "--contact", "tlsrpt@sender.example", "--json");
        Assert.True(buildCode == 0, buildError);
        var built = buildOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        var line = Assert.Single(built);
        Assert.Equal(domain, line.GetProperty("domain").GetString());
        var report = TlsReportReader.Read(await File.ReadAllBytesAsync(line.GetProperty("file").GetString()!)).Report!;
        var policy = Assert.Single(report.Policies);
        Assert.Equal(TlsRptPolicyType.Sts, policy.Policy.PolicyType);
        Assert.Equal((1L, 1L), (policy.TotalSuccessfulSessionCount, policy.TotalFailureSessionCount));
        var detail = Assert.Single(policy.FailureDetails);
        Assert.Equal("certificate-expired", detail.ResultType);
        Assert.Equal(bad, detail.ReceivingMxHostname);
        Assert.Equal(TlsRptReasonCodes.CertificateExpired, detail.FailureReasonCode);
    }
}
