using Microsoft.Extensions.Logging;
using MtaSts.Diagnostics;

namespace MtaSts;

/// <summary>
/// Fetches the policies of recently used domains again before they expire, in the background (RFC 8461 §3.3, §10.2), so
/// deliveries keep finding a current policy in memory and a policy that a domain still uses never runs out while the
/// sender is not looking. Under dependency injection it runs as a hosted service (<c>AddPolicyRefresher</c>); without,
/// <see cref="Start"/> and <see cref="StopAsync"/> run it by hand, and <see cref="RefreshDueAsync"/> runs one pass.
/// </summary>
/// <remarks>
/// <para>
/// A policy is due when it is older than <see cref="MtaStsCacheOptions.RefreshAfter"/> or past half its <c>max_age</c>,
/// less up to 10 % jitter (so many domains do not refresh at once), and a caller resolved its domain within
/// <see cref="PolicyRefresherOptions.RecentlyUsedWindow"/>; other domains simply age out. A refresh is an ordinary
/// resolution of the domain (the TXT lookup, then the fetch), shared with any delivery asking at the same moment,
/// honouring the back-off after a failed fetch (at least 5 minutes, RFC 8461 §3.3) and the global fetch limit. Failures
/// are logged (not for <c>mode: none</c>), counted and raised as <see cref="MtaStsEvents.RefreshFailed"/>; the cached
/// policy still applies until it expires. The resolver's <see cref="TimeProvider"/> drives the schedule.
/// </para>
/// </remarks>
public sealed class PolicyRefresher : IAsyncDisposable, IDisposable
{
    private readonly MtaStsPolicyResolver _resolver;
    private readonly PolicyRefresherOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private CancellationTokenSource? _running;
    private Task? _loop;

    /// <summary>Creates a refresher for a resolver built by this library.</summary>
    /// <param name="resolver">The resolver whose cache is refreshed (<see cref="MtaStsPolicyResolver"/>, or <see cref="DeliveryPlanner.Resolver"/>).</param>
    /// <param name="options">Settings; <see langword="null"/> means the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="resolver"/> is not this library's resolver, or the options are out of range.</exception>
    public PolicyRefresher(IMtaStsPolicyResolver resolver, PolicyRefresherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        _resolver = resolver as MtaStsPolicyResolver
            ?? throw new ArgumentException($"The refresher works on the library's own {nameof(MtaStsPolicyResolver)}, not on {resolver.GetType().Name}.", nameof(resolver));
        _options = (options ?? new PolicyRefresherOptions()).Clone();
        if (_options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _logger = _resolver.Logger;
    }

    /// <summary>Whether the background loop runs.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _running is not null;
            }
        }
    }

    /// <summary>Starts the background loop: every <see cref="PolicyRefresherOptions.Interval"/>, one <see cref="RefreshDueAsync"/> pass. Starting twice does nothing.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_running is not null)
            {
                return;
            }

            _running = new CancellationTokenSource();
            Log.RefresherStarted(_logger, _options.Interval, _options.RecentlyUsedWindow, _options.MaxConcurrentRefreshes);
            _loop = RunAsync(_running.Token);
        }
    }

    /// <summary>Stops the background loop and waits for refreshes in progress to end (they are cancelled).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the loop has ended.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        CancellationTokenSource? running;
        Task? loop;
        lock (_gate)
        {
            (running, loop) = (_running, _loop);
            (_running, _loop) = (null, null);
        }

        if (running is null)
        {
            return;
        }

        await running.CancelAsync().ConfigureAwait(false);
        try
        {
            await loop!.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            running.Dispose();
            Log.RefresherStopped(_logger);
        }
    }

    /// <summary>One pass: refreshes every policy that is due now, at most <see cref="PolicyRefresherOptions.MaxConcurrentRefreshes"/> at a time.</summary>
    /// <param name="cancellationToken">Stops the pass.</param>
    /// <returns>How many domains were refreshed (successfully or not).</returns>
    public async Task<int> RefreshDueAsync(CancellationToken cancellationToken = default)
    {
        var due = _resolver.RefreshCandidates(_options.RecentlyUsedWindow);
        if (due.Count == 0)
        {
            return 0;
        }

        var refreshed = 0;
        await Parallel.ForEachAsync(
            due,
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentRefreshes, CancellationToken = cancellationToken },
            async (candidate, token) =>
            {
                Log.Refreshing(_logger, candidate.Domain, candidate.DueAt);
                try
                {
                    await _resolver.RefreshAsync(candidate.Domain, token).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    Log.RefresherPassFailed(_logger, candidate.Domain, exception);
                }

                Interlocked.Increment(ref refreshed);
            }).ConfigureAwait(false);
        return refreshed;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <inheritdoc/>
    public void Dispose() => StopAsync().GetAwaiter().GetResult();

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var timeProvider = _resolver.TimeProvider;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.Interval, timeProvider, cancellationToken).ConfigureAwait(false);
                await RefreshDueAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return; // the resolver is gone
            }
        }
    }
}
