using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace MtaSts.Tests.Fakes;

/// <summary>How a fake store misbehaves.</summary>
internal enum StoreFault
{
    None,
    Throw,
    Hang,
    WrongDomain,
    InvalidPolicyText,
}

/// <summary>A policy store in a dictionary, with S-4 in <see cref="SetAsync"/>, call counts and scripted faults.</summary>
internal sealed class InMemoryPolicyStore : IMtaStsPolicyStore
{
    private readonly ConcurrentDictionary<string, StoredPolicy> _entries = new(StringComparer.Ordinal);
    private readonly object _writeLock = new();
    private int _gets;
    private int _sets;
    private int _removes;

    public StoreFault Fault { get; set; }

    public int Gets => Volatile.Read(ref _gets);

    public int Sets => Volatile.Read(ref _sets);

    public int Removes => Volatile.Read(ref _removes);

    public StoredPolicy? this[string domain] => _entries.TryGetValue(domain, out var entry) ? entry : null;

    public void Put(StoredPolicy entry) => _entries[entry.Domain] = entry;

    public async Task<StoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _gets);
        await FaultAsync().ConfigureAwait(false);
        var entry = this[domain];
        return Fault switch
        {
            StoreFault.WrongDomain when entry is not null => new StoredPolicy { Domain = "other.test", RecordId = entry.RecordId, PolicyText = entry.PolicyText, FetchedAt = entry.FetchedAt, ExpiresAt = entry.ExpiresAt },
            StoreFault.InvalidPolicyText when entry is not null => new StoredPolicy { Domain = domain, RecordId = entry.RecordId, PolicyText = "mode: sometimes", FetchedAt = entry.FetchedAt, ExpiresAt = entry.ExpiresAt },
            _ => entry,
        };
    }

    public async Task<bool> SetAsync(StoredPolicy entry, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _sets);
        await FaultAsync().ConfigureAwait(false);
        lock (_writeLock)
        {
            if (!StoredPolicy.Supersedes(entry, this[entry.Domain]))
            {
                return false;
            }

            _entries[entry.Domain] = entry;
            return true;
        }
    }

    public async Task<bool> RemoveAsync(string domain, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _removes);
        await FaultAsync().ConfigureAwait(false);
        return _entries.TryRemove(domain, out _);
    }

    public async IAsyncEnumerable<StoredPolicy> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await FaultAsync().ConfigureAwait(false);
        foreach (var entry in _entries.Values)
        {
            yield return entry;
        }
    }

    private Task FaultAsync() => Fault switch
    {
        StoreFault.Throw => Task.FromException(new InvalidOperationException("the store is down (secret-connection-string)")),
        StoreFault.Hang => new TaskCompletionSource().Task, // never answers, ignores its token
        _ => Task.CompletedTask,
    };
}
