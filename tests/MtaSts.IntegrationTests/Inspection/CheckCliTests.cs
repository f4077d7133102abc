using System.Globalization;
using System.Text.Json;
using MtaSts.IntegrationTests.EndToEnd;
using MtaSts.Testing;

namespace MtaSts.IntegrationTests.Inspection;

/// <summary><c>mta-sts check</c> (issue 9 §1) on the loopback world: a healthy domain, broken ones by their codes, the JSON shape, <c>--no-connect</c>.</summary>
public sealed class CheckCliTests(WorldFixture fixture) : IClassFixture<WorldFixture>
{
    private MtaStsTestWorld World => fixture.World;

    private string[] Arguments() =>
        [.. CliRunner.WorldArguments(World), "--smtp-port", World.Smtp.Port.ToString(CultureInfo.InvariantCulture), "--smtp-timeout", "5", "--connect-timeout", "3"];

    private static JsonElement[] Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(CliRunner.JsonLine).ToArray();

    private static string[] Codes(JsonElement line, string? severity = null) =>
        line.GetProperty("findings").EnumerateArray()
            .Where(f => severity is null || f.GetProperty("severity").GetString() == severity)
            .Select(f => f.GetProperty("code").GetString()!).ToArray();

    /// <summary>A domain with an enforce policy covering its one valid MX host and a TLS-RPT record.</summary>
    private string Healthy(string label)
    {
        var domain = WorldFixture.UniqueDomain(label);
        World.PublishMxHost(domain, 10, "mx." + domain);
        World.PublishPolicy(domain, "h1", MtaStsMode.Enforce, 604800, "mx." + domain);
        World.Dns.AddTxt("_smtp._tls." + domain, "v=TLSRPTv1; rua=mailto:tlsrpt@" + domain);
        return domain;
    }

    [Fact]
    public async Task Check_HealthyEnforceDomain_ExitsZero_WithNoErrorFinding_AndProbesTheMx()
    {
        var domain = Healthy("check-healthy");

        var (exitCode, output, error) = await CliRunner.RunAsync(["check", "--json", domain, .. Arguments()]);

        Assert.True(exitCode == 0, output + error);
        var line = Assert.Single(Lines(output));
        Assert.Empty(Codes(line, "error"));
        Assert.True(line.GetProperty("ok").GetBoolean());
        var codes = Codes(line);
        Assert.Contains(InspectionCodes.TxtRecord, codes);
        Assert.Contains(InspectionCodes.PolicyFetched, codes);
        Assert.Contains(InspectionCodes.MxCovered, codes);
        Assert.Contains(InspectionCodes.TlsRptRecord, codes);
        Assert.Contains(InspectionCodes.MxTlsOk, codes);
        Assert.Contains(World.Smtp.Sessions, s => s.Host == "mx." + domain);
    }

    [Fact]
    public async Task Check_Json_HasTheDocumentedShape_WithThePolicyHostsTlsFacts()
    {
        var domain = Healthy("check-shape");

        var (exitCode, output, error) = await CliRunner.RunAsync(["check", "--json", "--no-connect", domain.ToUpperInvariant(), .. Arguments()]);

        Assert.True(exitCode == 0, output + error);
        var line = Assert.Single(Lines(output));
        Assert.Equal(domain, line.GetProperty("domain").GetString());
        Assert.Equal(domain.ToUpperInvariant(), line.GetProperty("input").GetString());
        string[] fields = ["domain", "input", "ok", "errors", "warnings", "error", "findings", "txt_records", "policy_host", "policy", "mx", "tlsrpt", "elapsed_ms"];
        Assert.All(fields, f => Assert.True(line.TryGetProperty(f, out _), f));
        Assert.All(line.GetProperty("findings").EnumerateArray(), f => Assert.All(new[] { "severity", "code", "message", "fix" }, p => Assert.True(f.TryGetProperty(p, out _), p)));
        var host = line.GetProperty("policy_host");
        Assert.Equal(200, host.GetProperty("status").GetInt32());
        Assert.StartsWith("TLSv1.", host.GetProperty("tls_version").GetString(), StringComparison.Ordinal);
        var certificate = host.GetProperty("certificate");
        Assert.Contains("mta-sts." + domain, certificate.GetProperty("san").EnumerateArray().Select(s => s.GetString()));
        Assert.True(certificate.GetProperty("days_left").GetInt32() > 0);
        Assert.True(certificate.GetProperty("chain").GetArrayLength() >= 1);
        Assert.Equal("enforce", line.GetProperty("policy").GetProperty("mode").GetString());
        var txt = Assert.Single(line.GetProperty("txt_records").EnumerateArray().ToArray());
        Assert.True(txt.GetProperty("selected").GetBoolean());
    }

