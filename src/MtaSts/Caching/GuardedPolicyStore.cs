using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MtaSts.Diagnostics;

namespace MtaSts.Caching;

/// <summary>
/// The resolver's side of an <see cref="IMtaStsPolicyStore"/> (decision S-2): every call is bounded by
/// <see cref="MtaStsCacheOptions.StoreTimeout"/> on the resolver's clock, every exception is caught, and an entry that does not
/// belong to the asked domain or does not hold usable facts is refused. Whatever goes wrong costs at most the timeout and
/// ends as "nothing from the store", with a warning, a metric and an activity event; it never fails a resolution.
/// </summary>
internal sealed class GuardedPolicyStore
{
    private readonly IMtaStsPolicyStore _store;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly MtaStsMetrics _metrics;

    public GuardedPolicyStore(IMtaStsPolicyStore store, TimeSpan timeout, TimeProvider timeProvider, ILogger logger, MtaStsMetrics metrics)
    {
        _store = store;
        _timeout = timeout;
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>The store behind the guard.</summary>
    public IMtaStsPolicyStore Store => _store;

    /// <summary>Reads a domain's entry: the entry, or <see langword="null"/> on a miss or any problem.</summary>
    public async Task<StoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var (entry, problem) = await RunAsync(static (store, name, token) => store.GetAsync(name, token), domain, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            Skipped(domain, "get", problem.Value, started);
            return null;
        }

        if (entry is null)
        {
            _metrics.RecordStoreOperation("get", "miss", _timeProvider.GetElapsedTime(started));
            return null;
        }

        if (!string.Equals(entry.Domain, domain, StringComparison.Ordinal) || (!entry.HasPolicy && entry.Backoff is null))
        {
            Unusable(domain, "it is not an entry for this domain", started);
            return null;
        }

        _metrics.RecordStoreOperation("get", "hit", _timeProvider.GetElapsedTime(started));
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var text = entry.ToString();
            Log.PolicyRestored(_logger, domain, text);
        }

        return entry;
    }

    /// <summary>Refuses a stored entry whose facts the resolver cannot use (for example a policy text that no longer parses).</summary>
    public void Unusable(string domain, string problem, long started)
    {
        _metrics.RecordStoreOperation("get", "invalid", _timeProvider.GetElapsedTime(started));
        Log.StoreEntryUnusable(_logger, domain, problem);
        Degraded("get", "invalid");
    }

    /// <summary>Writes an entry (the store keeps a newer one, decision S-4). Problems are logged and counted, never thrown.</summary>
    public async Task SetAsync(StoredPolicy entry, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var (written, problem) = await RunAsync(static (store, value, token) => store.SetAsync(value, token), entry, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            Skipped(entry.Domain, "set", problem.Value, started);
            return;
        }

        _metrics.RecordStoreOperation("set", written ? "written" : "kept", _timeProvider.GetElapsedTime(started));
        if (!written)
        {
            Log.StoreWriteKept(_logger, entry.Domain);
        }
    }

    /// <summary>Forgets a domain. Problems are logged and counted, never thrown.</summary>
    public async Task RemoveAsync(string domain, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var (removed, problem) = await RunAsync(static (store, name, token) => store.RemoveAsync(name, token), domain, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            Skipped(domain, "remove", problem.Value, started);
            return;
        }

        _metrics.RecordStoreOperation("remove", removed ? "removed" : "miss", _timeProvider.GetElapsedTime(started));
    }

    private async Task<(T? Value, Problem? Problem)> RunAsync<TArg, T>(Func<IMtaStsPolicyStore, TArg, CancellationToken, Task<T>> operation, TArg argument, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            var task = operation(_store, argument, linked.Token);

            // A store that ignores its token still costs no more than the timeout.
            var value = await task.WaitAsync(_timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            return (value, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
            return (default, Problem.Timeout);
        }
#pragma warning disable CA1031 // Decision S-2: whatever a store throws, the resolution goes on without it.
        catch (Exception)
#pragma warning restore CA1031
        {
            return (default, Problem.Error);
        }
    }

    private void Skipped(string domain, string operation, Problem problem, long started)
    {
        var result = problem == Problem.Timeout ? "timeout" : "error";
        _metrics.RecordStoreOperation(operation, result, _timeProvider.GetElapsedTime(started));
        Log.StoreSkipped(_logger, domain, operation, problem == Problem.Timeout ? $"no answer within {_timeout.TotalMilliseconds:0} ms" : "the store failed");
        Degraded(operation, result);
    }

    private static void Degraded(string operation, string result) =>
        Activity.Current?.AddEvent(new ActivityEvent(MtaStsTelemetry.StoreDegradedEventName, tags: new ActivityTagsCollection
        {
            ["mtasts.store.operation"] = operation,
            ["mtasts.store.result"] = result,
        }));

    private enum Problem
    {
        Timeout,
        Error,
    }
}
