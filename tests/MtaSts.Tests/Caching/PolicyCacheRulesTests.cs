using MtaSts.Caching;
using MtaSts.Discovery;
using MtaSts.Fetching;

namespace MtaSts.Tests.Caching;

/// <summary>
/// The cache state machine as pure functions: every branch of <see cref="PolicyCacheRules"/> with facts built by hand,
/// no resolver, no I/O, no clock.
/// </summary>
public class PolicyCacheRulesTests
{
    private const string Domain = "example.test";
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly PolicyCacheRules.Settings Settings = PolicyCacheRules.Settings.From(new MtaStsOptions());

    // ---- AfterDiscovery ----

    [Fact]
    public void STS_5_1_a_SameId_BeforeTheRefreshIsDue_IsACacheHit_ThatStoresNothing()
    {
        var cached = Cached("id1", fetchedAt: Now.AddHours(-1));

        var verdict = PolicyCacheRules.AfterDiscovery(Settings, Domain, cached, backoff: null, Found("id1", TimeSpan.FromMinutes(30)), Now);

        Assert.NotNull(verdict);
        Assert.Equal(CacheStep.CacheHit, verdict.Step);
        Assert.Same(cached.HitResolution, verdict.Resolution);
        Assert.Equal(PolicySource.Cache, verdict.Resolution.Source);
        Assert.Equal(StoreAction.None, verdict.Store);
        Assert.Equal(PolicyDowngradeKind.None, verdict.Downgrade);
        Assert.Same(cached, verdict.Next!.Policy);

        // Warm until the TXT answer's TTL ends (earlier than the refresh and the expiry here).
        Assert.True(verdict.Next.IsWarm(Now.AddMinutes(30).UtcTicks - 1));
        Assert.False(verdict.Next.IsWarm(Now.AddMinutes(30).UtcTicks));
    }

    [Fact]
    public void A_11_ACacheHit_NeverRestartsThePolicyLifetime()
    {
        var cached = Cached("id1", fetchedAt: Now.AddHours(-20));

        var verdict = PolicyCacheRules.AfterDiscovery(Settings, Domain, cached, backoff: null, Found("id1"), Now)!;

        Assert.Equal(cached.FetchedAt, verdict.Resolution.FetchedAt);
        Assert.Equal(cached.ExpiresAt, verdict.Resolution.ExpiresAt);
        Assert.Equal(cached.ExpiresAt, verdict.Next!.Policy!.ExpiresAt);
    }

    [Fact]
    public void STS_3_3_n_SameId_OnceTheRefreshIsDue_AsksForAFetch()
    {
        var cached = Cached("id1", fetchedAt: Now.AddDays(-1)); // RefreshAfter is one day

        Assert.Null(PolicyCacheRules.AfterDiscovery(Settings, Domain, cached, backoff: null, Found("id1"), Now));
        Assert.NotNull(PolicyCacheRules.AfterDiscovery(Settings, Domain, cached, backoff: null, Found("id1"), Now.AddTicks(-1)));
    }

    [Fact]
    public void STS_3_3_j_SameId_RefreshDueButBackingOff_ServesTheCacheUntilTheBackoffEnds()
    {
        var cached = Cached("id1", fetchedAt: Now.AddDays(-1));
        var backoff = Backoff("id1", until: Now.AddMinutes(3));

        var verdict = PolicyCacheRules.AfterDiscovery(Settings, Domain, cached, backoff, Found("id1", TimeSpan.FromHours(1)), Now);

        Assert.Equal(CacheStep.CacheHit, verdict!.Step);
        Assert.True(verdict.Next!.IsWarm(backoff.Until.UtcTicks - 1));
        Assert.False(verdict.Next.IsWarm(backoff.Until.UtcTicks));
        Assert.Null(PolicyCacheRules.AfterDiscovery(Settings, Domain, cached, backoff, Found("id1"), backoff.Until));
    }

