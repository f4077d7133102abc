using System.Diagnostics;
using DnsClient;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using MtaSts.Tests.Fakes;
using static MtaSts.Tests.Fakes.PlannerHarness;

namespace MtaSts.Tests.Delivery;

/// <summary>The planner's memory: warm plans, TTLs of the MX and TLSA answers, bounds, single flight, telemetry.</summary>
public sealed class DeliveryPlannerCacheTests
{
    /// <summary>
    /// Two hosts (DANE, plain) under enforce, with the resolver already warm: the first plan then uses the resolver's
    /// cached resolution, the instance its warm path returns. (Right after a fetch the resolver returns the fetched
    /// resolution once, and the next plan is rebuilt, without I/O, around the cached one.)
    /// </summary>
    private static async Task<PlannerHarness> EnforceWithTwoHostsAsync(Action<MtaStsOptions>? configure = null, bool nullLogger = false)
    {
        var h = new PlannerHarness(configure, nullLogger);
        h.MxFor(Domain, secure: true, ttl: 600, (10, Mx1), (20, Mx2));
        h.DaneHost(Mx1, ttl: 600, DaneEe(Mx1, ttl: 600)).PlainHost(Mx2, ttl: 600);
        h.Publish("enforce", mx: [Mx1, Mx2]);
        await h.Sts.ResolveAsync();
        return h;
    }

    [Fact]
    public async Task WarmPlan_IsTheSameCompletedTask_WithoutAnyDnsOrPolicyTraffic()
    {
        using var h = await EnforceWithTwoHostsAsync();
        var first = await h.PlanAsync();
        var dnsQuestions = h.Dns.Asked.Count;
        var discoveries = h.Sts.Discoverer.CallCount;

        var warm = h.PlanAsync();
        var warmAgain = h.PlanAsync();

        Assert.True(warm.IsCompletedSuccessfully);
        Assert.Same(warm, warmAgain);
        Assert.Same(first, await warm);
        Assert.Equal(dnsQuestions, h.Dns.Asked.Count);
        Assert.Equal(discoveries, h.Sts.Discoverer.CallCount);
        Assert.NotEmpty(h.LogsWithId(MtaSts.Diagnostics.Log.IdPlanServedFromMemory));
    }

    [Fact]
    public async Task WarmPlan_AllocatesNothing()
    {
        using var h = await EnforceWithTwoHostsAsync(nullLogger: true);
        await h.PlanAsync();
        Assert.True(h.PlanAsync().IsCompletedSuccessfully);

        var bytes = AllocationMeter.SteadyStateBytes(() => h.Planner.PlanDeliveryAsync(Domain));

        Assert.Equal(0, bytes);
    }

    [Fact]
    public async Task ExpiredTlsaAnswer_IsLookedUpAgain_TheMxAnswerIsNot()
    {
        using var h = new PlannerHarness();
        h.MxFor(Domain, secure: true, ttl: 3000, (10, Mx1));
        h.DaneHost(Mx1, ttl: 60, DaneEe(Mx1, ttl: 60));
        h.Publish("enforce", mx: Mx1);
        await h.PlanAsync();

        // The DNS moves on: the host drops DANE. Within the TTL the plan still says DANE.
        h.Dns.NxDomain(TlsaName(Mx1), QueryType.TLSA, ad: true);
        h.Time.Advance(TimeSpan.FromSeconds(30));
        var within = await h.PlanAsync();
        h.Time.Advance(TimeSpan.FromSeconds(31));
        var after = await h.PlanAsync();

        Assert.Equal(DaneStatus.Usable, within.Hosts[0].Dane);
        Assert.Equal(DaneStatus.NotApplicable, after.Hosts[0].Dane);
        Assert.Equal(MxAuthentication.Pkix, after.Hosts[0].CertificateRequirement.Authentication);
        Assert.Equal(1, h.AskedCount(QueryType.MX));
        Assert.Equal(2, h.AskedCount(QueryType.TLSA));
    }

    [Fact]
    public async Task AnswerTtls_AreClampedToTheRecordRecheckWindow()
    {
        using var h = new PlannerHarness(o =>
        {
            o.Cache.MinRecordRecheckInterval = TimeSpan.FromSeconds(30);
            o.Cache.MaxRecordRecheckInterval = TimeSpan.FromMinutes(2);
        });
        h.MxFor(Domain, secure: true, ttl: 86400, (10, Mx1));
        h.PlainHost(Mx1, ttl: 1);
        await h.PlanAsync();

        h.Time.Advance(TimeSpan.FromSeconds(20)); // past the 1 s TTL, inside the 30 s minimum
        await h.PlanAsync();
        var aBefore = h.AskedCount(QueryType.A);
        h.Time.Advance(TimeSpan.FromSeconds(101)); // 121 s: past the 2 minute maximum
        await h.PlanAsync();

        Assert.Equal(1, aBefore);
        Assert.Equal(2, h.AskedCount(QueryType.A));
        Assert.Equal(2, h.AskedCount(QueryType.MX));
    }

