using System.Collections.Concurrent;

namespace MtaSts.Caching;

/// <summary>
/// One piece of work per key at a time: concurrent callers of <see cref="RunAsync"/> for the same key share one task,
/// which runs with the owner's lifetime rather than any caller's. A caller's token cancels only that caller's wait.
/// </summary>
/// <remarks>
/// <para>
/// The flight leaves the table before its task completes, so a caller that sees the completed task and asks again starts
/// afresh. Nothing that happens while the work finishes can keep a flight in the table: an exception from the work
/// (thrown synchronously or asynchronously), from the fault observer (a logging provider that throws, say) or a
/// cancellation all end the flight, and every waiter sees the work's own outcome.
/// </para>
/// <para>
/// Two instances never share flights; the resolver keeps a second one for forced TXT re-checks (RFC 8461 §5.1), which
/// must not join an ordinary flight that may be answered from memory.
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key (a normalised domain name).</typeparam>
/// <typeparam name="TResult">The result of the work.</typeparam>
internal sealed class SingleFlight<TKey, TResult>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task<TResult>> _flights;
    private readonly Func<TKey, CancellationToken, Task<TResult>> _work;
    private readonly Action<TKey, Exception>? _onFault;

    /// <summary>Creates the table.</summary>
    /// <param name="work">The shared work for a key; it receives the owner's lifetime token, never a caller's.</param>
    /// <param name="onFault">Told of every exception (other than cancellation) the work ended with; may itself throw.</param>
    /// <param name="comparer">Compares keys; <see langword="null"/> means the default comparer.</param>
    public SingleFlight(Func<TKey, CancellationToken, Task<TResult>> work, Action<TKey, Exception>? onFault = null, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentNullException.ThrowIfNull(work);
        _work = work;
        _onFault = onFault;
        _flights = new ConcurrentDictionary<TKey, Task<TResult>>(comparer);
    }

    /// <summary>The number of flights in the table now (for tests).</summary>
    public int Count => _flights.Count;

    /// <summary>Joins the flight for <paramref name="key"/>, or starts it.</summary>
    /// <param name="key">The key.</param>
    /// <param name="lifetime">The token the work runs with when this call starts it (the owner's lifetime).</param>
    /// <param name="cancellationToken">Cancels this caller's wait only.</param>
    /// <returns>The shared task, or a wait on it that this caller's token can cancel.</returns>
    public Task<TResult> RunAsync(TKey key, CancellationToken lifetime, CancellationToken cancellationToken)
    {
        Task<TResult> shared;
        while (true)
        {
            if (_flights.TryGetValue(key, out var existing))
            {
                shared = existing;
                break;
            }

            var flight = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_flights.TryAdd(key, flight.Task))
            {
                shared = flight.Task;
                _ = FlyAsync(key, flight, lifetime);
                break;
            }
        }

        return cancellationToken.CanBeCanceled && !shared.IsCompleted ? shared.WaitAsync(cancellationToken) : shared;
    }

    private async Task FlyAsync(TKey key, TaskCompletionSource<TResult> flight, CancellationToken lifetime)
    {
        TResult? result = default;
        Exception? error = null;
        try
        {
            result = await _work(key, lifetime).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Every outcome must reach the waiting callers, and the flight must leave the table.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            error = exception;
            if (exception is not OperationCanceledException && _onFault is not null)
            {
                try
                {
                    _onFault(key, exception);
                }
#pragma warning disable CA1031 // A throwing observer (a logging provider) must not keep the flight in the table.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }

        // Leave the table first, so a caller that sees the completed flight and asks again starts afresh.
        _flights.TryRemove(KeyValuePair.Create(key, flight.Task));
        if (error is null)
        {
            flight.TrySetResult(result!);
        }
        else if (error is OperationCanceledException canceled)
        {
            flight.TrySetCanceled(canceled.CancellationToken);
        }
        else
        {
            flight.TrySetException(error);
        }
    }
}
