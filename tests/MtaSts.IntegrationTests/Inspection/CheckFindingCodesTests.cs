using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using MtaSts.IntegrationTests.EndToEnd;
using MtaSts.IntegrationTests.Testing;
using MtaSts.Testing;
using static MtaSts.InspectionSeverity;

namespace MtaSts.IntegrationTests.Inspection;

/// <summary>
/// Every code of <see cref="InspectionCodes.All"/> from a real inspection of the loopback world (issue 9 §1, "done when"):
/// one scenario per broken set-up, each asserting its codes with their severities; a few through <c>mta-sts check</c>;
/// and a coverage test that fails when a code has no scenario.
/// </summary>
public sealed class CheckFindingCodesTests(CheckFindingCodesTests.ScenarioFixture fixture) : IClassFixture<CheckFindingCodesTests.ScenarioFixture>
{
    /// <summary>One set-up of the world and the findings its inspection must contain.</summary>
    /// <param name="Name">The scenario's name, also the first label of its domain.</param>
    /// <param name="Setup">Publishes the domain (given) in the world.</param>
    /// <param name="Expected">Codes with their severities that must be among the findings.</param>
    public sealed record Scenario(string Name, Action<MtaStsTestWorld, string> Setup, params (string Code, InspectionSeverity Severity)[] Expected)
    {
        /// <summary>Whether the MX hosts are probed (STARTTLS).</summary>
        public bool Connect { get; init; }

        /// <summary>Changes to the world's options for this domain.</summary>
        public Action<MtaStsOptions, string>? Configure { get; init; }
    }