    [Fact]
    public void STS_3_3_j_NewIdWhoseFetchFailedRecently_IsNotFetchedAgain_TheCachedPolicyApplies()
    {
        var cached = Cached("id1", fetchedAt: Now.AddHours(-1));
        var backoff = Backoff("id2", until: Now.AddMinutes(4));

        var verdict = PolicyCacheRules.AfterDiscovery(Settings, Domain, cached, backoff, Found("id2"), Now)!;

        Assert.Equal(CacheStep.BackoffActive, verdict.Step);
        Assert.Equal(PolicySource.CacheAfterFailure, verdict.Resolution.Source);
        Assert.Equal(MtaStsFailure.PolicyFetchError, verdict.Resolution.Failure);
        Assert.Equal("http-status-500", verdict.Resolution.Evidence!.ReasonCode);
        Assert.Same(cached.Policy, verdict.Resolution.Policy);
        Assert.Equal(PolicyDowngradeKind.AppliedAfterFailure, verdict.Downgrade);
        Assert.Equal(StoreAction.None, verdict.Store);
        Assert.False(verdict.Next!.IsWarm(backoff.Until.UtcTicks));
    }

    [Fact]
    public void STS_3_3_l_NewIdWhoseFetchFailedRecently_WithNothingCached_IsAFetchFailure_WithoutAFetch()
    {
        var verdict = PolicyCacheRules.AfterDiscovery(Settings, Domain, cached: null, Backoff("id2", Now.AddMinutes(1)), Found("id2"), Now)!;

        Assert.Equal(CacheStep.BackoffActive, verdict.Step);
        Assert.Equal(MtaStsOutcome.FetchFailure, verdict.Resolution.Outcome);
        Assert.Equal(PolicySource.None, verdict.Resolution.Source);
        Assert.Equal("id2", verdict.Resolution.Record!.Id);
        Assert.Equal(PolicyDowngradeKind.None, verdict.Downgrade);
    }

    [Fact]
    public void STS_3_3_j_ABackoffBlocksOnlyItsOwnId_AndOnlyUntilItEnds()
    {
        var cached = Cached("id1", fetchedAt: Now.AddHours(-1));

        Assert.Null(PolicyCacheRules.AfterDiscovery(Settings, Domain, cached, Backoff("id2", Now.AddMinutes(4)), Found("id3"), Now));
        Assert.Null(PolicyCacheRules.AfterDiscovery(Settings, Domain, cached, Backoff("id2", Now), Found("id2"), Now));
    }

    [Fact]
    public void STS_5_1_a_ANewId_OrNothingCached_AsksForAFetch()
    {
        Assert.Null(PolicyCacheRules.AfterDiscovery(Settings, Domain, Cached("id1", Now.AddHours(-1)), backoff: null, Found("id2"), Now));
        Assert.Null(PolicyCacheRules.AfterDiscovery(Settings, Domain, cached: null, backoff: null, Found("id1"), Now));
    }

    [Fact]
    public void STS_3_1_h_RecordWithdrawn_WhileAnEnforcePolicyIsCached_AppliesIt_AndSignalsTheRemoval()
    {
        var cached = Cached("id1", fetchedAt: Now.AddHours(-1));

        var verdict = PolicyCacheRules.AfterDiscovery(Settings, Domain, cached, backoff: null, NotFound(TimeSpan.FromMinutes(20)), Now)!;

        Assert.Equal(CacheStep.DiscoveryFailedCachedApplied, verdict.Step);
        Assert.Equal(PolicySource.CacheAfterFailure, verdict.Resolution.Source);
        Assert.Equal(MtaStsFailure.RecordNotFound, verdict.Resolution.Failure);
        Assert.Same(cached.Policy, verdict.Resolution.Policy);
        Assert.Equal(PolicyDowngradeKind.AppliedAfterFailure | PolicyDowngradeKind.RecordRemoved, verdict.Downgrade);

        // A definite "no record" is trusted for its TTL (here shorter than the policy's life).
        Assert.True(verdict.Next!.IsWarm(Now.AddMinutes(20).UtcTicks - 1));
        Assert.False(verdict.Next.IsWarm(Now.AddMinutes(20).UtcTicks));
    }