    [Fact]
    public async Task ANewMtaStsResolution_ReplansWithoutDnsTraffic()
    {
        using var h = await EnforceWithTwoHostsAsync();
        var first = await h.PlanAsync();
        var dnsQuestions = h.Dns.Asked.Count;

        // A new policy (new id) once the TXT window has run out; the MX and TLSA answers are still fresh.
        h.Publish("enforce", "id2", Mx1);
        h.Time.Advance(h.Options.Cache.MinRecordRecheckInterval + TimeSpan.FromSeconds(1));
        var second = await h.PlanAsync();

        Assert.NotSame(first, second);
        Assert.Equal("id2", second.MtaStsResolution!.Record!.Id);
        Assert.False(second.Hosts[1].IsUsable);
        Assert.Equal(dnsQuestions, h.Dns.Asked.Count);
    }

    [Fact]
    public async Task SameResolutionAfterItsRecheck_KeepsThePlan()
    {
        var h = new PlannerHarness();
        using var _ = h;
        h.MxFor(Domain, secure: true, ttl: 600, (10, Mx1));
        h.PlainHost(Mx1, ttl: 600);
        h.Publish("enforce", mx: Mx1);
        var fetched = await h.PlanAsync();  // made with the freshly fetched resolution
        var warm = await h.PlanAsync();     // rebuilt once, without I/O, around the resolver's cached resolution
        var questions = h.Dns.Asked.Count;

        h.Time.Advance(h.Options.Cache.MinRecordRecheckInterval + TimeSpan.FromSeconds(1));
        var afterTxtRecheck = await h.PlanAsync();

        Assert.NotSame(fetched, warm);
        Assert.Equal(PolicySource.Fetched, fetched.MtaStsResolution!.Source);
        Assert.Equal(PolicySource.Cache, warm.MtaStsResolution!.Source);
        Assert.Same(warm, afterTxtRecheck);
        Assert.Equal(questions, h.Dns.Asked.Count);
        Assert.Equal(2, h.Sts.Discoverer.CallCount);
    }

    [Fact]
    public async Task TheCache_HoldsAtMostMaxCachedDomains()
    {
        using var h = new PlannerHarness(o => o.Cache.MaxDomains = 2);
        for (var i = 0; i < 6; i++)
        {
            var domain = $"d{i}.example.test";
            h.Dns.NxDomain(domain, QueryType.MX, ad: false);
            Assert.Equal(DeliveryPlanStatus.NoMailService, (await h.PlanAsync(domain)).Status);
        }

        Assert.InRange(h.Planner.CachedDomainCount, 1, 2);
    }

    [Fact]
    public async Task ConcurrentPlans_ShareOneLookup_AndACallersCancellationEndsOnlyItsWait()
    {
        using var h = new PlannerHarness();
        h.Mx(secure: true, (10, Mx1)).PlainHost(Mx1);
        h.Publish("enforce", mx: Mx1);
        h.Sts.Discoverer.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();

        var first = h.PlanAsync();
        var second = h.PlanAsync(cancellationToken: cancel.Token);
        await h.Sts.Discoverer.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cancel.CancelAsync();
        h.Sts.Discoverer.Gate.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        var plan = await first.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(DeliveryPlanStatus.Deliver, plan.Status);
        Assert.Equal(1, h.AskedCount(QueryType.MX));
        Assert.Equal(1, h.Sts.Discoverer.CallCount);
    }

    [Fact]
    public async Task InvalidDomain_IsAnArgumentException_BeforeAnyTraffic()
    {
        using var h = new PlannerHarness();

        await Assert.ThrowsAsync<ArgumentException>(() => h.PlanAsync("192.0.2.1"));
        await Assert.ThrowsAsync<ArgumentException>(() => h.PlanAsync("not a domain"));

        Assert.Empty(h.Dns.Asked);
    }

    [Fact]
    public async Task Metrics_CountPlansByStatusAndCache_WithoutDomainNames()
    {
        using var h = await EnforceWithTwoHostsAsync();
        using var collector = new MetricCollector<long>(h.Sts.MeterFactory, MtaStsTelemetry.MeterName, MtaStsTelemetry.DeliveryPlans);

        await h.PlanAsync();
        await h.PlanAsync();

        var measurements = collector.GetMeasurementSnapshot();
        Assert.Equal(2, measurements.Count);
        Assert.Equal(["miss", "hit"], measurements.Select(m => (string)m.Tags["mtasts.plan.cache"]!));
        Assert.All(measurements, m => Assert.Equal("deliver", m.Tags["mtasts.plan.status"]));
        Assert.All(measurements, m => Assert.DoesNotContain(m.Tags.Values, v => v is string s && s.Contains("example", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Activity_IsStartedForAPlanThatIsNotServedFromMemory_Only()
    {
        using var h = await EnforceWithTwoHostsAsync();
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MtaStsTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == MtaStsTelemetry.PlanDeliveryActivityName && Equals(activity.GetTagItem("mtasts.recipient_domain"), Domain))
                {
                    lock (activities)
                    {
                        activities.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await h.PlanAsync();
        await h.PlanAsync();

        var activity = Assert.Single(activities);
        Assert.Equal("deliver", activity.GetTagItem("mtasts.plan.status"));
        Assert.Equal(2, activity.GetTagItem("mtasts.plan.hosts"));
    }

    [Fact]
    public async Task Dispose_ThenPlan_Throws()
    {
        var h = await EnforceWithTwoHostsAsync();
        await h.PlanAsync();
        h.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => h.PlanAsync());
    }
}