    [Fact]
    public async Task Check_BrokenDomains_EachGiveTheirCode_AndExitOne()
    {
        // MX hosts outside the patterns, a pattern that matches nothing, a wildcard meant for a deeper host.
        var mxSet = WorldFixture.UniqueDomain("check-mxset");
        World.PublishMx(mxSet, (10, "mx1." + mxSet), (20, "mx2." + mxSet), (30, "a.b.deep." + mxSet));
        World.PublishPolicy(mxSet, "m1", MtaStsMode.Enforce, 604800, "mx1." + mxSet, "old." + mxSet, "*.deep." + mxSet);

        var contentType = WorldFixture.UniqueDomain("check-ctype");
        World.PublishMx(contentType, (10, "mx." + contentType));
        World.PublishPolicy(contentType, "c1", MtaStsMode.Enforce, 604800, "mx." + contentType);
        World.PolicyHost.SetResponse("mta-sts." + contentType, new PolicyResponse { ContentType = "text/html", Body = MtaStsTestWorld.BuildPolicy(MtaStsMode.Enforce, 604800, "mx." + contentType) });

        var expired = WorldFixture.UniqueDomain("check-expired");
        World.PublishMx(expired, (10, "mx." + expired));
        World.PublishPolicy(expired, "e1", MtaStsMode.Enforce, 604800, "mx." + expired);
        World.PolicyHost.SetCertificate("mta-sts." + expired, TestCertificateKind.Expired);

        var twoRecords = WorldFixture.UniqueDomain("check-two-txt");
        World.PublishMx(twoRecords, (10, "mx." + twoRecords));
        World.PublishPolicy(twoRecords, "t1", MtaStsMode.Enforce, 604800, "mx." + twoRecords);
        World.Dns.AddTxt("_mta-sts." + twoRecords, "v=STSv1; id=t2");

        var shortAge = WorldFixture.UniqueDomain("check-short");
        World.PublishMx(shortAge, (10, "mx." + shortAge));
        World.PublishPolicy(shortAge, "s1", MtaStsMode.Testing, 3600, "mx." + shortAge);

        var (exitCode, output, error) = await CliRunner.RunAsync(["check", "--json", "--no-connect", mxSet, contentType, expired, twoRecords, shortAge, .. Arguments()]);

        Assert.True(exitCode == 1, output + error);
        var lines = Lines(output);
        Assert.Equal(5, lines.Length);

        var mxErrors = Codes(lines[0], "error");
        Assert.Equal(2, mxErrors.Count(c => c == InspectionCodes.MxNotCovered));
        Assert.Contains(InspectionCodes.PatternMatchesNoMx, Codes(lines[0], "warning"));
        Assert.Contains(InspectionCodes.WildcardOneLabelOnly, Codes(lines[0], "warning"));
        var wildcard = lines[0].GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("code").GetString() == InspectionCodes.WildcardOneLabelOnly);
        Assert.Contains("a.b.deep." + mxSet, wildcard.GetProperty("message").GetString(), StringComparison.Ordinal);

        Assert.Contains(InspectionCodes.PolicyContentType, Codes(lines[1], "error"));
        Assert.Equal("text/html", lines[1].GetProperty("policy_host").GetProperty("content_type").GetString());

        Assert.Contains(InspectionCodes.PolicyCertificateExpired, Codes(lines[2], "error"));
        Assert.True(lines[2].GetProperty("policy_host").GetProperty("certificate").GetProperty("days_left").GetInt32() < 0);

