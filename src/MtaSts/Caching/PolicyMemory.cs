using Microsoft.Extensions.Logging;
using MtaSts.Diagnostics;

namespace MtaSts.Caching;

/// <summary>
/// What the resolver remembers, in two levels: memory (<see cref="PolicyCache"/>, L1) and an optional policy store
/// (<see cref="GuardedPolicyStore"/>, L2, decisions S-1 … S-4). The resolver asks it for what is known about a domain,
/// hands it the verdict of the rules, and never touches either level directly.
/// </summary>
/// <remarks>
/// Reading folds a stored entry into what memory holds (<see cref="PolicyCacheRules.Merge"/>: the later fetch and the
/// longer back-off win) and drops what has expired on the resolver's clock; writing remembers the next state in memory
/// and writes the facts through to the store (or removes them, for a fetched <c>max_age: 0</c>).
/// </remarks>
internal sealed class PolicyMemory : IDisposable
{
    private readonly PolicyCache _cache;
    private readonly GuardedPolicyStore? _store;
    private readonly PolicyCacheRules.Settings _rules;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private int _disposed;

    public PolicyMemory(MtaStsOptions options, IMtaStsPolicyStore? store, TimeProvider timeProvider, ILogger logger, MtaStsMetrics metrics)
    {
        _cache = new PolicyCache(options.Cache.MaxDomains);
        _store = store is null ? null : new GuardedPolicyStore(store, options.Cache.StoreTimeout, timeProvider, logger, metrics);
        _rules = PolicyCacheRules.Settings.From(options);
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The policy store behind memory, if any.</summary>
    public IMtaStsPolicyStore? Store => _store?.Store;

    /// <summary>Whether there is a store to read and write.</summary>
    public bool HasStore => _store is not null;

    /// <summary>The number of domains held in memory.</summary>
    public int Count => _cache.Count;

    /// <summary>The memory entry of a domain (allocation-free), or <see langword="null"/>.</summary>
    public DomainEntry? Get(string domain) => _cache.Get(domain);

    /// <summary>Drops a domain from memory only.</summary>
    public void Forget(string domain) => _cache.Remove(domain);

    /// <summary>Starts reading a domain's stored entry, or returns <see langword="null"/> without a store.</summary>
    public Task<StoredPolicy?>? BeginStoreRead(string domain, CancellationToken cancellationToken) =>
        _store?.GetAsync(domain, cancellationToken);

    /// <summary>Reads a domain's stored entry and folds it into <paramref name="known"/>; unchanged without a store.</summary>
    public async Task<Known> ReadThroughAsync(string domain, Known known, DateTimeOffset now, Func<double> jitter, CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return known;
        }

        return Fold(domain, known, await _store.GetAsync(domain, cancellationToken).ConfigureAwait(false), now, jitter);
    }

    /// <summary>
    /// Folds a stored entry (if any) into what memory knows, then drops what is expired at <paramref name="now"/>: an
    /// expired policy is never applied (RFC 8461 §3.2, §5.1), an ended back-off no longer blocks.
    /// </summary>
    public Known Fold(string domain, Known known, StoredPolicy? stored, DateTimeOffset now, Func<double> jitter)
    {
        var (policy, backoff) = (known.Policy, known.Backoff);
        if (stored is not null)
        {
            var restored = CachedPolicy.Restore(stored, (parsed, fetchedAt) => PolicyCacheRules.RefreshDueAt(_rules, parsed, fetchedAt, jitter()));
            if (restored is null && stored.HasPolicy)
            {
                _store!.Unusable(domain, "its policy text is not a valid policy", _timeProvider.GetTimestamp());
            }
            else
            {
                (policy, backoff) = PolicyCacheRules.Merge(policy, backoff, restored, stored.Backoff is { } shared ? FetchBackoff.Restore(domain, shared) : null);
            }
        }

        return new Known(Unexpired(domain, policy, now), backoff is not null && now < backoff.Until ? backoff : null);
    }

    /// <summary>A cached policy, or <see langword="null"/> once it has expired at <paramref name="now"/> (logged).</summary>
    public CachedPolicy? Unexpired(string domain, CachedPolicy? cached, DateTimeOffset now)
    {
        if (cached is null || now < cached.ExpiresAt)
        {
            return cached;
        }

        // Never applied once expired (RFC 8461 §3.2, §5.1); the next stored state leaves it out.
        Log.CachedPolicyExpired(_logger, domain, cached.Record.Id, cached.ExpiresAt);
        return null;
    }

    /// <summary>Remembers a verdict's next state in memory and writes its facts through to the store.</summary>
    public async Task RememberAsync(string domain, CacheVerdict verdict, CancellationToken cancellationToken)
    {
        RememberInMemory(domain, verdict.Next);
        if (_store is null || verdict.Store == StoreAction.None)
        {
            return;
        }

        if (verdict.Store == StoreAction.Remove)
        {
            await _store.RemoveAsync(domain, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (verdict.Next is { } next && (next.Policy is not null || next.Backoff is not null))
        {
            await _store.SetAsync(CachedPolicy.ToStored(domain, next.Policy, next.Backoff), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The domains whose cached policy is due for a refresh now (RFC 8461 §3.3, §10.2), used by a caller within
    /// <paramref name="recentlyUsed"/>. Domains whose policy has expired leave the list.
    /// </summary>
    public List<(string Domain, DateTimeOffset DueAt)> RefreshCandidates(DateTimeOffset now, TimeSpan recentlyUsed)
    {
        var due = new List<(string, DateTimeOffset)>();
        foreach (var (domain, entry) in _cache.WithPolicy)
        {
            var state = entry.State;
            if (state.Policy is null || now >= state.Policy.ExpiresAt)
            {
                _cache.Unlist(domain, entry);
                continue;
            }

            if (PolicyCacheRules.IsRefreshDue(state, new DateTimeOffset(entry.LastUsedUtcTicks, TimeSpan.Zero), now, recentlyUsed))
            {
                due.Add((domain, state.Policy.RefreshDueAt));
            }
        }

        return due;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _cache.Dispose();
        }
    }

    private void RememberInMemory(string domain, DomainState? next)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            if (next is null)
            {
                _cache.Remove(domain);
            }
            else
            {
                _cache.Set(domain, next, _timeProvider.GetUtcNow().UtcTicks);
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed while a flight was finishing: nothing to remember.
        }
    }

    /// <summary>What is known about a domain before the rules run: its unexpired policy and its live back-off.</summary>
    internal readonly record struct Known(CachedPolicy? Policy, FetchBackoff? Backoff);
}
