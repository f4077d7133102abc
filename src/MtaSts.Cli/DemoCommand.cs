using System.CommandLine;
using MtaSts.Testing;

namespace MtaSts.Cli;

/// <summary>
/// <c>mta-sts demo</c>: starts an in-process loopback world (DNS server, HTTPS policy host, throwaway CA) with example
/// domains covering each outcome class, resolves them through the public API, and checks each answer.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Write one JSON object per line per domain." };
        var command = new Command("demo", "Resolve example domains in a self-contained loopback world (no internet needed); exit 0 when every example behaves as expected.")
        {
            json,
        };
        command.SetAction(async (parse, cancellationToken) =>
            await RunAsync(parse.GetValue(json), parse.InvocationConfiguration.Output, cancellationToken).ConfigureAwait(false));
        return command;
    }

    /// <summary>One example domain: how it is published, and what a resolution must say about it.</summary>
    internal sealed record Example(string Domain, string Description, string ExpectedOutcome, string? ExpectedFailure, Action<MtaStsTestWorld> Publish);

    internal static IReadOnlyList<Example> Examples { get; } =
    [
        new("enforce.example.test", "valid policy, mode enforce", "policy", null,
            w => w.PublishPolicy("enforce.example.test", "20261129", MtaStsMode.Enforce, 604800, "mx1.enforce.example.test", "*.backup.example.test")),
        new("testing.example.test", "valid policy, mode testing", "policy", null,
            w => w.PublishPolicy("testing.example.test", "t1", MtaStsMode.Testing, 86400, "mx.testing.example.test")),
        new("none.example.test", "valid policy, mode none (opting out)", "policy", null,
            w => w.PublishPolicy("none.example.test", "off1", MtaStsMode.None, 86400)),
        new("warnings.example.test", "valid policy with harmless slips, shown as warnings", "policy", null,
            w => w.PublishPolicy("warnings.example.test", "w1", "version: STSv1\r\nmode: enforce\r\nmx: mx.warnings.example.test.\r\nmax_age: 99999999\r\n\r\n")),
        new("delegated.example.test", "_mta-sts delegated by CNAME to a provider", "policy", null,
            w =>
            {
                w.PublishPolicy("delegated.example.test", "d1", MtaStsMode.Enforce, 604800, "mx.provider.example.test");
                w.Dns.Remove("_mta-sts.delegated.example.test");
                w.Dns.AddCname("_mta-sts.delegated.example.test", "_mta-sts.provider.example.test");
                w.Dns.AddTxt("_mta-sts.provider.example.test", "v=STSv1; id=d1");
            }),
        new("bücher.example.test", "internationalised domain name (resolved as its A-label)", "policy", null,
            w => w.PublishPolicy("xn--bcher-kva.example.test", "idn1", MtaStsMode.Enforce, 604800, "mx.xn--bcher-kva.example.test")),
        new("no-record.example.test", "no _mta-sts record", "no-policy", null, _ => { }),
        new("two-records.example.test", "two STS records (exactly one must exist)", "no-policy", null,
            w =>
            {
                w.PublishPolicy("two-records.example.test", "a1", MtaStsMode.Enforce, 604800, "mx.two-records.example.test");
                w.Dns.AddTxt("_mta-sts.two-records.example.test", "v=STSv1; id=b2");
            }),
        new("bad-record.example.test", "an STS record with an invalid id", "no-policy", null,
            w => w.Dns.AddTxt("_mta-sts.bad-record.example.test", "v=STSv1; id=not valid!")),
        new("not-found.example.test", "policy host answers 404", "fetch-failure", "sts-policy-fetch-error",
            w =>
            {
                w.PublishPolicy("not-found.example.test", "n1", MtaStsMode.Enforce, 604800, "mx.not-found.example.test");
                w.PolicyHost.SetResponse("mta-sts.not-found.example.test", new PolicyResponse { StatusCode = 404, Body = "not here" });
            }),
        new("redirect.example.test", "policy host redirects (never followed)", "fetch-failure", "sts-policy-fetch-error",
            w =>
            {
                w.PublishPolicy("redirect.example.test", "r1", MtaStsMode.Enforce, 604800, "mx.redirect.example.test");
                w.PolicyHost.SetResponse("mta-sts.redirect.example.test", new PolicyResponse { StatusCode = 301, Location = "https://mta-sts.enforce.example.test/.well-known/mta-sts.txt" });
            }),
        new("huge.example.test", "policy body over 64 KiB", "fetch-failure", "sts-policy-fetch-error",
            w =>
            {
                w.PublishPolicy("huge.example.test", "h1", MtaStsMode.Enforce, 604800, "mx.huge.example.test");
                w.PolicyHost.SetResponse("mta-sts.huge.example.test", new PolicyResponse { GeneratedBodyBytes = 1024 * 1024 });
            }),
        new("html.example.test", "policy served as text/html", "fetch-failure", "sts-policy-invalid",
            w =>
            {
                w.PublishPolicy("html.example.test", "x1", MtaStsMode.Enforce, 604800, "mx.html.example.test");
                w.PolicyHost.SetResponse("mta-sts.html.example.test", new PolicyResponse { ContentType = "text/html", Body = "<html>version: STSv1</html>" });
            }),
        new("invalid-policy.example.test", "policy without a mode", "fetch-failure", "sts-policy-invalid",
            w => w.PublishPolicy("invalid-policy.example.test", "i1", "version: STSv1\r\nmx: mx.invalid-policy.example.test\r\nmax_age: 86400\r\n")),
        new("expired-cert.example.test", "policy host certificate expired", "fetch-failure", "sts-webpki-invalid",
            w =>
            {
                w.PublishPolicy("expired-cert.example.test", "e1", MtaStsMode.Enforce, 604800, "mx.expired-cert.example.test");
                w.PolicyHost.SetCertificate("mta-sts.expired-cert.example.test", TestCertificateKind.Expired);
            }),
        new("wrong-name.example.test", "policy host certificate for another name", "fetch-failure", "sts-webpki-invalid",
            w =>
            {
                w.PublishPolicy("wrong-name.example.test", "wn1", MtaStsMode.Enforce, 604800, "mx.wrong-name.example.test");
                w.PolicyHost.SetCertificate("mta-sts.wrong-name.example.test", TestCertificateKind.WrongName);
            }),
        new("cn-only.example.test", "policy host certificate names the host only in its CN", "fetch-failure", "sts-webpki-invalid",
            w =>
            {
                w.PublishPolicy("cn-only.example.test", "cn1", MtaStsMode.Enforce, 604800, "mx.cn-only.example.test");
                w.PolicyHost.SetCertificate("mta-sts.cn-only.example.test", TestCertificateKind.CommonNameOnly);
            }),
        new("servfail.example.test", "DNS server fails (SERVFAIL) for _mta-sts", "dns-failure", null,
            w => w.Dns.SetFault("_mta-sts.servfail.example.test", DnsFault.ServerFailure)),
    ];

    internal static async Task<int> RunAsync(bool json, TextWriter output, CancellationToken cancellationToken)
    {
        await using var world = await MtaStsTestWorld.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var example in Examples)
        {
            example.Publish(world);
        }

        using var resolver = MtaStsPolicyResolver.Create(world.CreateOptions());
        if (!json)
        {
            await output.WriteLineAsync($"MtaSts demo: a loopback DNS server on {world.Dns.EndPoint} and an HTTPS policy host on 127.0.0.1:{world.PolicyHost.Port}, trusting a throwaway CA.").ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
        }

        var unexpected = 0;
        foreach (var example in Examples)
        {
            var record = await ResolveCommand.ResolveOneAsync(resolver, example.Domain, cancellationToken).ConfigureAwait(false);
            var asExpected = record.Outcome == example.ExpectedOutcome && record.Resolution?.ReportResultType == example.ExpectedFailure;
            unexpected += asExpected ? 0 : 1;
            if (json)
            {
                ResolutionWriter.Write(output, record, json: true);
            }
            else
            {
                await output.WriteLineAsync($"# {example.Description}{(asExpected ? string.Empty : $"  <-- UNEXPECTED: wanted {example.ExpectedOutcome} {example.ExpectedFailure}")}").ConfigureAwait(false);
                ResolutionWriter.Write(output, record, json: false);
            }
        }

        unexpected += await PlanExamplesAsync(world, json, output, cancellationToken).ConfigureAwait(false);

        // The second resolution of a domain is answered from the cache, without DNS or HTTPS traffic.
        var again = await ResolveCommand.ResolveOneAsync(resolver, Examples[0].Domain, cancellationToken).ConfigureAwait(false);
        var cached = again.Source == "cache";
        unexpected += cached ? 0 : 1;
        if (json)
        {
            ResolutionWriter.Write(output, again, json: true);
        }
        else
        {
            await output.WriteLineAsync($"# the same domain again: answered from the cache{(cached ? string.Empty : "  <-- UNEXPECTED: not from the cache")}").ConfigureAwait(false);
            ResolutionWriter.Write(output, again, json: false);
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync(unexpected == 0
                ? $"{Examples.Count + 1} resolutions and {PlanExamples.Count} delivery plans, all as expected."
                : $"{Examples.Count + 1} resolutions and {PlanExamples.Count} delivery plans, {unexpected} NOT as expected.").ConfigureAwait(false);
        }

        return unexpected == 0 ? ExitCodes.Definite : ExitCodes.Failure;
    }

    /// <summary>A delivery plan example: how its MX hosts are published, and how the plan must treat each host.</summary>
    internal sealed record PlanExample(string Domain, string Description, Action<MtaStsTestWorld> Publish, (string Host, bool Use, MxAuthentication Authentication)[] Expected);

    internal static IReadOnlyList<PlanExample> PlanExamples { get; } =
    [
        new("dane.example.test", "DANE first: a secure TLSA record (3 1 1) decides the host; MTA-STS enforce is not consulted (RFC 7672 §2.2)",
            w =>
            {
                w.PublishPolicy("dane.example.test", "dn1", MtaStsMode.Enforce, 604800, "other.example.test");
                w.PublishMx("dane.example.test", (10, "mx.dane.example.test"));
                w.Dns.AddTlsa("_25._tcp.mx.dane.example.test", 3, 1, 1, Enumerable.Repeat((byte)0x5A, 32).ToArray());
                foreach (var name in new[] { "dane.example.test", "mx.dane.example.test", "_25._tcp.mx.dane.example.test" })
                {
                    w.Dns.SetAuthenticatedData(name, true);
                }
            },
            [("mx.dane.example.test", true, MxAuthentication.DaneEe)]),
        new("enforce.example.test", "MTA-STS enforce: a matching MX is used with PKIX, one outside the mx patterns is skipped (RFC 8461 §4.1, §5)",
            w => w.PublishMx("enforce.example.test", (10, "mx1.enforce.example.test"), (20, "rogue.example.test")),
            [("mx1.enforce.example.test", true, MxAuthentication.Pkix), ("rogue.example.test", false, MxAuthentication.Pkix)]),
    ];

    /// <summary>Plans delivery for the plan examples (DANE first, then MTA-STS) and returns how many were not as expected.</summary>
    private static async Task<int> PlanExamplesAsync(MtaStsTestWorld world, bool json, TextWriter output, CancellationToken cancellationToken)
    {
        foreach (var example in PlanExamples)
        {
            example.Publish(world);
        }

        using var planner = DeliveryPlanner.Create(world.CreateOptions());
        if (!json)
        {
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync("Delivery plans: per MX host, whether to use it and how to authenticate its TLS.").ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
        }

        var unexpected = 0;
        foreach (var example in PlanExamples)
        {
            var record = await PlanCommand.PlanOneAsync(planner, example.Domain, cancellationToken).ConfigureAwait(false);
            var hosts = record.Plan?.Hosts ?? [];
            var asExpected = hosts.Count == example.Expected.Length
                && hosts.Zip(example.Expected).All(pair => pair.First.Host == pair.Second.Host && pair.First.IsUsable == pair.Second.Use && pair.First.CertificateRequirement.Authentication == pair.Second.Authentication);
            unexpected += asExpected ? 0 : 1;
            if (!json)
            {
                await output.WriteLineAsync($"# {example.Description}{(asExpected ? string.Empty : "  <-- UNEXPECTED")}").ConfigureAwait(false);
            }

            PlanWriter.Write(output, record, json);
        }

        return unexpected;
    }
}
