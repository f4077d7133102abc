using MtaSts.Testing;

namespace MtaSts.IntegrationTests.EndToEnd;

/// <summary>Each outcome class of a resolution, through real sockets against the loopback world.</summary>
public sealed class ResolutionOutcomeTests(WorldFixture fixture) : IClassFixture<WorldFixture>
{
    private MtaStsTestWorld World => fixture.World;

    [Theory]
    [InlineData(MtaStsMode.Enforce)]
    [InlineData(MtaStsMode.Testing)]
    public async Task STS_3_2_d_ValidPolicy_IsFetchedParsedAndApplied(MtaStsMode mode)
    {
        var domain = WorldFixture.UniqueDomain("valid");
        World.PublishPolicy(domain, "id1", mode, 604800, "mx1." + domain, "*.mx." + domain);
        using var resolver = fixture.CreateResolver();

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal(PolicySource.Fetched, result.Source);
        Assert.Equal(MtaStsFailure.None, result.Failure);
        Assert.NotNull(result.Policy);
        Assert.Equal(mode, result.Policy.Mode);
        Assert.Equal(604800, result.Policy.MaxAgeSeconds);
        Assert.Equal(["mx1." + domain, "*.mx." + domain], result.Policy.MxPatterns.Select(p => p.Pattern));
        Assert.Equal("id1", result.Record?.Id);
        Assert.True(result.Policy.MatchesMx("a.mx." + domain));
        Assert.False(result.Policy.MatchesMx("a.b.mx." + domain));
    }

    [Fact]
    public async Task A_23_ModeNoneWithoutMx_IsAValidPolicy()
    {
        var domain = WorldFixture.UniqueDomain("none");
        World.PublishPolicy(domain, "n1", MtaStsMode.None, 86400);
        using var resolver = fixture.CreateResolver();

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal(MtaStsMode.None, result.Policy?.Mode);
        Assert.Empty(result.Policy!.MxPatterns);
    }