        Assert.Contains(InspectionCodes.TxtRecordMultiple, Codes(lines[3], "error"));
        Assert.Equal(2, lines[3].GetProperty("txt_records").GetArrayLength());

        Assert.Empty(Codes(lines[4], "error"));
        Assert.Contains(InspectionCodes.MaxAgeShort, Codes(lines[4], "warning"));
        Assert.Contains(InspectionCodes.ModeTesting, Codes(lines[4], "info"));
    }

    [Fact]
    public async Task Check_NoConnect_MakesNoSmtpConnection()
    {
        var domain = Healthy("check-noconnect");

        var (exitCode, output, error) = await CliRunner.RunAsync(["check", "--no-connect", domain, .. Arguments()]);

        Assert.True(exitCode == 0, output + error);
        Assert.DoesNotContain(World.Smtp.Sessions, s => s.Host == "mx." + domain);
        Assert.DoesNotContain(InspectionCodes.MxTlsOk, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_Text_IsPlainWhenRedirected_AndBadUsageExitsTwo()
    {
        var domain = WorldFixture.UniqueDomain("check-text");
        World.PublishMx(domain, (10, "mx." + domain));
        World.PublishPolicy(domain, "x1", MtaStsMode.Enforce, 604800, "other." + domain);

        var (exitCode, output, error) = await CliRunner.RunAsync(["check", "--no-connect", domain, .. Arguments()]);
        var (invalidCode, invalidOutput, _) = await CliRunner.RunAsync(["check", "--no-connect", "not a domain", .. Arguments()]);
        var (unknownCode, _, unknownError) = await CliRunner.RunAsync(["check", "--bogus", domain, .. Arguments()]);

        Assert.True(exitCode == 1, output + error);
        Assert.StartsWith(domain + ": not ok, ", output, StringComparison.Ordinal);
        Assert.Contains("error   mx-not-covered: ", output, StringComparison.Ordinal);
        Assert.Contains("fix: Add \"mx: mx." + domain, output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', output);
        Assert.Equal(2, invalidCode);
        Assert.Contains("invalid-input", invalidOutput, StringComparison.Ordinal);
        Assert.Equal(2, unknownCode);
        Assert.Contains("--bogus", unknownError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_OnATerminal_IsColoured_AndShowsAProgressBarOnlyForManyDomains()
    {
        const string hideCursor = "\u001b[?25l";
        var one = Healthy("check-tty-one");
        var many = new[] { Healthy("check-tty-a"), Healthy("check-tty-b"), Healthy("check-tty-c") };

        var (oneCode, oneTerminal) = await CliRunner.RunOnTerminalAsync(["check", "--no-connect", one, .. Arguments()]);
        var (manyCode, manyTerminal) = await CliRunner.RunOnTerminalAsync(["check", "--no-connect", .. many, .. Arguments()]);
        var (_, redirected, _) = await CliRunner.RunProcessAsync(["check", "--no-connect", one, .. Arguments()]);

        Assert.True(oneCode == 0, oneTerminal);
        Assert.True(manyCode == 0, manyTerminal);

        // Colour: SGR sequences around the report; the domain is written out in full.
        Assert.Matches(@"\u001b\[[0-9;]*m", oneTerminal);
        Assert.Contains(one, oneTerminal, StringComparison.Ordinal);

        // The progress bar (a live display: it hides the cursor while it runs) appears only when several domains are checked.
        Assert.DoesNotContain(hideCursor, oneTerminal, StringComparison.Ordinal);
        Assert.Contains(hideCursor, manyTerminal, StringComparison.Ordinal);
        Assert.Contains("checking 3 domains", manyTerminal, StringComparison.Ordinal);
        Assert.All(many, domain => Assert.Contains(domain, manyTerminal, StringComparison.Ordinal));

        // Not a terminal: plain text.
        Assert.DoesNotContain('\u001b', redirected);
        Assert.StartsWith(one + ": ok", redirected, StringComparison.Ordinal);
    }
}
