using System.Text.Json;
using MtaSts.Tests.Fakes;
using static MtaSts.Tests.Fakes.PlannerHarness;

namespace MtaSts.Tests.Reporting;

/// <summary>
/// From a real plan (the planner over scripted DNS and the real MTA-STS resolver) to the built report: what a session
/// made by <see cref="TlsSessionFactory"/> and counted by the recorder says in the JSON the receiver gets.
/// </summary>
public sealed class TlsSessionFactoryTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mtasts-sessions-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Records the sessions, flushes, builds the day's report for <see cref="PlannerHarness.Domain"/> and returns its <c>policies</c>.</summary>
    private async Task<JsonElement[]> ReportedPoliciesAsync(PlannerHarness h, params TlsSession[] sessions)
    {
        var store = new FileTlsReportStore(_directory, timeProvider: h.Time);
        await using (var recorder = new TlsReportRecorder(store, null, new TlsReportRecorderOptions { RequireTlsRptRecord = false }, h.Time))
        {
            foreach (var session in sessions)
            {
                recorder.Record(session);
            }
        }

        var counts = await store.GetAsync(TlsReportAggregator.DayOf(h.Time.GetUtcNow()), Domain);
        var report = Assert.Single(new TlsReportBuilder(ReportingFixtures.Options()).Build(counts!));
        using var json = JsonDocument.Parse(report.Json);
        return [.. json.RootElement.GetProperty("policies").EnumerateArray().Select(p => p.Clone())];
    }

    private static string[] Strings(JsonElement policy, string name) =>
        policy.GetProperty("policy").TryGetProperty(name, out var array) ? [.. array.EnumerateArray().Select(e => e.GetString()!)] : [];

    /// <summary>A planner harness with the domain's MTA-STS record published and one MX host without DANE.</summary>
    private static PlannerHarness WithRecordAndPlainMx()
    {
        var h = new PlannerHarness();
        h.Mx(secure: false, (10, Mx1)).PlainHost(Mx1);
        h.Sts.Discoverer.Found(Domain, "id1");
        return h;
    }

    /// <summary>The one policy reported for a session of <paramref name="plan"/>, whose MTA-STS policy was invalid: an <c>sts</c> policy with one <c>sts-policy-invalid</c> failure.</summary>
    private async Task<JsonElement> ReportedInvalidPolicyAsync(PlannerHarness h, DeliveryPlan plan)
    {
        Assert.Equal(MtaStsFailure.PolicyInvalid, plan.MtaStsResolution!.Failure);
        var policy = Assert.Single(await ReportedPoliciesAsync(h, TlsSessionFactory.Connected(plan, Assert.Single(plan.Hosts), certificate: null)));
        Assert.Equal("sts", Type(policy));
        Assert.Equal("sts-policy-invalid", OnlyFailure(policy).GetProperty("result-type").GetString());
        return policy;
    }

    private static string Type(JsonElement policy) => policy.GetProperty("policy").GetProperty("policy-type").GetString()!;

    private static (long Successful, long Failed) Summary(JsonElement policy) =>
        (policy.GetProperty("summary").GetProperty("total-successful-session-count").GetInt64(),
         policy.GetProperty("summary").GetProperty("total-failure-session-count").GetInt64());

    private static JsonElement OnlyFailure(JsonElement policy) => Assert.Single(policy.GetProperty("failure-details").EnumerateArray());

    /// <summary>A policy of <paramref name="mode"/> fetched and cached, then a new id whose fetch fails: the cached policy goes on applying (RFC 8461 §3.3).</summary>
    private static async Task<DeliveryPlan> CachedThenFailedAsync(PlannerHarness h, string mode)
    {
        h.Mx(secure: false, (10, Mx1)).PlainHost(Mx1);
        h.Publish(mode, mx: Mx1);
        Assert.Equal(PolicySource.Fetched, (await h.PlanAsync()).MtaStsResolution!.Source);
        h.Time.Advance(TimeSpan.FromHours(1));
        h.Sts.Discoverer.Found(Domain, "id2");
        h.Sts.Fetcher.Fail(Domain);
        var plan = await h.PlanAsync();
        Assert.Equal(PolicySource.CacheAfterFailure, plan.MtaStsResolution!.Source);
        return plan;
    }

    [Theory(DisplayName = "RFC 8461 §6 (decision R-16): a valid TXT record with a failing policy fetch is reported under an sts policy")]
    [InlineData(MtaStsFailure.PolicyFetchError, "sts-policy-fetch-error")]
    [InlineData(MtaStsFailure.WebPkiInvalid, "sts-webpki-invalid")]
    public async Task STS_6_a_FetchFailure_WithAValidRecord_IsReportedUnderAnStsPolicy_WithTheFetchsResultType(MtaStsFailure failure, string resultType)
    {
        using var h = WithRecordAndPlainMx();
        h.Sts.Fetcher.Fail(Domain, failure);
        var plan = await h.PlanAsync();
        Assert.Equal(MtaStsOutcome.FetchFailure, plan.MtaStsResolution!.Outcome);

        // The connection itself went well (delivered as without MTA-STS); the fetch failure is what is counted.
        var session = TlsSessionFactory.Connected(plan, Assert.Single(plan.Hosts), certificate: null);

        var policy = Assert.Single(await ReportedPoliciesAsync(h, session));
        Assert.Equal("sts", Type(policy));
        Assert.Equal(Domain, policy.GetProperty("policy").GetProperty("policy-domain").GetString());
        Assert.Empty(Strings(policy, "policy-string"));
        Assert.Empty(Strings(policy, "mx-host"));
        Assert.Equal((0L, 1L), Summary(policy));
        var detail = OnlyFailure(policy);
        Assert.Equal(resultType, detail.GetProperty("result-type").GetString());
        Assert.Equal(Mx1, detail.GetProperty("receiving-mx-hostname").GetString());
    }

    [Fact(DisplayName = "RFC 8461 §6: an invalid policy body behind a valid TXT record is reported as sts-policy-invalid")]
    public async Task STS_6_a_InvalidPolicyBody_WithAValidRecord_IsReportedAsStsPolicyInvalid()
    {
        using var h = WithRecordAndPlainMx();
        h.Sts.Fetcher.Serve(Domain, "version: STSv1\r\nmode: strict\r\nmx: " + Mx1 + "\r\nmax_age: 86400\r\n");
        var plan = await h.PlanAsync();

        await ReportedInvalidPolicyAsync(h, plan); // an sts policy with one sts-policy-invalid failure
    }

    [Fact(DisplayName = "Decision R-9: the policy-string of an invalid policy holds the received lines")]
    public async Task R_9_InvalidPolicy_PolicyStringHoldsTheReceivedLines()
    {
        using var h = WithRecordAndPlainMx();
        h.Sts.Fetcher.Serve(Domain, "version: STSv1\r\nmode: strict\r\n\r\nmx: " + Mx1 + "\nmax_age: 86400\r\n");
        var plan = await h.PlanAsync();

        var policy = await ReportedInvalidPolicyAsync(h, plan);

        Assert.Equal(["version: STSv1", "mode: strict", "mx: " + Mx1, "max_age: 86400"], Strings(policy, "policy-string"));
        Assert.Empty(Strings(policy, "mx-host"));
    }

    [Fact(DisplayName = "Decision R-9: a remembered invalid policy (the fetch back-off) still reports the received lines")]
    public async Task R_9_InvalidPolicy_RememberedDuringTheBackoff_PolicyStringHoldsTheReceivedLines()
    {
        using var h = WithRecordAndPlainMx();
        h.Sts.Fetcher.Serve(Domain, "version: STSv1\nmode: strict\n");
        _ = await h.PlanAsync();
        var calls = h.Sts.Fetcher.CallCount;
        h.Time.Advance(TimeSpan.FromMinutes(1));
        var plan = await h.PlanAsync();
        Assert.Equal(calls, h.Sts.Fetcher.CallCount);

        var policy = await ReportedInvalidPolicyAsync(h, plan);

        Assert.Equal(["version: STSv1", "mode: strict"], Strings(policy, "policy-string"));
    }

    [Fact(DisplayName = "Decision R-9: an invalid policy over 64 KiB has an empty policy-string")]
    public async Task R_9_InvalidPolicy_Over64KiB_PolicyStringIsEmpty()
    {
        using var h = WithRecordAndPlainMx();
        h.Sts.Fetcher.Serve(Domain, "version: STSv1\nmode: strict\n" + string.Concat(Enumerable.Repeat("x-filler: " + new string('a', 1000) + "\n", 66)));
        var plan = await h.PlanAsync();

        var policy = await ReportedInvalidPolicyAsync(h, plan);

        Assert.Empty(Strings(policy, "policy-string"));
    }

    [Fact(DisplayName = "Decision R-9: an invalid policy that was not text (wrong media type, not UTF-8) has an empty policy-string")]
    public async Task R_9_InvalidPolicy_NotText_PolicyStringIsEmpty()
    {
        using var h = WithRecordAndPlainMx();
        h.Sts.Fetcher.Fail(Domain, MtaStsFailure.PolicyInvalid, status: 200, message: "the Content-Type is \"text/html\", not text/plain");
        var plan = await h.PlanAsync();

        var policy = await ReportedInvalidPolicyAsync(h, plan);

        Assert.Empty(Strings(policy, "policy-string"));
    }

    [Fact(DisplayName = "RFC 8461 §6: a fetch failure while a cached enforce policy is applied is still reported")]
    public async Task STS_6_b_FetchFailure_WhileACachedPolicyIsApplied_IsStillReported()
    {
        using var h = new PlannerHarness();
        var plan = await CachedThenFailedAsync(h, "enforce");
        Assert.Equal(MtaStsFailure.PolicyFetchError, plan.MtaStsResolution!.Failure);
        var host = Assert.Single(plan.Hosts);
        Assert.True(host.IsUsable);

        var policy = Assert.Single(await ReportedPoliciesAsync(h, TlsSessionFactory.Connected(plan, host, certificate: null)));

        Assert.Equal("sts", Type(policy));
        Assert.Equal([Mx1], Strings(policy, "mx-host"));
        Assert.Contains("mode: enforce", Strings(policy, "policy-string"));
        Assert.Equal((0L, 1L), Summary(policy));
        Assert.Equal("sts-policy-fetch-error", OnlyFailure(policy).GetProperty("result-type").GetString());
    }

    [Fact(DisplayName = "RFC 8461 §6: a fetch failure while a cached mode-none policy is applied is not reported as an MTA-STS failure")]
    public async Task STS_6_b_FetchFailure_WhileACachedModeNonePolicyIsApplied_IsNotReported()
    {
        using var h = new PlannerHarness();
        var plan = await CachedThenFailedAsync(h, "none");
        Assert.Equal(MtaStsMode.None, plan.MtaStsResolution!.Policy!.Mode);

        var session = TlsSessionFactory.Connected(plan, Assert.Single(plan.Hosts), certificate: null);

        Assert.True(session.IsSuccess);
        Assert.Equal(TlsRptPolicyType.NoPolicyFound, session.Policy.PolicyType);
    }

    [Fact(DisplayName = "RFC 8460 §4 (decision R-2): with RequireMtaStsWithDane a DANE session is listed under both its tlsa and the sts policy")]
    public async Task PREC_e_DaneAndMtaStsBothEvaluated_TheReportListsBothPolicies()
    {
        using var h = new PlannerHarness(o => o.Dane.RequireMtaSts = true);
        h.Mx(secure: true, (10, Mx1)).DaneHost(Mx1, DaneEe(Mx1));
        h.Publish("enforce", mx: Mx1);
        var plan = await h.PlanAsync();
        var host = Assert.Single(plan.Hosts);
        Assert.Equal(MxAuthentication.DaneEe, host.CertificateRequirement.Authentication);

        var both = TlsSessionFactory.Connected(plan, host, certificate: null, requireMtaStsWithDane: h.Options.Dane.RequireMtaSts);
        var daneOnly = TlsSessionFactory.Connected(plan, host, certificate: null, requireMtaStsWithDane: false);

        var policies = await ReportedPoliciesAsync(h, both);
        Assert.Equal(["sts", "tlsa"], policies.Select(Type).Order(StringComparer.Ordinal));
        var tlsa = policies.Single(p => Type(p) == "tlsa");
        Assert.Equal(Mx1, tlsa.GetProperty("policy").GetProperty("policy-domain").GetString());
        Assert.Equal(["3 1 1 " + string.Concat(Enumerable.Repeat("AB", 32))], Strings(tlsa, "policy-string"));
        var sts = policies.Single(p => Type(p) == "sts");
        Assert.Equal(Domain, sts.GetProperty("policy").GetProperty("policy-domain").GetString());
        Assert.Equal([Mx1], Strings(sts, "mx-host"));
        Assert.All(policies, p => Assert.Equal((1L, 0L), Summary(p)));

        // Without the option only DANE decided the host: one policy.
        Assert.Null(daneOnly.AlsoUnder);
        Assert.Equal(TlsRptPolicyType.Tlsa, daneOnly.Policy.PolicyType);
    }
}
