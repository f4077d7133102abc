using System.Globalization;
using System.Net;
using System.Text.Json;
using MtaSts.IntegrationTests.EndToEnd;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Reporting.Delivery;

/// <summary><c>mta-sts report send</c>: one day's reports from a store to every <c>rua</c>, with the exit code telling whether each reached one.</summary>
public sealed class ReportSendCliTests(WorldFixture fixture) : IClassFixture<WorldFixture>, IDisposable
{
    private const string ReportPath = "/tlsrpt";

    private readonly string _store = Path.Combine(Path.GetTempPath(), "mtasts-send-cli-" + Guid.NewGuid().ToString("N"));

    private MtaStsTestWorld World => fixture.World;

    public void Dispose()
    {
        if (Directory.Exists(_store))
        {
            Directory.Delete(_store, recursive: true);
        }
    }

    private static DateOnly Today => DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);

    private string HttpsRua(string domain, int status)
    {
        var host = "reports." + domain;
        World.Dns.AddA(host, IPAddress.Loopback);
        World.PolicyHost.SetResponse(host, ReportPath, new PolicyResponse { StatusCode = status, ContentType = null });
        return $"https://{host}:{World.PolicyHost.Port}{ReportPath}";
    }

    private async Task CountAsync(string domain, int failed)
    {
        var aggregator = new TlsReportAggregator();
        aggregator.AddSuccess(Today, domain, TlsRptPolicy.NoPolicyFound(domain), 4);
        if (failed > 0)
        {
            aggregator.AddFailure(Today, domain, TlsRptPolicy.NoPolicyFound(domain), new TlsRptFailure(TlsRptResultType.StartTlsNotSupported, TlsRptReasonCodes.StartTlsNotOffered) { ReceivingMxHostname = "mx." + domain }, failed);
        }

        await new FileTlsReportStore(_store).AddAsync(aggregator.Snapshot(Today, domain)!);
    }

    private Task<(int ExitCode, string Output, string Error)> SendAsync(params string[] extra) => CliRunner.RunAsync(
        ["report", "send", "--store", "file:" + _store, "--date", Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
         "--organization", "Sender Example", "--contact", "tlsrpt@sender.example", "--json", "--attempts", "1", "--allow-private-endpoints",
         .. extra, .. CliRunner.WorldArguments(World)]);

    private static Dictionary<string, JsonElement> ByDomain(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(e => e.GetProperty("domain").GetString()!);

    [Fact(DisplayName = "RFC 8460 §5: report send delivers by HTTPS and mail, exits 1 when a report reached no endpoint, and never sends twice")]
    public async Task RPT_5_ReportSend_DeliversEachDomain_ExitCodeTellsFailure_SecondRunSendsNothing()
    {
        var https = WorldFixture.UniqueDomain("send-https");
        World.Dns.AddTxt("_smtp._tls." + https, "v=TLSRPTv1; rua=" + HttpsRua(https, 200));
        var mailto = WorldFixture.UniqueDomain("send-mail");
        World.Dns.AddTxt("_smtp._tls." + mailto, $"v=TLSRPTv1; rua=mailto:tlsrpt@{mailto}");
        var broken = WorldFixture.UniqueDomain("send-broken");
        World.Dns.AddTxt("_smtp._tls." + broken, "v=TLSRPTv1; rua=" + HttpsRua(broken, 503));
        var gone = WorldFixture.UniqueDomain("send-gone"); // no record any more (decision R-10)
        foreach (var domain in new[] { https, mailto, broken, gone })
        {
            await CountAsync(domain, failed: 1);
        }

        var relay = $"relay-{Guid.NewGuid():N}.sender.example";
        var relayAddress = World.Smtp.AddHost(relay, new SmtpHostBehavior { OfferStartTls = false });
        string[] smtp = ["--smtp-host", relayAddress.ToString(), "--smtp-port", World.Smtp.Port.ToString(CultureInfo.InvariantCulture), "--smtp-security", "none"];

        var (exitCode, output, error) = await SendAsync(smtp);

        Assert.True(exitCode == 1, output + error);
        var results = ByDomain(output);
        Assert.Equal("delivered", results[https].GetProperty("status").GetString());
        Assert.Equal("delivered", results[mailto].GetProperty("status").GetString());
        Assert.Equal("record-gone", results[gone].GetProperty("status").GetString());
        var failed = results[broken];
        Assert.Equal("not-delivered", failed.GetProperty("status").GetString());
        Assert.True(failed.GetProperty("transient").GetBoolean());
        var endpoint = failed.GetProperty("reports")[0].GetProperty("endpoints")[0];
        Assert.Equal(503, endpoint.GetProperty("http_status").GetInt32());
        Assert.Equal(1, endpoint.GetProperty("tries").GetInt32());

        var post = Assert.Single(World.PolicyHost.Requests, r => r.Host == "reports." + https && r.Method == "POST");
        var report = TlsReportReader.Read(post.Body.Span).Report!;
        Assert.Equal((4L, 1L), (report.TotalSuccessfulSessionCount, report.TotalFailureSessionCount));
        var mail = await World.Smtp.WaitForMessageAsync(TimeSpan.FromSeconds(10), m => m.Host == relay);
        Assert.Equal([$"tlsrpt@{mailto}"], mail.Recipients);
        Assert.Equal("tlsrpt@sender.example", mail.MailFrom);

        // Every report was marked before it went out: the second run sends nothing; --resend repeats the failed one.
        var (againCode, againOutput, againError) = await SendAsync(smtp);
        Assert.True(againCode == 0, againOutput + againError);
        Assert.All(ByDomain(againOutput).Values, r => Assert.Equal("already-sent", r.GetProperty("status").GetString()));
        Assert.Single(World.PolicyHost.Requests, r => r.Host == "reports." + https && r.Method == "POST");

        World.PolicyHost.SetResponse("reports." + broken, ReportPath, new PolicyResponse { StatusCode = 200, ContentType = null });
        var (resendCode, resendOutput, resendError) = await SendAsync(["--resend", .. smtp]);
        Assert.True(resendCode == 0, resendOutput + resendError);
        Assert.Equal("delivered", ByDomain(resendOutput)[broken].GetProperty("status").GetString());
    }

    [Fact]
    public async Task ReportSend_UsageErrors_Exit2_WithAClearMessage()
    {
        var (noStore, _, noStoreError) = await CliRunner.RunAsync("report", "send", "--organization", "X", "--contact", "a@b.example");
        Assert.Equal(2, noStore);
        Assert.Contains("--store", noStoreError, StringComparison.Ordinal);

        var (badAttempts, _, badAttemptsError) = await SendAsync("--attempts", "0");
        Assert.Equal(2, badAttempts);
        Assert.Contains("--attempts", badAttemptsError, StringComparison.Ordinal);

        Environment.SetEnvironmentVariable("MTASTS_SMTP_PASSWORD", null);
        var (noPassword, _, noPasswordError) = await SendAsync("--smtp-host", "relay.example", "--smtp-user", "reports");
        Assert.Equal(2, noPassword);
        Assert.Contains("MTASTS_SMTP_PASSWORD", noPasswordError, StringComparison.Ordinal);
    }
}