    private static readonly Scenario[] All =
    [
        new("healthy", (w, d) => Healthy(w, d),
            (InspectionCodes.TxtRecord, Info), (InspectionCodes.PolicyFetched, Info), (InspectionCodes.MxCovered, Info), (InspectionCodes.MxDnssecInsecure, Info),
            (InspectionCodes.TlsRptRecord, Info), (InspectionCodes.MxTlsOk, Info)) { Connect = true },

        // TXT at _mta-sts.
        new("txt-ignored", (w, d) => { w.PublishMx(d, (10, "mx." + d)); w.Dns.AddTxt("_mta-sts." + d, "hello world"); },
            (InspectionCodes.TxtRecordIgnored, Info), (InspectionCodes.TxtRecordMissing, Warning), (InspectionCodes.TlsRptMissing, Warning)),
        new("txt-not-sts", (w, d) => { w.PublishMx(d, (10, "mx." + d)); w.Dns.AddTxt("_mta-sts." + d, "V=STSv1; id=n1"); },
            (InspectionCodes.TxtRecordNotSts, Error), (InspectionCodes.TxtRecordMissing, Warning)),
        new("txt-multiple", (w, d) => { Enforce(w, d, "mx." + d); w.Dns.AddTxt("_mta-sts." + d, "v=STSv1; id=second"); },
            (InspectionCodes.TxtRecordMultiple, Error)),
        new("txt-invalid", (w, d) => { Enforce(w, d, "mx." + d); w.Dns.Remove("_mta-sts." + d, DnsRecordType.TXT); w.Dns.AddTxt("_mta-sts." + d, "v=STSv1; id=not_valid!"); },
            (InspectionCodes.TxtRecordInvalid, Error)),
        new("txt-dns-failure", (w, d) => { Enforce(w, d, "mx." + d); w.Dns.SetFault("_mta-sts." + d, DnsRecordType.TXT, DnsFault.ServerFailure); },
            (InspectionCodes.TxtDnsFailure, Error)),

        // The policy host.
        new("policy-unreachable", (w, d) => { Enforce(w, d, "mx." + d); w.Dns.Remove("mta-sts." + d, DnsRecordType.A); w.Dns.AddA("mta-sts." + d, IPAddress.Parse("127.0.0.254")); },
            (InspectionCodes.PolicyHostUnreachable, Error)),
        new("policy-status", (w, d) => { Enforce(w, d, "mx." + d); w.PolicyHost.SetResponse("mta-sts." + d, new PolicyResponse { StatusCode = 404 }); },
            (InspectionCodes.PolicyHttpStatus, Error)),
        new("policy-ctype", (w, d) => Serve(w, d, new PolicyResponse { ContentType = "text/html" }),
            (InspectionCodes.PolicyContentType, Error)),
        new("policy-large", (w, d) => Serve(w, d, new PolicyResponse { GeneratedBodyBytes = 200_000 }),
            (InspectionCodes.PolicyTooLarge, Error)),
        new("policy-utf8", (w, d) => Serve(w, d, new PolicyResponse { BodyBytes = [.. Encoding.UTF8.GetBytes(EnforceBody(d) + "x: "), 0xFF, 0x0D, 0x0A] }),
            (InspectionCodes.PolicyNotUtf8, Error)),
        new("policy-invalid", (w, d) => { w.PublishMx(d, (10, "mx." + d)); w.PublishPolicy(d, "i1", "version: STSv1\r\nmode: bogus\r\nmx: mx." + d + "\r\nmax_age: 604800\r\n"); },
            (InspectionCodes.PolicyInvalid, Error)),
        new("policy-fetch-failed", (w, d) => Serve(w, d, new PolicyResponse { Headers = { ["X-Padding"] = new string('a', 20_000) } }),
            (InspectionCodes.PolicyFetchFailed, Error)),
        new("policy-cert-expired", (w, d) => PolicyCertificate(w, d, TestCertificateKind.Expired),
            (InspectionCodes.PolicyCertificateExpired, Error)),
        new("policy-cert-name", (w, d) => PolicyCertificate(w, d, TestCertificateKind.WrongName),
            (InspectionCodes.PolicyCertificateNameMismatch, Error)),
        new("policy-cert-untrusted", (w, d) => PolicyCertificate(w, d, TestCertificateKind.Untrusted),
            (InspectionCodes.PolicyCertificateUntrusted, Error)),
        new("policy-tls-failed", (w, d) => { Enforce(w, d, "mx." + d); w.PolicyHost.SetTlsProtocols("mta-sts." + d, OldTls); },
            (InspectionCodes.PolicyTlsFailed, Error)),
        new("policy-cert-expiring", (w, d) => PolicyCertificate(w, d, TestCertificateKind.ExpiresSoon),
            (InspectionCodes.PolicyFetched, Info), (InspectionCodes.PolicyCertificateExpiring, Warning)),

        // The policy's fields and the MX set.
        new("mode-testing", (w, d) => { w.PublishMx(d, (10, "mx." + d)); w.PublishPolicy(d, "t1", MtaStsMode.Testing, 2_592_000, "mx." + d); },
            (InspectionCodes.ModeTesting, Info), (InspectionCodes.MaxAgeLongTesting, Info)),
        new("mode-none", (w, d) => { w.PublishMx(d, (10, "mx." + d)); w.PublishPolicy(d, "n1", MtaStsMode.None, 604800, "other." + d); },
            (InspectionCodes.ModeNone, Info), (InspectionCodes.MxNotCovered, Info)),
        new("max-age-short", (w, d) => { w.PublishMx(d, (10, "mx." + d)); w.PublishPolicy(d, "s1", MtaStsMode.Enforce, 3600, "mx." + d); },
            (InspectionCodes.MaxAgeShort, Warning)),
        new("mx-set", (w, d) =>
            {
                w.PublishMx(d, (10, "mx1." + d), (20, "mx2." + d), (30, "a.b.deep." + d));
                w.PublishPolicy(d, "m1", MtaStsMode.Enforce, 604800, "mx1." + d, "old." + d, "*.deep." + d);
            },
            (InspectionCodes.MxCovered, Info), (InspectionCodes.MxNotCovered, Error), (InspectionCodes.PatternMatchesNoMx, Warning), (InspectionCodes.WildcardOneLabelOnly, Warning)),
        new("mx-not-covered-testing", (w, d) => { w.PublishMx(d, (10, "mx." + d)); w.PublishPolicy(d, "t2", MtaStsMode.Testing, 86400, "other." + d); },
            (InspectionCodes.MxNotCovered, Warning)),
        new("mx-unavailable", (w, d) => { Enforce(w, d, "mx." + d); w.Dns.SetFault(d, DnsRecordType.MX, DnsFault.ServerFailure); },
            (InspectionCodes.MxUnavailable, Error)),
        new("no-mail", (w, d) => w.PublishMx(d, (0, ".")),
            (InspectionCodes.NoMailService, Info)),
        new("deferred", (w, d) => { w.PublishMx(d, (10, "mx." + d)); w.PublishPolicy(d, "d1", MtaStsMode.Enforce, 604800, "other." + d); },
            (InspectionCodes.MxNotCovered, Error), (InspectionCodes.DeliveryDeferred, Error)),

        // DNSSEC and DANE (the world's DNS server is a trusted loopback resolver that sets AD where told).
        new("dnssec-unavailable", (w, d) => Healthy(w, d),
            (InspectionCodes.DnssecUnavailable, Info)) { Configure = (o, _) => o.Dane.TrustedResolvers.Add(IPAddress.Parse("192.0.2.53")) },
        new("dane-usable", (w, d) => { Healthy(w, d); w.PublishDaneEe(d, ["mx." + d]); },
            (InspectionCodes.DaneUsable, Info), (InspectionCodes.MxTlsOk, Info)) { Connect = true },
        new("dane-unusable", (w, d) => { Healthy(w, d); Secure(w, d, "mx." + d); w.Dns.AddTlsa("_25._tcp.mx." + d, 1, 1, 1, new byte[32]); },
            (InspectionCodes.DaneUnusable, Warning)),
        new("dane-lookup-failed", (w, d) => { Healthy(w, d); Secure(w, d, "mx." + d); w.Dns.SetFault("_25._tcp.mx." + d, DnsFault.ServerFailure); },
            (InspectionCodes.DaneLookupFailed, Error)),
        new("dane-required", (w, d) => Healthy(w, d),
            (InspectionCodes.MxDnssecInsecure, Info), (InspectionCodes.DaneRequired, Error)) { Configure = (o, d) => o.Dane.RequiredDomains.Add(d) },
        new("tlsa-mismatch", (w, d) => { Healthy(w, d); w.PublishDaneEe(d, ["mx." + d], wrongKey: true); },
            (InspectionCodes.DaneUsable, Info), (InspectionCodes.MxTlsaMismatch, Error)) { Connect = true },
        new("dane-sts-name", (w, d) => { Healthy(w, d, new SmtpHostBehavior { Certificate = TestCertificateKind.WrongName }); w.PublishDaneEe(d, ["mx." + d]); },
            (InspectionCodes.MxTlsOk, Info), (InspectionCodes.MxCertificateStsNameMismatch, Warning)) { Connect = true },

        // TLS-RPT.
        new("tlsrpt-multiple", (w, d) => { Healthy(w, d); w.Dns.AddTxt("_smtp._tls." + d, "v=TLSRPTv1; rua=mailto:other@" + d); },
            (InspectionCodes.TlsRptMultiple, Warning)),
        new("tlsrpt-invalid", (w, d) => { Enforce(w, d, "mx." + d); w.Dns.AddTxt("_smtp._tls." + d, "v=TLSRPTv1; rua=ftp://reports." + d); },
            (InspectionCodes.TlsRptInvalid, Warning)),
        new("tlsrpt-dns-failure", (w, d) => { Enforce(w, d, "mx." + d); w.Dns.SetFault("_smtp._tls." + d, DnsFault.ServerFailure); },
            (InspectionCodes.TlsRptDnsFailure, Warning)),

        // The STARTTLS probe.
        new("mx-connect-failed", (w, d) => { Enforce(w, d, "mx." + d); w.Dns.Remove("mx." + d, DnsRecordType.A); w.Dns.AddA("mx." + d, IPAddress.Parse("127.0.0.253")); },
            (InspectionCodes.MxConnectFailed, Error)) { Connect = true },
        new("mx-no-starttls", (w, d) => Healthy(w, d, new SmtpHostBehavior { OfferStartTls = false }),
            (InspectionCodes.MxStartTlsNotSupported, Error)) { Connect = true },
        new("mx-no-starttls-nopolicy", (w, d) => w.PublishMxHost(d, 10, "mx." + d, new SmtpHostBehavior { OfferStartTls = false }),
            (InspectionCodes.MxStartTlsNotSupported, Warning)) { Connect = true },
        new("mx-tls-failed", (w, d) => Healthy(w, d, new SmtpHostBehavior { TlsProtocols = OldTls }),
            (InspectionCodes.MxTlsFailed, Error)) { Connect = true },
        new("mx-tls-failed-nopolicy", (w, d) => w.PublishMxHost(d, 10, "mx." + d, new SmtpHostBehavior { TlsProtocols = OldTls }),
            (InspectionCodes.MxTlsFailed, Warning)) { Connect = true }, // TLS not required: a sender may retry in cleartext
        new("mx-tls-failed-testing", (w, d) => { w.PublishMxHost(d, 10, "mx." + d, new SmtpHostBehavior { TlsProtocols = OldTls }); w.PublishPolicy(d, "t4", MtaStsMode.Testing, 86400, "mx." + d); },
            (InspectionCodes.MxTlsFailed, Warning)) { Connect = true },
        new("mx-cert-expired-testing", (w, d) => { w.PublishMxHost(d, 10, "mx." + d, new SmtpHostBehavior { Certificate = TestCertificateKind.Expired }); w.PublishPolicy(d, "t3", MtaStsMode.Testing, 86400, "mx." + d); },
            (InspectionCodes.MxCertificateExpired, Warning)) { Connect = true },
        new("mx-cert-expired", (w, d) => Healthy(w, d, new SmtpHostBehavior { Certificate = TestCertificateKind.Expired }),
            (InspectionCodes.MxCertificateExpired, Error)) { Connect = true },
        new("mx-cert-name", (w, d) => Healthy(w, d, new SmtpHostBehavior { Certificate = TestCertificateKind.WrongName }),
            (InspectionCodes.MxCertificateHostMismatch, Error)) { Connect = true },
        new("mx-cert-untrusted", (w, d) => Healthy(w, d, new SmtpHostBehavior { Certificate = TestCertificateKind.Untrusted }),
            (InspectionCodes.MxCertificateNotTrusted, Error)) { Connect = true },
        new("mx-cert-expiring", (w, d) => Healthy(w, d, new SmtpHostBehavior { Certificate = TestCertificateKind.ExpiresSoon }),
            (InspectionCodes.MxTlsOk, Info), (InspectionCodes.MxCertificateExpiring, Warning)) { Connect = true },
    ];

#pragma warning disable SYSLIB0039, CA5397 // an obsolete protocol on purpose: the client refuses it
    private static SslProtocols OldTls => SslProtocols.Tls11;
#pragma warning restore SYSLIB0039, CA5397