    [Theory]
    [InlineData(nameof(DiscoveryStatus.DnsFailure), MtaStsFailure.DnsFailure)]
    [InlineData(nameof(DiscoveryStatus.Invalid), MtaStsFailure.RecordInvalid)]
    [InlineData(nameof(DiscoveryStatus.Multiple), MtaStsFailure.MultipleRecords)]
    public void STS_3_3_m_NoUsableRecord_AppliesTheCachedPolicy_ButIsNeverRememberedAsAnAnswer(string statusName, MtaStsFailure failure)
    {
        var status = Enum.Parse<DiscoveryStatus>(statusName);
        var cached = Cached("id1", fetchedAt: Now.AddHours(-1));

        var verdict = PolicyCacheRules.AfterDiscovery(Settings, Domain, cached, backoff: null, new DiscoveryResult { Status = status }, Now)!;

        Assert.Equal(CacheStep.DiscoveryFailedCachedApplied, verdict.Step);
        Assert.Equal(failure, verdict.Resolution.Failure);
        Assert.Equal(PolicySource.CacheAfterFailure, verdict.Resolution.Source);
        Assert.Equal(PolicyDowngradeKind.AppliedAfterFailure, verdict.Downgrade);
        Assert.Null(verdict.Next!.WarmResult); // asked again next time
        Assert.Same(cached, verdict.Next.Policy);
    }

    [Fact]
    public void S_5_ACachedModeNonePolicy_AppliedAfterAFailure_IsNotADowngrade()
    {
        var cached = Cached("id1", fetchedAt: Now.AddHours(-1), body: PolicyText("none"));

        var verdict = PolicyCacheRules.AfterDiscovery(Settings, Domain, cached, backoff: null, NotFound(), Now)!;

        Assert.Equal(PolicySource.CacheAfterFailure, verdict.Resolution.Source);
        Assert.Equal(PolicyDowngradeKind.None, verdict.Downgrade);
    }

    [Fact]
    public void A_1_DnsFailure_WithNothingCached_IsItsOwnOutcome_AndForgetsTheDomain()
    {
        var verdict = PolicyCacheRules.AfterDiscovery(Settings, Domain, cached: null, backoff: null, new DiscoveryResult { Status = DiscoveryStatus.DnsFailure, DnsResponseCode = "ServerFailure" }, Now)!;

        Assert.Equal(CacheStep.DnsFailureNothingCached, verdict.Step);
        Assert.Equal(MtaStsOutcome.DnsFailure, verdict.Resolution.Outcome);
        Assert.Equal(MtaStsFailure.DnsFailure, verdict.Resolution.Failure);
        Assert.Equal("ServerFailure", verdict.Resolution.Evidence!.DnsResponseCode);
        Assert.Null(verdict.Next);
    }

    [Fact]
    public void A_1_DnsFailure_WithNothingCached_KeepsAnUnexpiredBackoff()
    {
        var backoff = Backoff("id1", Now.AddMinutes(2));

        var verdict = PolicyCacheRules.AfterDiscovery(Settings, Domain, cached: null, backoff, new DiscoveryResult { Status = DiscoveryStatus.DnsFailure }, Now)!;

        Assert.Same(backoff, verdict.Next!.Backoff);
        Assert.Null(verdict.Next.WarmResult);
    }

    [Fact]
    public void STS_3_1_h_NoRecord_AndNothingCached_IsNoPolicy_RememberedForTheClampedTtl()
    {
        var verdict = PolicyCacheRules.AfterDiscovery(Settings, Domain, cached: null, backoff: null, NotFound(TimeSpan.FromDays(2)), Now)!;

        Assert.Equal(CacheStep.NoPolicy, verdict.Step);
        Assert.Equal(MtaStsOutcome.NoPolicy, verdict.Resolution.Outcome);
        Assert.Equal(MtaStsFailure.RecordNotFound, verdict.Resolution.Failure);
        var until = Now + Settings.MaxRecordRecheck;
        Assert.True(verdict.Next!.IsWarm(until.UtcTicks - 1));
        Assert.False(verdict.Next.IsWarm(until.UtcTicks));
    }

