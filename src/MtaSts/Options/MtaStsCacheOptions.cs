namespace MtaSts;

/// <summary>What is remembered, for how long, and where (memory, and the policy store beyond the process). Part of <see cref="MtaStsOptions"/> (<see cref="MtaStsOptions.Cache"/>).</summary>
public sealed class MtaStsCacheOptions
{
    /// <summary>
    /// The most domains kept in the in-memory cache; a <see cref="DeliveryPlanner"/> also keeps at most this many plans
    /// and as many MX hosts.
    /// </summary>
    /// <value>The default is 10000; allowed 1 to 10000000.</value>
    public int MaxDomains { get; set; } = 10_000;

    /// <summary>The shortest time a TXT answer is trusted before it is looked up again (a lower clamp on its DNS TTL).</summary>
    /// <value>The default is 10 seconds; allowed 0 to 1 day.</value>
    public TimeSpan MinRecordRecheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest time a TXT answer is trusted before it is looked up again (an upper clamp on its DNS TTL).</summary>
    /// <value>The default is 1 hour; allowed 0 to 1 day.</value>
    public TimeSpan MaxRecordRecheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>After a failed fetch for a (domain, id), how long before the next attempt (RFC 8461 §3.3: at least 5 minutes).</summary>
    /// <value>The default is 5 minutes; allowed 5 minutes to 1 day.</value>
    public TimeSpan FailedFetchBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A cached policy older than this, or older than half its <c>max_age</c> if that comes first, is fetched again even
    /// when the TXT id is unchanged (RFC 8461 §3.3, §10.2: refresh before expiry). The lifetime restarts only on a
    /// successful fetch (decision A-11); a failed refresh keeps the cached policy.
    /// </summary>
    /// <value>The default is 1 day; allowed 1 minute to 365 days.</value>
    public TimeSpan RefreshAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// The policy memory beyond this process (decisions S-1 … S-5): read when memory has nothing for a domain and before
    /// every fetch, written after every fetch, so a restart or another node of a fleet applies what was learnt even while
    /// DNS or the policy host is unreachable. Built in: <see cref="FilePolicyStore"/>; a Redis store comes with the
    /// <c>MtaSts.Redis</c> package. Under dependency injection a store registered with the builder
    /// (<c>AddFileStore</c>, <c>AddRedisStore</c>, <c>AddPolicyStore</c>) takes precedence. The caller owns the store.
    /// </summary>
    /// <value>The default is <see langword="null"/> (memory only).</value>
    public IMtaStsPolicyStore? Store { get; set; }

    /// <summary>
    /// The most time one policy store operation may take (decision S-2). A store that errors, returns something unusable,
    /// or does not answer in time is skipped for that resolution with a warning and a metric; it never fails a resolution.
    /// </summary>
    /// <value>The default is 250 ms; allowed 10 ms to 10 seconds.</value>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A deep copy: later changes to either side do not reach the other.</summary>
    /// <returns>The copy.</returns>
    internal MtaStsCacheOptions Clone()
    {
        var copy = new MtaStsCacheOptions
        {
            MaxDomains = MaxDomains,
            MinRecordRecheckInterval = MinRecordRecheckInterval,
            MaxRecordRecheckInterval = MaxRecordRecheckInterval,
            FailedFetchBackoff = FailedFetchBackoff,
            RefreshAfter = RefreshAfter,
            Store = Store,
            StoreTimeout = StoreTimeout,
        };

        return copy;
    }
}