    private MtaStsTestWorld World => fixture.World;

    public static TheoryData<string> Names => new(All.Select(static s => s.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Check_EachBrokenSetup_GivesItsCodes_WithTheirSeverities(string name)
    {
        var scenario = All.Single(s => s.Name == name);

        var inspection = await fixture.InspectAsync(scenario);

        var shown = string.Join("\n", inspection.Findings);
        Assert.All(scenario.Expected, e => Assert.True(inspection.Findings.Any(f => f.Code == e.Code && f.Severity == e.Severity), $"{e.Severity.ToToken()} {e.Code} missing from:\n{shown}"));
        var expectsError = scenario.Expected.Any(static e => e.Severity == Error);
        Assert.True(expectsError == inspection.HasErrors, shown);

        // Text from the network or the library sits inside our sentences without its own full stop.
        Assert.DoesNotContain(inspection.Findings, static f => f.Message.Contains("..", StringComparison.Ordinal) || f.Message.Contains(".)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_EveryInspectionCode_IsProducedByAScenario()
    {
        var seen = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(All, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (scenario, _) =>
        {
            foreach (var finding in (await fixture.InspectAsync(scenario)).Findings)
            {
                seen.TryAdd(finding.Code, 0);
            }
        });

        Assert.Empty(InspectionCodes.All.Except(seen.Keys));
        Assert.Equal(InspectionCodes.All.Count, InspectionCodes.All.Distinct().Count());
    }

    [Fact]
    public async Task Check_Cli_BrokenDomains_ReportTheirCodes_WithTheirSeverities_AndExitOne()
    {
        string[] names = ["policy-status", "policy-utf8", "tlsrpt-multiple", "mx-no-starttls", "mx-cert-expiring", "mx-connect-failed"];
        var scenarios = names.Select(n => All.Single(s => s.Name == n)).ToArray();
        var domains = scenarios.Select(s =>
        {
            var domain = WorldFixture.UniqueDomain("cli-" + s.Name);
            s.Setup(World, domain);
            return domain;
        }).ToArray();
        string[] arguments = [.. CliRunner.WorldArguments(World), "--smtp-port", World.Smtp.Port.ToString(CultureInfo.InvariantCulture), "--smtp-timeout", "5", "--connect-timeout", "3"];

        var (exitCode, output, error) = await CliRunner.RunAsync(["check", "--json", .. domains, .. arguments]);

        Assert.True(exitCode == 1, output + error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(CliRunner.JsonLine).ToArray();
        Assert.Equal(domains.Length, lines.Length);
        for (var i = 0; i < domains.Length; i++)
        {
            var line = lines.Single(l => l.GetProperty("domain").GetString() == domains[i]);
            var findings = line.GetProperty("findings").EnumerateArray().Select(static f => (Code: f.GetProperty("code").GetString(), Severity: f.GetProperty("severity").GetString())).ToList();
            Assert.All(scenarios[i].Expected, e => Assert.True(findings.Contains((e.Code, e.Severity.ToToken())), $"{domains[i]}: {e.Severity.ToToken()} {e.Code} missing from {line}"));
            Assert.Equal(scenarios[i].Expected.Any(static e => e.Severity == Error), !line.GetProperty("ok").GetBoolean());
        }
    }

    /// <summary>An MX host played by the SMTP server, an enforce policy naming it, and a TLS-RPT record.</summary>
    private static void Healthy(MtaStsTestWorld world, string domain, SmtpHostBehavior? behavior = null)
    {
        world.PublishMxHost(domain, 10, "mx." + domain, behavior);
        world.PublishPolicy(domain, "h1", MtaStsMode.Enforce, 604800, "mx." + domain);
        world.Dns.AddTxt("_smtp._tls." + domain, "v=TLSRPTv1; rua=mailto:tlsrpt@" + domain);
    }

    private static void Enforce(MtaStsTestWorld world, string domain, string mx)
    {
        world.PublishMx(domain, (10, mx));
        world.PublishPolicy(domain, "e1", MtaStsMode.Enforce, 604800, mx);
    }

    private static string EnforceBody(string domain) => MtaStsTestWorld.BuildPolicy(MtaStsMode.Enforce, 604800, "mx." + domain);

    /// <summary>An enforce domain whose policy URL serves <paramref name="response"/> (the policy as its body unless it sets one).</summary>
    private static void Serve(MtaStsTestWorld world, string domain, PolicyResponse response)
    {
        Enforce(world, domain, "mx." + domain);
        if (response.Body.Length == 0 && response.BodyBytes is null)
        {
            response.Body = EnforceBody(domain);
        }

        world.PolicyHost.SetResponse("mta-sts." + domain, response);
    }

    private static void PolicyCertificate(MtaStsTestWorld world, string domain, TestCertificateKind kind)
    {
        Enforce(world, domain, "mx." + domain);
        world.PolicyHost.SetCertificate("mta-sts." + domain, kind);
    }

    /// <summary>Marks the MX answer, the host's addresses and its TLSA name DNSSEC-secure.</summary>
    private static void Secure(MtaStsTestWorld world, string domain, string host)
    {
        foreach (var name in new[] { domain, host, "_25._tcp." + host })
        {
            world.Dns.SetAuthenticatedData(name, true);
        }
    }

    /// <summary>The world, and each scenario's inspection, run once and shared by the theory rows and the coverage test.</summary>
    public sealed class ScenarioFixture : IAsyncLifetime
    {
        private readonly ConcurrentDictionary<string, Lazy<Task<DomainInspection>>> _runs = new(StringComparer.Ordinal);
        private readonly WorldFixture _world = new();

        public MtaStsTestWorld World => _world.World;

        public Task InitializeAsync() => _world.InitializeAsync();

        public Task DisposeAsync() => _world.DisposeAsync();

        public Task<DomainInspection> InspectAsync(Scenario scenario) =>
            _runs.GetOrAdd(scenario.Name, _ => new Lazy<Task<DomainInspection>>(() => RunAsync(scenario))).Value;

        private async Task<DomainInspection> RunAsync(Scenario scenario)
        {
            var domain = WorldFixture.UniqueDomain(scenario.Name);
            scenario.Setup(World, domain);
            var options = World.CreateOptions();
            scenario.Configure?.Invoke(options, domain);
            using var inspector = new MtaStsInspector(options);
            return await inspector.InspectAsync(domain, new InspectionOptions
            {
                NoConnect = !scenario.Connect,
                Probe = new MxProbeOptions { Port = World.Smtp.Port, ConnectTimeout = TimeSpan.FromSeconds(3), CommandTimeout = TimeSpan.FromSeconds(5) },
            });
        }
    }
}