    // ---- AfterFetch ----

    [Fact]
    public void STS_3_2_e_AFetchedPolicy_IsCachedForMaxAge_WrittenToTheStore_AndRefreshedAtTheInterval()
    {
        var verdict = PolicyCacheRules.AfterFetch(Settings, Domain, cached: null, Found("id1", TimeSpan.FromHours(2)), Record("id1"), Body(PolicyText(maxAge: 86400 * 7)), Now.AddSeconds(-1), Now, jitter: 0);

        Assert.Equal(CacheStep.Fetched, verdict.Step);
        Assert.Equal(StoreAction.Write, verdict.Store);
        Assert.Equal(PolicySource.Fetched, verdict.Resolution.Source);
        Assert.Equal(Now, verdict.Resolution.FetchedAt);
        Assert.Equal(Now.AddDays(7), verdict.Resolution.ExpiresAt);
        var stored = verdict.Next!.Policy!;
        Assert.Equal(Now.AddDays(7), stored.ExpiresAt);
        Assert.Equal(Now.AddDays(1), stored.RefreshDueAt);

        // Warm until the TXT answer (clamped to one hour) is due again.
        Assert.True(verdict.Next.IsWarm(Now.AddSeconds(-1).Add(Settings.MaxRecordRecheck).UtcTicks - 1));
        Assert.False(verdict.Next.IsWarm(Now.AddSeconds(-1).Add(Settings.MaxRecordRecheck).UtcTicks));
    }

    [Fact]
    public void A_6_MaxAgeZero_AppliesToThisResolutionOnly_AndRemovesWhatWasCached()
    {
        var cached = Cached("id1", fetchedAt: Now.AddHours(-1));

        var verdict = PolicyCacheRules.AfterFetch(Settings, Domain, cached, Found("id2"), Record("id2"), Body(PolicyText(maxAge: 0)), Now, Now, 0);

        Assert.Equal(CacheStep.FetchedNotCached, verdict.Step);
        Assert.Equal(MtaStsOutcome.Policy, verdict.Resolution.Outcome);
        Assert.Equal(StoreAction.Remove, verdict.Store);
        Assert.Null(verdict.Next);
        Assert.Equal(PolicyDowngradeKind.MaxAgeReduced, verdict.Downgrade);
    }

    [Fact]
    public void STS_8_3_a_ModeNone_FetchedAfterEnforce_ReplacesIt_AndIsAModeDowngrade()
    {
        var cached = Cached("id1", fetchedAt: Now.AddHours(-1));

        var verdict = PolicyCacheRules.AfterFetch(Settings, Domain, cached, Found("id2"), Record("id2"), Body(PolicyText("none")), Now, Now, 0);

        Assert.Equal(CacheStep.Fetched, verdict.Step);
        Assert.Equal(MtaStsMode.None, verdict.Next!.Policy!.Policy.Mode);
        Assert.Equal(StoreAction.Write, verdict.Store);
        Assert.Same(cached, verdict.Previous);
        Assert.Equal(PolicyDowngradeKind.ModeWeakened, verdict.Downgrade);
    }

    [Fact]
    public void STS_3_3_l_FetchFailed_WithNothingCached_IsAFetchFailure_WithABackoffSharedThroughTheStore()
    {
        var verdict = PolicyCacheRules.AfterFetch(Settings, Domain, cached: null, Found("id1"), Record("id1"), Failed(), Now, Now, 0);

        Assert.Equal(CacheStep.FetchFailedNothingCached, verdict.Step);
        Assert.Equal(MtaStsOutcome.FetchFailure, verdict.Resolution.Outcome);
        Assert.Equal(PolicySource.None, verdict.Resolution.Source);
        Assert.Equal("http-status-500", verdict.Resolution.Evidence!.ReasonCode);
        Assert.Equal(StoreAction.Write, verdict.Store);
        Assert.Equal(PolicyDowngradeKind.None, verdict.Downgrade);
        var backoff = verdict.Next!.Backoff!;
        Assert.Equal("id1", backoff.Id);
        Assert.Equal(Now + TimeSpan.FromMinutes(5), backoff.Until); // STS-3.3-j: at least 5 minutes
        Assert.False(verdict.Next.IsWarm(backoff.Until.UtcTicks));
    }