    [Fact]
    public async Task STS_3_1_g_NoRecord_MeansNoPolicy()
    {
        var domain = WorldFixture.UniqueDomain("norecord");
        using var resolver = fixture.CreateResolver();

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.NoPolicy, result.Outcome);
        Assert.Equal(MtaStsFailure.RecordNotFound, result.Failure);
        Assert.Null(result.Policy);
        Assert.Equal(0, World.PolicyHost.RequestCount("mta-sts." + domain));
    }

    [Fact]
    public async Task STS_3_1_g_TwoStsRecords_MeanNoPolicyAndNoFetch()
    {
        var domain = WorldFixture.UniqueDomain("two");
        World.PublishPolicy(domain, "a1", MtaStsMode.Enforce, 86400, "mx." + domain);
        World.Dns.AddTxt("_mta-sts." + domain, "v=STSv1; id=b2");
        using var resolver = fixture.CreateResolver();

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.NoPolicy, result.Outcome);
        Assert.Equal(MtaStsFailure.MultipleRecords, result.Failure);
        Assert.Equal(2, result.Evidence?.TxtRecords.Count);
        Assert.Equal(0, World.PolicyHost.RequestCount("mta-sts." + domain));
    }

    [Fact]
    public async Task STS_3_1_f_UnrelatedTxtRecords_AreFilteredBeforeCounting()
    {
        var domain = WorldFixture.UniqueDomain("filter");
        World.PublishPolicy(domain, "f1", MtaStsMode.Enforce, 86400, "mx." + domain);
        World.Dns.AddTxt("_mta-sts." + domain, "google-site-verification=abc");
        using var resolver = fixture.CreateResolver();

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
    }

    [Fact]
    public async Task STS_3_1_g_InvalidRecord_MeansNoPolicy()
    {
        var domain = WorldFixture.UniqueDomain("badrec");
        World.Dns.AddTxt("_mta-sts." + domain, "v=STSv1; id=not valid!");
        using var resolver = fixture.CreateResolver();

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.NoPolicy, result.Outcome);
        Assert.Equal(MtaStsFailure.RecordInvalid, result.Failure);
        Assert.NotEmpty(result.Evidence!.Errors);
    }

    [Fact]
    public async Task STS_3_1_i_MultiStringRecord_IsJoinedWithoutSpaces()
    {
        var domain = WorldFixture.UniqueDomain("multi");
        World.PublishPolicy(domain, "joined123", MtaStsMode.Enforce, 86400, "mx." + domain);
        World.Dns.Remove("_mta-sts." + domain);
        World.Dns.AddTxt("_mta-sts." + domain, "v=STSv1; id=join", "ed123");
        using var resolver = fixture.CreateResolver();

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal("joined123", result.Record?.Id);
    }

    [Fact]
    public async Task STS_3_1_j_CnameDelegation_IsFollowedButPolicyHostStaysOnTheDomain()
    {
        // Also: STS-3.2-a, STS-8.2-a
        var domain = WorldFixture.UniqueDomain("deleg");
        var provider = WorldFixture.UniqueDomain("provider");
        World.PublishPolicy(domain, "p1", MtaStsMode.Enforce, 86400, "mx." + provider);
        World.Dns.Remove("_mta-sts." + domain);
        World.Dns.AddCname("_mta-sts." + domain, "_mta-sts." + provider);
        World.Dns.AddTxt("_mta-sts." + provider, "v=STSv1; id=p1");
        using var resolver = fixture.CreateResolver();

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal(1, World.PolicyHost.RequestCount("mta-sts." + domain));
        Assert.Equal(0, World.PolicyHost.RequestCount("mta-sts." + provider));
    }

    [Fact]
    public async Task IdnDomain_IsResolvedAsItsALabel()
    {
        var aLabel = "xn--bcher-kva." + WorldFixture.UniqueDomain("idn");
        var unicode = "bücher." + aLabel["xn--bcher-kva.".Length..];
        World.PublishPolicy(aLabel, "u1", MtaStsMode.Enforce, 86400, "mx." + aLabel);
        using var resolver = fixture.CreateResolver();

        var result = await resolver.ResolveAsync(unicode.ToUpperInvariant() + ".");

        Assert.Equal(aLabel, result.Domain);
        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal(1, World.PolicyHost.RequestCount("mta-sts." + aLabel));
    }

    [Fact]
    public async Task A_1_ServFailWithNothingCached_IsATemporaryDnsFailure()
    {
        var domain = WorldFixture.UniqueDomain("servfail");
        World.Dns.SetFault("_mta-sts." + domain, DnsFault.ServerFailure);
        using var resolver = fixture.CreateResolver();

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.DnsFailure, result.Outcome);
        Assert.Equal(MtaStsFailure.DnsFailure, result.Failure);
        Assert.Null(result.Policy);
    }

    [Theory]
    [InlineData(DnsFault.Timeout)]
    [InlineData(DnsFault.Malformed)]
    [InlineData(DnsFault.Refused)]
    public async Task A_1_BrokenDnsAnswers_AreTemporaryDnsFailures_NotCrashes(DnsFault fault)
    {
        var domain = WorldFixture.UniqueDomain("dnsfault");
        World.Dns.SetFault("_mta-sts." + domain, fault);
        using var resolver = fixture.CreateResolver(o => { o.Dns.Timeout = TimeSpan.FromMilliseconds(500); o.Dns.Retries = 0; });

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.DnsFailure, result.Outcome);
    }

    [Fact]
    public async Task STS_3_3_m_DnsFailureWithCachedPolicy_AppliesTheCache()
    {
        // Also: STS-3.1-h
        var domain = WorldFixture.UniqueDomain("cachedns");
        World.PublishPolicy(domain, "c1", MtaStsMode.Enforce, 86400, "mx." + domain);
        using var resolver = fixture.CreateResolver(o => { o.Cache.MinRecordRecheckInterval = TimeSpan.Zero; o.Cache.MaxRecordRecheckInterval = TimeSpan.Zero; });
        var first = await resolver.ResolveAsync(domain);
        Assert.Equal(PolicySource.Fetched, first.Source);

        World.Dns.SetFault("_mta-sts." + domain, DnsFault.ServerFailure);
        var second = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.Policy, second.Outcome);
        Assert.Equal(PolicySource.CacheAfterFailure, second.Source);
        Assert.Equal(MtaStsFailure.DnsFailure, second.Failure);
        Assert.Equal(MtaStsMode.Enforce, second.Policy?.Mode);
    }

    [Fact]
    public async Task STS_3_1_h_RecordRemovedWithCachedPolicy_AppliesTheCache()
    {
        var domain = WorldFixture.UniqueDomain("removed");
        World.PublishPolicy(domain, "r1", MtaStsMode.Enforce, 86400, "mx." + domain);
        using var resolver = fixture.CreateResolver(o => { o.Cache.MinRecordRecheckInterval = TimeSpan.Zero; o.Cache.MaxRecordRecheckInterval = TimeSpan.Zero; });
        await resolver.ResolveAsync(domain);

        World.Dns.Remove("_mta-sts." + domain);
        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(PolicySource.CacheAfterFailure, result.Source);
        Assert.Equal(MtaStsFailure.RecordNotFound, result.Failure);
        Assert.Equal(MtaStsMode.Enforce, result.Policy?.Mode);
    }

    [Fact]
    public async Task STS_3_3_m_FetchFailureWithCachedPolicy_AppliesTheCache()
    {
        var domain = WorldFixture.UniqueDomain("cachefetch");
        World.PublishPolicy(domain, "v1", MtaStsMode.Enforce, 86400, "mx." + domain);
        using var resolver = fixture.CreateResolver(o => { o.Cache.MinRecordRecheckInterval = TimeSpan.Zero; o.Cache.MaxRecordRecheckInterval = TimeSpan.Zero; });
        await resolver.ResolveAsync(domain);

        World.Dns.Remove("_mta-sts." + domain);
        World.Dns.AddTxt("_mta-sts." + domain, "v=STSv1; id=v2");
        World.PolicyHost.SetResponse("mta-sts." + domain, new PolicyResponse { StatusCode = 404 });
        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal(PolicySource.CacheAfterFailure, result.Source);
        Assert.Equal("sts-policy-fetch-error", result.ReportResultType);
    }

    [Fact]
    public async Task STS_5_1_a_SecondResolution_IsAnsweredFromTheCacheWithoutTraffic()
    {
        var domain = WorldFixture.UniqueDomain("warm");
        World.PublishPolicy(domain, "w1", MtaStsMode.Enforce, 86400, "mx." + domain);
        using var resolver = fixture.CreateResolver();
        await resolver.ResolveAsync(domain);
        var queries = World.Dns.QueryCount("_mta-sts." + domain);
        var fetches = World.PolicyHost.RequestCount("mta-sts." + domain);

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(PolicySource.Cache, result.Source);
        Assert.Equal(queries, World.Dns.QueryCount("_mta-sts." + domain));
        Assert.Equal(fetches, World.PolicyHost.RequestCount("mta-sts." + domain));
    }

    [Fact]
    public async Task STS_3_1_d_ChangedId_TriggersARefetch_SameIdDoesNot()
    {
        var domain = WorldFixture.UniqueDomain("idchange");
        World.PublishPolicy(domain, "one", MtaStsMode.Testing, 86400, "mx." + domain);
        using var resolver = fixture.CreateResolver(o => { o.Cache.MinRecordRecheckInterval = TimeSpan.Zero; o.Cache.MaxRecordRecheckInterval = TimeSpan.Zero; });
        await resolver.ResolveAsync(domain);
        var same = await resolver.ResolveAsync(domain);
        Assert.Equal(PolicySource.Cache, same.Source);
        Assert.Equal(1, World.PolicyHost.RequestCount("mta-sts." + domain));

        World.PublishPolicy(domain, "two", MtaStsMode.Enforce, 86400, "mx." + domain);
        World.Dns.Remove("_mta-sts." + domain);
        World.Dns.AddTxt("_mta-sts." + domain, "v=STSv1; id=two");
        var changed = await resolver.ResolveAsync(domain);

        Assert.Equal(PolicySource.Fetched, changed.Source);
        Assert.Equal(MtaStsMode.Enforce, changed.Policy?.Mode);
        Assert.Equal(2, World.PolicyHost.RequestCount("mta-sts." + domain));
    }

    [Fact]
    public async Task SingleFlight_1000ConcurrentResolutions_MakeOneTxtQueryAndOneFetch()
    {
        var domain = WorldFixture.UniqueDomain("flight");
        World.PublishPolicy(domain, "sf1", MtaStsMode.Enforce, 86400, "mx." + domain);
        World.PolicyHost.SetResponse("mta-sts." + domain, new PolicyResponse
        {
            Body = "version: STSv1\r\nmode: enforce\r\nmx: mx." + domain + "\r\nmax_age: 86400\r\n",
            HeaderDelay = TimeSpan.FromMilliseconds(200),
        });
        using var resolver = fixture.CreateResolver();

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(() => resolver.ResolveAsync(domain))));

        Assert.All(results, r => Assert.Equal(MtaStsOutcome.Policy, r.Outcome));
        Assert.Equal(1, World.Dns.QueryCount("_mta-sts." + domain, DnsRecordType.TXT));
        Assert.Equal(1, World.PolicyHost.RequestCount("mta-sts." + domain));
    }
}
