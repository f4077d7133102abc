using Microsoft.Extensions.Logging;
using MtaSts.Diagnostics;
using MtaSts.Tests.Fakes;

namespace MtaSts.Tests.Resolution;

/// <summary>The decision table "TXT lookup outcome × cache state" (checklist §2.4) and the fetch outcomes, through the resolver.</summary>
public class MtaStsPolicyResolverTests
{
    private const string Domain = ResolverHarness.Domain;

    [Fact]
    public async Task FreshDomain_WithValidRecordAndPolicy_IsFetched()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy(maxAge: 86400));

        var result = await h.ResolveAsync();

        Assert.Equal(Domain, result.Domain);
        Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
        Assert.Equal(PolicySource.Fetched, result.Source);
        Assert.Equal(MtaStsFailure.None, result.Failure);
        Assert.Null(result.Evidence);
        Assert.Equal(MtaStsMode.Enforce, result.Policy!.Mode);
        Assert.Equal("id1", result.Record!.Id);
        Assert.Equal(ResolverHarness.Start, result.FetchedAt);
        Assert.Equal(ResolverHarness.Start.AddSeconds(86400), result.ExpiresAt);
        Assert.Empty(result.Warnings);
        Assert.Equal(1, h.Discoverer.CallCount);
        Assert.Equal(1, h.Fetcher.CallCount);
    }

    [Fact]
    public async Task Domain_IsNormalised_BeforeAnyLookup()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());

        var result = await h.ResolveAsync("Example.TEST.");

        Assert.Equal(Domain, result.Domain);
        Assert.Equal([Domain], h.Discoverer.Calls);
        Assert.Equal([Domain], h.Fetcher.Calls);
    }

    [Theory]
    [InlineData("")]
    [InlineData("192.0.2.1")]
    [InlineData("[192.0.2.1]")]
    [InlineData("localhost")]
    [InlineData("exa mple.test")]
    public void BadDomain_ThrowsArgumentException_WithoutAnyLookup(string domain)
    {
        using var h = new ResolverHarness();

        Assert.ThrowsAny<ArgumentException>(() => { _ = h.Resolver.ResolveAsync(domain); });

        Assert.Equal(0, h.Discoverer.CallCount);
        Assert.Equal(0, h.Fetcher.CallCount);
    }

    [Fact]
    public void NullDomain_ThrowsArgumentNullException()
    {
        using var h = new ResolverHarness();

        Assert.Throws<ArgumentNullException>(() => { _ = h.Resolver.ResolveAsync(null!); });
    }

    [Fact]
    public async Task STS_5_1_a_UnexpiredCachedPolicy_IsUsed_AndSameIdIsNotFetchedAgain()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());
        var first = await h.ResolveAsync();

        // Within the TXT recheck window: no I/O at all.
        h.Time.Advance(TimeSpan.FromSeconds(5));
        var warm = await h.ResolveAsync();
        Assert.Equal(1, h.Discoverer.CallCount);

        // After the window: the TXT id is checked again, and being unchanged, the cache answers.
        h.Time.Advance(TimeSpan.FromHours(2));
        var rechecked = await h.ResolveAsync();

        Assert.Equal(2, h.Discoverer.CallCount);
        Assert.Equal(1, h.Fetcher.CallCount);
        foreach (var result in new[] { warm, rechecked })
        {
            Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
            Assert.Equal(PolicySource.Cache, result.Source);
            Assert.Equal(MtaStsFailure.None, result.Failure);
            Assert.Same(first.Policy, result.Policy);
            Assert.Equal(first.ExpiresAt, result.ExpiresAt);
        }
    }

    [Fact]
    public async Task ChangedId_IsFetched_AndReplacesTheCachedPolicy()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy(mode: "testing"));
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromHours(2));
        h.Publish("id2", ResolverHarness.Policy(mode: "enforce", maxAge: 86400));
        var changed = await h.ResolveAsync();

        Assert.Equal(2, h.Fetcher.CallCount);
        Assert.Equal(PolicySource.Fetched, changed.Source);
        Assert.Equal(MtaStsMode.Enforce, changed.Policy!.Mode);
        Assert.Equal("id2", changed.Record!.Id);
        Assert.Equal(h.Time.GetUtcNow().AddSeconds(86400), changed.ExpiresAt);
        Assert.Single(h.LogsWithId(Log.IdPolicyChanged));
    }

    [Fact]
    public async Task STS_3_1_h_MissingOrUnusableRecord_DoesNotDropTheCachedPolicy()
    {
        // Also: STS-3.3-m
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());
        var fetched = await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromHours(2));
        h.Discoverer.NotFound(Domain);
        var notFound = await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromHours(2));
        h.Discoverer.Invalid(Domain, "v=STSv1; idd=1");
        var invalid = await h.ResolveAsync();

        Assert.Equal(1, h.Fetcher.CallCount);
        Assert.Equal(MtaStsFailure.RecordNotFound, notFound.Failure);
        Assert.Equal(MtaStsFailure.RecordInvalid, invalid.Failure);
        Assert.Equal(["v=STSv1; idd=1"], invalid.Evidence!.TxtRecords);
        Assert.Equal("id-missing", Assert.Single(invalid.Evidence.Errors).Code);
        foreach (var result in new[] { notFound, invalid })
        {
            Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
            Assert.Equal(PolicySource.CacheAfterFailure, result.Source);
            Assert.Same(fetched.Policy, result.Policy);
            Assert.Equal("id1", result.Record!.Id);
            Assert.Equal(fetched.ExpiresAt, result.ExpiresAt);
        }
    }

    [Fact]
    public async Task A_17_MultipleRecords_CachedPolicyStillApplies_ElseNoPolicy()
    {
        // Also: STS-3.1-g
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());
        var fetched = await h.ResolveAsync();
        h.Discoverer.Multiple("other.example.test", "v=STSv1; id=a", "v=STSv1; id=b");
        var nothingCached = await h.ResolveAsync("other.example.test");

        h.Time.Advance(TimeSpan.FromHours(2));
        h.Discoverer.Multiple(Domain, "v=STSv1; id=a", "v=STSv1; id=b");
        var withCache = await h.ResolveAsync();

        Assert.Equal(MtaStsOutcome.Policy, withCache.Outcome);
        Assert.Equal(PolicySource.CacheAfterFailure, withCache.Source);
        Assert.Equal(MtaStsFailure.MultipleRecords, withCache.Failure);
        Assert.Same(fetched.Policy, withCache.Policy);
        Assert.Equal(["v=STSv1; id=a", "v=STSv1; id=b"], withCache.Evidence!.TxtRecords);

        Assert.Equal(MtaStsOutcome.NoPolicy, nothingCached.Outcome);
        Assert.Equal(MtaStsFailure.MultipleRecords, nothingCached.Failure);
        Assert.Null(nothingCached.Policy);
        Assert.Equal(PolicySource.None, nothingCached.Source);
        Assert.Equal(0, h.Fetcher.CallsFor("other.example.test"));
    }

    [Fact]
    public async Task STS_3_3_m_DnsFailureOrFailedFetch_WithUnexpiredCache_AppliesTheCachedPolicy()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());
        var fetched = await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromHours(2));
        h.Discoverer.DnsFailure(Domain);
        var dnsFailure = await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromHours(2));
        h.Discoverer.Found(Domain, "id2");
        h.Fetcher.Fail(Domain, MtaStsFailure.WebPkiInvalid, status: null, message: "RemoteCertificateNameMismatch");
        var fetchFailure = await h.ResolveAsync();

        Assert.Equal(MtaStsFailure.DnsFailure, dnsFailure.Failure);
        Assert.Equal("ServerFailure", dnsFailure.Evidence!.DnsResponseCode);
        Assert.Equal(MtaStsFailure.WebPkiInvalid, fetchFailure.Failure);
        Assert.Equal("sts-webpki-invalid", fetchFailure.ReportResultType);
        Assert.Equal("RemoteCertificateNameMismatch", fetchFailure.Evidence!.Message);
        foreach (var result in new[] { dnsFailure, fetchFailure })
        {
            Assert.Equal(MtaStsOutcome.Policy, result.Outcome);
            Assert.Equal(PolicySource.CacheAfterFailure, result.Source);
            Assert.Same(fetched.Policy, result.Policy);
            Assert.Equal("id1", result.Record!.Id);
            Assert.Equal(fetched.ExpiresAt, result.ExpiresAt);
        }

        // The failed fetch of a new id with an enforce policy cached is reported to administrators.
        Assert.Single(h.LogsWithId(Log.IdFetchFailedCachedPolicyApplied));
    }

    [Fact]
    public async Task STS_3_3_l_FetchFails_NothingCached_DeliverAsWithoutMtaSts()
    {
        using var h = new ResolverHarness();
        h.Discoverer.Found(Domain, "id1");
        h.Fetcher.Fail(Domain, MtaStsFailure.PolicyFetchError, status: 503, message: "HTTP status 503 (only 200 is accepted)");

        var result = await h.ResolveAsync();

        Assert.Equal(MtaStsOutcome.FetchFailure, result.Outcome);
        Assert.Equal(PolicySource.None, result.Source);
        Assert.Null(result.Policy);
        Assert.Equal("id1", result.Record!.Id);
        Assert.Equal(MtaStsFailure.PolicyFetchError, result.Failure);
        Assert.Equal("sts-policy-fetch-error", result.ReportResultType);
        Assert.Equal(503, result.Evidence!.HttpStatusCode);
        Assert.Null(result.FetchedAt);
        Assert.Null(result.ExpiresAt);
        var warning = Assert.Single(h.LogsWithId(Log.IdFetchFailedNothingCached));
        Assert.Equal(LogLevel.Warning, warning.Level);
    }

    [Fact]
    public async Task InvalidPolicy_IsPolicyInvalid_WithTheParseErrors_AndStartsTheBackoff()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", "version: STSv1\nmode: enforce\nmx: mx1.example.test\n"); // no max_age

        var result = await h.ResolveAsync();
        h.Time.Advance(TimeSpan.FromMinutes(1));
        var again = await h.ResolveAsync();

        Assert.Equal(MtaStsOutcome.FetchFailure, result.Outcome);
        Assert.Equal(MtaStsFailure.PolicyInvalid, result.Failure);
        Assert.Equal("sts-policy-invalid", result.ReportResultType);
        Assert.NotEmpty(result.Evidence!.Errors);
        Assert.Equal(200, result.Evidence.HttpStatusCode);
        Assert.Equal(MtaStsFailure.PolicyInvalid, again.Failure);
        Assert.Equal(1, h.Fetcher.CallCount);
    }

    [Fact]
    public async Task STS_3_3_j_FailedFetch_IsNotRetriedForTheSameIdDuringTheBackoff()
    {
        using var h = new ResolverHarness();
        h.Discoverer.Found(Domain, "id1");
        h.Fetcher.Fail(Domain);
        var failed = await h.ResolveAsync();

        // The TXT record is rechecked (10 s window) but the fetch is not repeated for 5 minutes.
        h.Time.Advance(TimeSpan.FromMinutes(1));
        var duringBackoff = await h.ResolveAsync();
        h.Time.Advance(TimeSpan.FromMinutes(4) - TimeSpan.FromTicks(1));
        var lastMoment = await h.ResolveAsync();

        Assert.Equal(1, h.Fetcher.CallCount);
        Assert.Equal(3, h.Discoverer.CallCount);
        Assert.Equal(MtaStsOutcome.FetchFailure, duringBackoff.Outcome);
        Assert.Equal(MtaStsFailure.PolicyFetchError, duringBackoff.Failure);
        Assert.Equal(failed.Evidence!.Message, lastMoment.Evidence!.Message);
        Assert.Equal(2, h.LogsWithId(Log.IdFetchBackoffActive).Count);

        // When the back-off is over, the same id is fetched again, and this time it works.
        h.Time.Advance(TimeSpan.FromTicks(1));
        h.Fetcher.Serve(Domain, ResolverHarness.Policy());
        var recovered = await h.ResolveAsync();
        Assert.Equal(2, h.Fetcher.CallCount);
        Assert.Equal(PolicySource.Fetched, recovered.Source);
    }

    [Fact]
    public async Task STS_3_3_j_ANewId_IsNotHeldBackByTheBackoffOfTheOldOne()
    {
        using var h = new ResolverHarness();
        h.Discoverer.Found(Domain, "id1");
        h.Fetcher.Fail(Domain);
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromMinutes(1));
        h.Publish("id2", ResolverHarness.Policy());
        var result = await h.ResolveAsync();

        Assert.Equal(2, h.Fetcher.CallCount);
        Assert.Equal(PolicySource.Fetched, result.Source);
        Assert.Equal("id2", result.Record!.Id);
    }

    [Fact]
    public async Task STS_3_3_j_BackoffEndsExactlyAfterTheConfiguredTime()
    {
        using var h = new ResolverHarness(o => o.Cache.FailedFetchBackoff = TimeSpan.FromMinutes(7));
        h.Discoverer.Found(Domain, "id1");
        h.Fetcher.Fail(Domain);
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromMinutes(7) - TimeSpan.FromTicks(1));
        await h.ResolveAsync();
        Assert.Equal(1, h.Fetcher.CallCount);

        h.Time.Advance(TimeSpan.FromTicks(1));
        await h.ResolveAsync();
        Assert.Equal(2, h.Fetcher.CallCount);
    }

    [Fact]
    public async Task STS_3_3_n_CachedPolicy_IsRefreshedBeforeItExpires_WhenTheIdIsUnchanged()
    {
        using var h = new ResolverHarness(); // RefreshAfter = 1 day; max_age 7 days
        h.Publish("id1", ResolverHarness.Policy(maxAge: 7 * 86400));
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromDays(1) - TimeSpan.FromSeconds(1));
        var before = await h.ResolveAsync();
        Assert.Equal(PolicySource.Cache, before.Source);
        Assert.Equal(1, h.Fetcher.CallCount);

        h.Time.Advance(TimeSpan.FromSeconds(1));
        var refreshed = await h.ResolveAsync();
        Assert.Equal(2, h.Fetcher.CallCount);
        Assert.Equal(PolicySource.Fetched, refreshed.Source);
    }

    [Fact]
    public async Task STS_3_3_n_RefreshIsDueAtHalfTheMaxAge_WhenThatComesFirst()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy(maxAge: 7200));
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromMinutes(59));
        await h.ResolveAsync();
        Assert.Equal(1, h.Fetcher.CallCount);

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.ResolveAsync();
        Assert.Equal(2, h.Fetcher.CallCount);
    }

    [Fact]
    public async Task RefreshJitter_OnlyBringsTheRefreshForward_ByAtMostATenth()
    {
        using var h = new ResolverHarness();
        h.Resolver.JitterSource = static () => 0.999;
        h.Publish("id1", ResolverHarness.Policy(maxAge: 7 * 86400));
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromDays(0.89));
        await h.ResolveAsync();
        Assert.Equal(1, h.Fetcher.CallCount);

        // Due at 0.9001 days instead of 1 day.
        h.Time.Advance(TimeSpan.FromDays(0.02));
        await h.ResolveAsync();
        Assert.Equal(2, h.Fetcher.CallCount);
    }

    [Fact]
    public async Task A_11_UnchangedId_DoesNotExtendTheLifetime_OnlyASuccessfulFetchRestartsIt()
    {
        using var h = new ResolverHarness(o => o.Cache.RefreshAfter = TimeSpan.FromDays(2));
        h.Publish("id1", ResolverHarness.Policy(maxAge: 10 * 86400));
        var fetched = await h.ResolveAsync();

        // Many rechecks with the same id: the expiry stays where the fetch put it.
        for (var i = 0; i < 5; i++)
        {
            h.Time.Advance(TimeSpan.FromHours(5));
            var hit = await h.ResolveAsync();
            Assert.Equal(PolicySource.Cache, hit.Source);
            Assert.Equal(fetched.ExpiresAt, hit.ExpiresAt);
        }

        // A failed refresh does not extend it either.
        h.Time.Advance(TimeSpan.FromDays(1));
        h.Fetcher.Fail(Domain);
        var failedRefresh = await h.ResolveAsync();
        Assert.Equal(2, h.Fetcher.CallCount);
        Assert.Equal(fetched.ExpiresAt, failedRefresh.ExpiresAt);

        // A successful refresh does: the lifetime restarts at the refetch.
        h.Time.Advance(TimeSpan.FromMinutes(5));
        h.Fetcher.Serve(Domain, ResolverHarness.Policy(maxAge: 10 * 86400));
        var refreshed = await h.ResolveAsync();
        Assert.Equal(3, h.Fetcher.CallCount);
        Assert.Equal(PolicySource.Fetched, refreshed.Source);
        Assert.Equal(h.Time.GetUtcNow().AddDays(10), refreshed.ExpiresAt);
        Assert.True(refreshed.ExpiresAt > fetched.ExpiresAt);
    }

    [Fact]
    public async Task STS_10_2_b_RefreshFetchesWhateverTheRecordSays_AndAppliesTheNewBody()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy(mode: "enforce", mx: "mx1.example.test"));
        await h.ResolveAsync();

        // The publisher changed the body but not the id (a slip the RFC warns about); the daily refresh still sees it.
        h.Fetcher.Serve(Domain, ResolverHarness.Policy(mode: "enforce", mx: "mx2.example.test"));
        h.Time.Advance(TimeSpan.FromDays(1));
        var refreshed = await h.ResolveAsync();

        Assert.Equal(2, h.Fetcher.CallCount);
        Assert.True(refreshed.Policy!.MatchesMx("mx2.example.test"));
        Assert.False(refreshed.Policy.MatchesMx("mx1.example.test"));
        Assert.Equal(h.Time.GetUtcNow(), refreshed.FetchedAt);
    }

    [Fact]
    public async Task STS_3_3_o_FailedRefresh_IsAWarning_AndTheCachedPolicyKeepsApplying()
    {
        // Also: STS-10.2-c
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy(mode: "enforce"));
        var fetched = await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromDays(1));
        h.Fetcher.Fail(Domain, MtaStsFailure.PolicyFetchError, status: 500, message: "HTTP status 500 (only 200 is accepted)");
        var failedRefresh = await h.ResolveAsync();

        Assert.Equal(MtaStsOutcome.Policy, failedRefresh.Outcome);
        Assert.Equal(PolicySource.Cache, failedRefresh.Source);
        Assert.Equal(MtaStsFailure.PolicyFetchError, failedRefresh.Failure);
        Assert.Equal(500, failedRefresh.Evidence!.HttpStatusCode);
        Assert.Same(fetched.Policy, failedRefresh.Policy);
        var warning = Assert.Single(h.LogsWithId(Log.IdRefreshFailed));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(Domain, warning.Message, StringComparison.Ordinal);

        // The refresh is retried only after the back-off; meanwhile the cache answers.
        h.Time.Advance(TimeSpan.FromMinutes(4));
        var meanwhile = await h.ResolveAsync();
        Assert.Equal(2, h.Fetcher.CallCount);
        Assert.Equal(PolicySource.Cache, meanwhile.Source);
        Assert.Equal(MtaStsFailure.None, meanwhile.Failure);

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.ResolveAsync();
        Assert.Equal(3, h.Fetcher.CallCount);
    }

    [Fact]
    public async Task STS_3_3_o_FailedRefresh_OfAModeNonePolicy_RaisesNoWarning()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy(mode: "none"));
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromDays(1));
        h.Fetcher.Fail(Domain);
        var failedRefresh = await h.ResolveAsync();

        // And a new id whose fetch fails, with mode none cached: no warning either.
        h.Time.Advance(TimeSpan.FromHours(1));
        h.Discoverer.Found(Domain, "id2");
        var failedNewId = await h.ResolveAsync();

        Assert.Equal(MtaStsMode.None, failedRefresh.Policy!.Mode);
        Assert.Equal(MtaStsFailure.PolicyFetchError, failedRefresh.Failure);
        Assert.Equal(PolicySource.CacheAfterFailure, failedNewId.Source);
        Assert.Empty(h.LogsAtOrAbove(LogLevel.Warning));
        Assert.Single(h.LogsWithId(Log.IdRefreshFailedModeNone));
        Assert.Single(h.LogsWithId(Log.IdFetchFailedCachedModeNone));
    }

    [Fact]
    public async Task STS_8_3_a_FetchedModeNone_ReplacesACachedEnforcePolicy_AtOnce()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy(mode: "enforce"));
        await h.ResolveAsync();

        // Step 1 and 2 of the withdrawal: mode none with a small max_age under a new id.
        h.Time.Advance(TimeSpan.FromHours(2));
        h.Publish("id2", ResolverHarness.Policy(mode: "none", maxAge: 86400));
        var withdrawn = await h.ResolveAsync();

        Assert.Equal(PolicySource.Fetched, withdrawn.Source);
        Assert.Equal(MtaStsMode.None, withdrawn.Policy!.Mode);

        // Step 3: the record disappears; the cached none (not the old enforce) is what still applies.
        h.Time.Advance(TimeSpan.FromHours(2));
        h.Discoverer.NotFound(Domain);
        var afterRemoval = await h.ResolveAsync();
        Assert.Equal(MtaStsMode.None, afterRemoval.Policy!.Mode);
        Assert.Equal("id2", afterRemoval.Record!.Id);

        // And once that one expires, there is no policy at all.
        h.Time.Advance(TimeSpan.FromDays(1));
        var expired = await h.ResolveAsync();
        Assert.Equal(MtaStsOutcome.NoPolicy, expired.Outcome);
    }

    [Fact]
    public async Task A_6_MaxAgeZero_AppliesToThisResolution_AndIsNotCached()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy(mode: "enforce", maxAge: 0));

        var first = await h.ResolveAsync();
        var second = await h.ResolveAsync();

        Assert.Equal(MtaStsOutcome.Policy, first.Outcome);
        Assert.Equal(PolicySource.Fetched, first.Source);
        Assert.Equal(0, first.Policy!.MaxAgeSeconds);
        Assert.Equal(first.FetchedAt, first.ExpiresAt);
        Assert.Equal(PolicySource.Fetched, second.Source);
        Assert.Equal(2, h.Fetcher.CallCount);
        Assert.Equal(0, h.Resolver.CachedDomainCount);
    }

    [Fact]
    public async Task A_6_MaxAgeZero_SupersedesACachedPolicy()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy(mode: "enforce"));
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromHours(2));
        h.Publish("id2", ResolverHarness.Policy(mode: "testing", maxAge: 0));
        await h.ResolveAsync();

        h.Time.Advance(TimeSpan.FromMinutes(1));
        h.Discoverer.NotFound(Domain);
        var afterRemoval = await h.ResolveAsync();

        Assert.Equal(MtaStsOutcome.NoPolicy, afterRemoval.Outcome);
        Assert.Null(afterRemoval.Policy);
    }

    [Fact]
    public async Task A_1_DnsFailure_WithNothingCached_IsATemporaryFailure_NotNoPolicy_AndIsNotCached()
    {
        using var h = new ResolverHarness();
        h.Discoverer.DnsFailure(Domain);

        var first = await h.ResolveAsync();
        var second = await h.ResolveAsync();

        Assert.Equal(MtaStsOutcome.DnsFailure, first.Outcome);
        Assert.Equal(MtaStsFailure.DnsFailure, first.Failure);
        Assert.Equal(PolicySource.None, first.Source);
        Assert.Null(first.Policy);
        Assert.Equal("ServerFailure", first.Evidence!.DnsResponseCode);
        Assert.Equal("SERVFAIL from 192.0.2.53", first.Evidence.Message);
        Assert.Equal(MtaStsOutcome.DnsFailure, second.Outcome);
        Assert.Equal(2, h.Discoverer.CallCount);
        Assert.Equal(0, h.Fetcher.CallCount);
    }

    [Fact]
    public async Task NotFound_WithNothingCached_IsNoPolicy()
    {
        using var h = new ResolverHarness();
        h.Discoverer.NotFound(Domain);

        var result = await h.ResolveAsync();

        Assert.Equal(MtaStsOutcome.NoPolicy, result.Outcome);
        Assert.Equal(MtaStsFailure.RecordNotFound, result.Failure);
        Assert.Null(result.ReportResultType);
        Assert.Null(result.Policy);
        Assert.Null(result.Record);
        Assert.Equal(0, h.Fetcher.CallCount);
    }

    [Fact]
    public async Task STS_3_4_c_OnlyThePolicyDomainItselfIsAsked_NeverAParent()
    {
        // Also: A-12 (the resolver resolves exactly the policy domain it is given, e.g. a smart host's)
        using var h = new ResolverHarness();
        h.Discoverer.Found("example.test", "parent");
        h.Fetcher.Serve("example.test", ResolverHarness.Policy());

        var sub = await h.ResolveAsync("mail.example.test");
        h.Publish("id1", ResolverHarness.Policy(), domain: "deep.mail.example.test");
        var deep = await h.ResolveAsync("deep.mail.example.test");

        Assert.Equal(MtaStsOutcome.NoPolicy, sub.Outcome);
        Assert.Equal(MtaStsOutcome.Policy, deep.Outcome);
        Assert.Equal(["mail.example.test", "deep.mail.example.test"], h.Discoverer.Calls);
        Assert.Equal(["deep.mail.example.test"], h.Fetcher.Calls);
    }

    [Fact]
    public async Task Warnings_OfTheRecordAndThePolicy_AreBothReported_AndKeptWithTheCache()
    {
        using var h = new ResolverHarness();
        var recordWarning = new MtaStsDiagnostic("id-characters", "The id contains '-'.");
        h.Discoverer.Found(Domain, "id-1", default, recordWarning);
        h.Fetcher.Serve(Domain, ResolverHarness.Policy(mx: "mx1.example.test.")); // trailing dot stripped, with a warning

        var fetched = await h.ResolveAsync();
        var cached = await h.ResolveAsync();

        Assert.Equal(2, fetched.Warnings.Count);
        Assert.Equal(recordWarning, fetched.Warnings[0]);
        Assert.True(fetched.Warnings[1].Line > 0, "the policy warning carries its line");
        Assert.Equal(fetched.Warnings, cached.Warnings);
        Assert.Equal(PolicySource.Cache, cached.Source);
    }

    [Fact]
    public async Task ToString_IsReadable_ForEachKindOfResult()
    {
        using var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy(mode: "enforce", maxAge: 86400, mx: "mx1.example.test"));
        var fetched = await h.ResolveAsync();
        var cached = await h.ResolveAsync();
        h.Time.Advance(TimeSpan.FromHours(2));
        h.Discoverer.DnsFailure(Domain);
        var afterFailure = await h.ResolveAsync();
        h.Discoverer.DnsFailure("dns.example.test");
        var dnsFailure = await h.ResolveAsync("dns.example.test");
        var noPolicy = await h.ResolveAsync("none.example.test");
        h.Discoverer.Found("down.example.test", "x1");
        var fetchFailure = await h.ResolveAsync("down.example.test");

        Assert.Equal("example.test: mode enforce, max_age 86400, mx [mx1.example.test] (fetched, id id1)", fetched.ToString());
        Assert.Equal("example.test: mode enforce, max_age 86400, mx [mx1.example.test] (cached, id id1)", cached.ToString());
        Assert.Equal(
            "example.test: mode enforce, max_age 86400, mx [mx1.example.test] (cached, applied after a failure, id id1); DnsFailure: SERVFAIL from 192.0.2.53",
            afterFailure.ToString());
        Assert.Equal("dns.example.test: temporary DNS failure, nothing cached; DnsFailure: SERVFAIL from 192.0.2.53", dnsFailure.ToString());
        Assert.Equal("none.example.test: no MTA-STS policy; RecordNotFound: NXDOMAIN", noPolicy.ToString());
        Assert.Equal(
            "down.example.test: policy fetch failed, deliver as without MTA-STS; sts-policy-fetch-error: HTTP status 404 (only 200 is accepted)",
            fetchFailure.ToString());
    }

    [Fact]
    public async Task AlreadyCancelledToken_GivesACancelledTask_WithoutLookups()
    {
        using var h = new ResolverHarness();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var task = h.Resolver.ResolveAsync(Domain, cts.Token);

        Assert.True(task.IsCanceled);
        Assert.Equal(0, h.Discoverer.CallCount);
    }

    [Fact]
    public async Task Dispose_ThenResolve_ThrowsObjectDisposed()
    {
        var h = new ResolverHarness();
        h.Publish("id1", ResolverHarness.Policy());
        await h.ResolveAsync();
        h.Dispose();
        h.Dispose();

        Assert.Throws<ObjectDisposedException>(() => { _ = h.Resolver.ResolveAsync(Domain); });
    }
}