    [Fact]
    public void STS_3_3_m_FetchOfANewIdFailed_TheUnexpiredCachedPolicyApplies_AndIsADowngradeSignal()
    {
        var cached = Cached("id1", fetchedAt: Now.AddHours(-1));

        var verdict = PolicyCacheRules.AfterFetch(Settings, Domain, cached, Found("id2"), Record("id2"), Failed(), Now, Now, 0);

        Assert.Equal(CacheStep.FetchFailedCachedApplied, verdict.Step);
        Assert.Equal(PolicySource.CacheAfterFailure, verdict.Resolution.Source);
        Assert.Equal(MtaStsFailure.PolicyFetchError, verdict.Resolution.Failure);
        Assert.Same(cached.Policy, verdict.Resolution.Policy);
        Assert.Equal(PolicyDowngradeKind.AppliedAfterFailure, verdict.Downgrade);
        Assert.Same(cached, verdict.Next!.Policy);
        Assert.Equal("id2", verdict.Next.Backoff!.Id);
    }

    [Fact]
    public void STS_3_3_o_ARefreshOfTheSameIdFailed_TheCachedPolicyStillApplies_WithTheFailureNoted()
    {
        var cached = Cached("id1", fetchedAt: Now.AddDays(-1));

        var verdict = PolicyCacheRules.AfterFetch(Settings, Domain, cached, Found("id1", TimeSpan.FromHours(1)), Record("id1"), Failed(), Now, Now, 0);

        Assert.Equal(CacheStep.RefreshFailed, verdict.Step);
        Assert.Equal(PolicySource.Cache, verdict.Resolution.Source);
        Assert.Equal(MtaStsFailure.PolicyFetchError, verdict.Resolution.Failure);
        Assert.Equal(MtaStsOutcome.Policy, verdict.Resolution.Outcome);
        Assert.Equal(StoreAction.Write, verdict.Store);
        Assert.Equal(PolicyDowngradeKind.None, verdict.Downgrade);

        // The cache answers until the back-off ends; then the refresh is tried again.
        var until = verdict.Next!.Backoff!.Until;
        Assert.True(verdict.Next.IsWarm(until.UtcTicks - 1));
        Assert.False(verdict.Next.IsWarm(until.UtcTicks));
    }

    [Fact]
    public void STS_3_3_l_AnInvalidPolicyBody_IsPolicyInvalid_WithTheFirstErrorsCode()
    {
        var verdict = PolicyCacheRules.AfterFetch(Settings, Domain, cached: null, Found("id1"), Record("id1"), Body("version: STSv1\r\nmode: sometimes\r\nmax_age: 10\r\n"), Now, Now, 0);

        Assert.Equal(MtaStsFailure.PolicyInvalid, verdict.Resolution.Failure);
        Assert.NotEmpty(verdict.Resolution.Evidence!.Errors);
        Assert.Equal(verdict.Resolution.Evidence.Errors[0].Code, verdict.Resolution.Evidence.ReasonCode);
        Assert.False(string.IsNullOrEmpty(verdict.Resolution.Evidence.ReasonCode));
    }

    // ---- Weakening (decision S-5) ----

    [Theory]
    [InlineData("enforce", "testing", PolicyDowngradeKind.ModeWeakened)]
    [InlineData("enforce", "none", PolicyDowngradeKind.ModeWeakened)]
    [InlineData("testing", "none", PolicyDowngradeKind.ModeWeakened)]
    [InlineData("testing", "enforce", PolicyDowngradeKind.None)]
    [InlineData("enforce", "enforce", PolicyDowngradeKind.None)]
    [InlineData("none", "testing", PolicyDowngradeKind.None)]
    public void S_5_ModeWeakening(string before, string after, PolicyDowngradeKind expected)
    {
        Assert.Equal(expected, PolicyCacheRules.Weakening(Parse(PolicyText(before)), Parse(PolicyText(after))));
    }

