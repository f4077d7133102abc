using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Caching;

/// <summary>Local overrides per domain, and the global limit on concurrent policy fetches.</summary>
public class OverrideAndLimitTests
{
    private const string Domain = ResolverHarness.Domain;

    [Fact]
    public async Task OverrideEnforce_AppliesAPublishedTestingPolicyAsEnforce_VisiblyOnTheResolution()
    {
        using var h = new ResolverHarness(o => o.Overrides["EXAMPLE.test"] = MtaStsPolicyOverride.Enforce);
        h.Publish("id1", ResolverHarness.Policy("testing"));

        var result = await h.ResolveAsync();

        Assert.Equal(MtaStsMode.Enforce, result.Policy!.Mode);
        Assert.Equal(MtaStsOverrideKind.Enforce, result.Override);
        Assert.Equal(PolicySource.Fetched, result.Source); // the policy is still the published one, only its mode is forced
        Assert.Equal(1, h.Fetcher.CallCount);

        // Warm: the cached answer, still overridden, and the same instance every time (no allocation per resolution).
        var cached = await h.ResolveAsync();
        Assert.Equal(PolicySource.Cache, cached.Source);
        Assert.Equal(MtaStsOverrideKind.Enforce, cached.Override);
        Assert.Same(cached, await h.ResolveAsync());
    }

    [Theory]
    [InlineData("none")]
    [InlineData("enforce")]
    public async Task OverrideEnforce_LeavesNoneAndEnforcePoliciesAsTheyAre(string mode)
    {
        using var h = new ResolverHarness(o => o.Overrides[Domain] = MtaStsPolicyOverride.Enforce);
        h.Publish("id1", ResolverHarness.Policy(mode));

        var result = await h.ResolveAsync();

        Assert.Equal(mode == "none" ? MtaStsMode.None : MtaStsMode.Enforce, result.Policy!.Mode);
        Assert.Equal(MtaStsOverrideKind.None, result.Override);
    }

    [Fact]
    public async Task OverrideDisable_LooksNothingUp_AndSaysSo()
    {
        using var h = new ResolverHarness(o => o.Overrides[Domain] = MtaStsPolicyOverride.Disable);
        h.Publish("id1", ResolverHarness.Policy("enforce"));

        var result = await h.ResolveAsync();
        var rechecked = await h.Resolver.RecheckAsync(Domain);

        Assert.Equal(MtaStsOutcome.NoPolicy, result.Outcome);
        Assert.Null(result.Policy);
        Assert.Equal(MtaStsOverrideKind.Disable, result.Override);
        Assert.Contains("local override", result.Evidence!.Message, StringComparison.Ordinal);
        Assert.Equal(MtaStsOverrideKind.Disable, rechecked.Override);
        Assert.Equal(0, h.Discoverer.CallCount);
        Assert.Equal(0, h.Fetcher.CallCount);
    }

    [Fact]
    public async Task OverrideStaticPolicy_AppliesThePinnedText_InsteadOfWhatIsPublished()
    {
        var pinned = MtaStsPolicyOverride.StaticPolicy("version: STSv1\nmode: enforce\nmx: pinned.example.test\nmax_age: 86400\n");
        using var h = new ResolverHarness(o => o.Overrides[Domain] = pinned);
        h.Publish("id1", ResolverHarness.Policy("testing"));

        var result = await h.ResolveAsync();

        Assert.Equal(PolicySource.Override, result.Source);
        Assert.Equal(MtaStsOverrideKind.StaticPolicy, result.Override);
        Assert.True(result.Policy!.MatchesMx("pinned.example.test"));
        Assert.False(result.Policy.MatchesMx("mx1.example.test"));
        Assert.Equal(0, h.Discoverer.CallCount);
    }

    [Fact]
    public void OverrideStaticPolicy_RefusesAnInvalidText_NamingTheError()
    {
        var error = Assert.Throws<ArgumentException>(() => MtaStsPolicyOverride.StaticPolicy("version: STSv1\nmode: sometimes\nmax_age: 1\n"));

        Assert.Contains("not valid", error.Message, StringComparison.Ordinal);
        Assert.Equal("policyText", error.ParamName);
    }

    [Fact]
    public async Task AnOverrideForOneDomain_LeavesOtherDomainsAlone()
    {
        using var h = new ResolverHarness(o => o.Overrides["other.test"] = MtaStsPolicyOverride.Disable);
        h.Publish("id1", ResolverHarness.Policy("testing"));

        var result = await h.ResolveAsync();

        Assert.Equal(MtaStsMode.Testing, result.Policy!.Mode);
        Assert.Equal(MtaStsOverrideKind.None, result.Override);
    }

    [Theory]
    [InlineData("enforce", true)]
    [InlineData("disable", true)]
    [InlineData("Enforce", false)]
    [InlineData("static", false)]
    [InlineData(null, false)]
    public void Override_TryParse_KnowsTheCliTokens(string? token, bool known)
    {
        Assert.Equal(known, MtaStsPolicyOverride.TryParse(token, out var value));
        if (known)
        {
            Assert.Equal(token, value!.ToString());
        }
    }

    [Fact]
    public async Task TheGlobalFetchLimit_HoldsUnderABurstOfNewDomains()
    {
        const int limit = 3;
        using var h = new ResolverHarness(o => o.PolicyFetch.MaxConcurrentFetches = limit);
        var domains = Enumerable.Range(0, 40).Select(i => $"d{i}.example.test").ToArray();
        foreach (var domain in domains)
        {
            h.Publish("id1", ResolverHarness.Policy(), domain);
        }

        h.Fetcher.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var all = domains.Select(domain => h.ResolveAsync(domain)).ToArray();

        // Wait until the limit is reached, then check nothing beyond it started.
        for (var i = 0; i < 500 && h.Fetcher.CallCount < limit; i++)
        {
            await Task.Delay(10);
        }

        await Task.Delay(100);
        Assert.Equal(limit, h.Fetcher.CallCount);

        h.Fetcher.Gate.SetResult();
        var results = await Task.WhenAll(all);
        Assert.All(results, r => Assert.Equal(MtaStsOutcome.Policy, r.Outcome));
        Assert.Equal(domains.Length, h.Fetcher.CallCount);
        Assert.True(h.Fetcher.MaxConcurrent <= limit, $"{h.Fetcher.MaxConcurrent} fetches ran at once");
    }

    [Fact]
    public async Task TenThousandConcurrentResolutionsOfOneColdDomain_MakeOneTxtQueryAndOneFetch()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());
        h.Discoverer.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var all = Enumerable.Range(0, 10_000).Select(_ => h.ResolveAsync()).ToArray();
        h.Discoverer.Gate.SetResult();
        var results = await Task.WhenAll(all);

        Assert.Equal(1, h.Discoverer.CallCount);
        Assert.Equal(1, h.Fetcher.CallCount);
        Assert.All(results, r => Assert.Same(results[0].Policy, r.Policy));
    }
}