    [Fact]
    public void S_5_ChangedMxPatterns_AreADowngrade_ButOrderAndCaseAreNot()
    {
        var before = Parse(PolicyText(mx: ["mx1.example.test", "*.mx.example.test"]));

        Assert.Equal(PolicyDowngradeKind.MxPatternsChanged, PolicyCacheRules.Weakening(before, Parse(PolicyText(mx: ["mx1.example.test", "*.attacker.test"]))));
        Assert.Equal(PolicyDowngradeKind.MxPatternsChanged, PolicyCacheRules.Weakening(before, Parse(PolicyText(mx: ["mx1.example.test"]))));
        Assert.Equal(PolicyDowngradeKind.None, PolicyCacheRules.Weakening(before, Parse(PolicyText(mx: ["*.MX.example.test", "MX1.example.test"]))));
    }

    [Fact]
    public void S_5_MaxAgeFallingBelowATenth_IsADowngrade_AndCombinesWithOtherKinds()
    {
        var before = Parse(PolicyText(maxAge: 1_000_000));

        Assert.Equal(PolicyDowngradeKind.None, PolicyCacheRules.Weakening(before, Parse(PolicyText(maxAge: 100_000))));
        Assert.Equal(PolicyDowngradeKind.MaxAgeReduced, PolicyCacheRules.Weakening(before, Parse(PolicyText(maxAge: 99_999))));
        Assert.Equal(
            PolicyDowngradeKind.ModeWeakened | PolicyDowngradeKind.MxPatternsChanged | PolicyDowngradeKind.MaxAgeReduced,
            PolicyCacheRules.Weakening(before, Parse(PolicyText("testing", 60, "other.example.test"))));
        Assert.Equal(PolicyDowngradeKind.None, PolicyCacheRules.Weakening(previous: null, before));
    }

    // ---- Merge, refresh, recheck ----

    [Fact]
    public void S_4_Merge_ThePolicyFetchedLastWins_AndTheLongerBackoffWins()
    {
        var older = Cached("id1", Now.AddHours(-2));
        var newer = Cached("id2", Now.AddHours(-1));
        var shortBackoff = Backoff("id3", Now.AddMinutes(1));
        var longBackoff = Backoff("id3", Now.AddMinutes(4));

        Assert.Same(newer, PolicyCacheRules.Merge(older, null, newer, null).Policy);
        Assert.Same(newer, PolicyCacheRules.Merge(newer, null, older, null).Policy);
        Assert.Same(older, PolicyCacheRules.Merge(null, null, older, null).Policy);
        Assert.Same(older, PolicyCacheRules.Merge(older, null, null, null).Policy);
        Assert.Same(longBackoff, PolicyCacheRules.Merge(null, shortBackoff, null, longBackoff).Backoff);
        Assert.Same(longBackoff, PolicyCacheRules.Merge(null, longBackoff, null, shortBackoff).Backoff);
        Assert.Null(PolicyCacheRules.Merge(null, null, null, null).Policy);
    }

    [Theory]
    [InlineData(604800, 0.0, 86400.0)]          // RefreshAfter (1 day) comes before half of max_age
    [InlineData(3600, 0.0, 1800.0)]             // half of max_age comes first
    [InlineData(604800, 0.5, 86400.0 * 0.95)]   // jitter takes off up to a tenth
    [InlineData(604800, 7.0, 86400.0 * 0.9)]    // jitter is clamped to [0, 1]
    [InlineData(604800, -1.0, 86400.0)]
    public void STS_3_3_n_RefreshDueAt_IsTheEarlierOfRefreshAfterAndHalfMaxAge_LessJitter(long maxAge, double jitter, double expectedSeconds)
    {
        var due = PolicyCacheRules.RefreshDueAt(Settings, Parse(PolicyText(maxAge: maxAge)), Now, jitter);

        Assert.Equal(Now.AddSeconds(expectedSeconds), due);
    }

    [Fact]
    public void STS_10_2_b_IsRefreshDue_OnlyForRecentlyUsedUnexpiredPolicies_ThatAreDue_AndNotBackingOff()
    {
        var window = TimeSpan.FromDays(3);
        var cached = Cached("id1", fetchedAt: Now.AddDays(-1));
        var state = new DomainState(cached, backoff: null, warmResult: null, Now);

        Assert.True(PolicyCacheRules.IsRefreshDue(state, lastUsed: Now.AddDays(-2), Now, window));
        Assert.False(PolicyCacheRules.IsRefreshDue(state, lastUsed: Now.AddDays(-4), Now, window)); // left to age out
        Assert.False(PolicyCacheRules.IsRefreshDue(state, lastUsed: Now, Now.AddDays(-1).AddHours(1), window)); // not due yet
        Assert.False(PolicyCacheRules.IsRefreshDue(state, lastUsed: cached.ExpiresAt, cached.ExpiresAt, window)); // expired
        Assert.False(PolicyCacheRules.IsRefreshDue(new DomainState(cached, Backoff("id1", Now.AddMinutes(1)), null, Now), Now, Now, window));
        Assert.True(PolicyCacheRules.IsRefreshDue(new DomainState(cached, Backoff("id2", Now.AddMinutes(1)), null, Now), Now, Now, window));
        Assert.False(PolicyCacheRules.IsRefreshDue(new DomainState(null, null, null, Now), Now, Now, window));
    }

    [Fact]
    public void ClampRecheck_KeepsTheTxtTtlInsideTheConfiguredWindow()
    {
        Assert.Equal(Settings.MinRecordRecheck, PolicyCacheRules.ClampRecheck(Settings, TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromMinutes(5), PolicyCacheRules.ClampRecheck(Settings, TimeSpan.FromMinutes(5)));
        Assert.Equal(Settings.MaxRecordRecheck, PolicyCacheRules.ClampRecheck(Settings, TimeSpan.FromDays(9)));
    }

    // ---- facts built by hand ----

    private static string PolicyText(string mode = "enforce", long maxAge = 604800, params string[] mx)
    {
        if (mx.Length == 0 && mode != "none")
        {
            mx = ["mx1.example.test", "*.mx.example.test"];
        }

        return $"version: STSv1\r\nmode: {mode}\r\n{string.Concat(mx.Select(p => $"mx: {p}\r\n"))}max_age: {maxAge}\r\n";
    }

    private static MtaStsPolicy Parse(string text) => MtaStsPolicyParser.Parse(text).Policy ?? throw new InvalidOperationException(text);

    private static MtaStsRecord Record(string id) => new(id, $"v=STSv1; id={id}");

    private static DiscoveryResult Found(string id, TimeSpan timeToLive = default) =>
        new() { Status = DiscoveryStatus.Found, Record = Record(id), TimeToLive = timeToLive };

    private static DiscoveryResult NotFound(TimeSpan timeToLive = default) =>
        new() { Status = DiscoveryStatus.NotFound, TimeToLive = timeToLive };

    private static PolicyFetchResult Body(string body) => new() { Failure = MtaStsFailure.None, Body = body, HttpStatusCode = 200 };

    private static PolicyFetchResult Failed() => new()
    {
        Failure = MtaStsFailure.PolicyFetchError,
        HttpStatusCode = 500,
        Evidence = new MtaStsEvidence { Message = "HTTP 500", HttpStatusCode = 500, ReasonCode = "http-status-500" },
    };

    private static FetchBackoff Backoff(string id, DateTimeOffset until) =>
        new(id, until, MtaStsFailure.PolicyFetchError, new MtaStsEvidence { Message = "HTTP 500", ReasonCode = "http-status-500" });

    private static CachedPolicy Cached(string id, DateTimeOffset fetchedAt, string? body = null)
    {
        var policy = Parse(body ?? PolicyText());
        return new CachedPolicy(Domain, policy, Record(id), [], fetchedAt, PolicyCacheRules.RefreshDueAt(Settings, policy, fetchedAt, 0));
    }
}
