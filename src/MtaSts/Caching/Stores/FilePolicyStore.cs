using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Diagnostics;

namespace MtaSts;

/// <summary>
/// A policy store for one host: one file per policy domain under a directory, in <see cref="StoredPolicyFormat"/>.
/// Survives restarts of the MTA; several processes on the host may share the directory.
/// </summary>
/// <remarks>
/// <para>
/// Writes are atomic: the entry goes to a temporary file in the same directory, is flushed to disk, and is renamed over
/// the domain's file, so a reader (or a restart after a crash at any point) sees the old entry or the new one, never a
/// mix. The compare-and-rename of <see cref="StoredPolicy.Supersedes"/> runs under an advisory lock on a
/// <c>.lock</c> file in the directory, so two processes never let an older fetch replace a newer one (decision S-4).
/// </para>
/// <para>
/// A file that is corrupt, truncated, of a foreign format or of a newer format version is ignored and logged, never
/// fatal; the next write for that domain replaces it. Expired entries are ignored and removed when met (decision S-3).
/// File names are the domain plus <c>.json</c>; a name too long for the file system, or whose first label is a
/// reserved device name on Windows, is stored under <c>~</c> and a hash of the domain instead. Temporary files left by a
/// crash are removed by <see cref="ListAsync"/> once they are an hour old. Keep the directory writable by the MTA only:
/// whoever can write it can make the MTA apply a policy (never beyond that policy's own <c>max_age</c>).
/// </para>
/// </remarks>
public sealed class FilePolicyStore : IMtaStsPolicyStore
{
    private const string Extension = ".json";
    private const string TemporaryExtension = ".tmp";
    private static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromHours(1);

    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates a store in <paramref name="directory"/> (created if missing).</summary>
    /// <param name="directory">The directory of the entries.</param>
    /// <param name="timeProvider">The clock that decides expiry; <see langword="null"/> means <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where ignored files and failed writes are logged; <see langword="null"/> means nowhere.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    /// <exception cref="IOException">The directory cannot be created.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory cannot be created.</exception>
    public FilePolicyStore(string directory, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The full path of the directory.</summary>
    public string Directory { get; }

    /// <summary>The file that holds (or would hold) a domain's entry.</summary>
    /// <param name="domain">The policy domain, normalised.</param>
    /// <returns>The full path.</returns>
    public string GetPath(string domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        return Path.Combine(Directory, StoreFiles.FileName(domain, Extension));
    }

    /// <inheritdoc/>
    public async Task<StoredPolicy?> GetAsync(string domain, CancellationToken cancellationToken = default)
    {
        var path = GetPath(domain);
        var entry = await ReadAsync(path, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return null;
        }

        if (!string.Equals(entry.Domain, domain, StringComparison.Ordinal))
        {
            Log.FileStoreEntryIgnored(_logger, Path.GetFileName(path), "it holds another domain");
            return null;
        }

        if (!entry.IsLiveAt(_timeProvider.GetUtcNow()))
        {
            await RemoveExpiredAsync(path, domain, cancellationToken).ConfigureAwait(false);
            return null;
        }

        return entry;
    }

    /// <inheritdoc/>
    public async Task<bool> SetAsync(StoredPolicy entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var bytes = StoredPolicyFormat.Serialize(entry);
        var path = GetPath(entry.Domain);
        var temporary = Path.Combine(Directory, $".{Path.GetFileNameWithoutExtension(path)}.{Guid.NewGuid():N}{TemporaryExtension}");
        try
        {
            await StoreFiles.WriteDurablyAsync(temporary, bytes, cancellationToken).ConfigureAwait(false);
            using (await StoreFiles.LockAsync(Directory, cancellationToken).ConfigureAwait(false))
            {
                var existing = await ReadAsync(path, cancellationToken).ConfigureAwait(false);
                if (existing is not null && existing.IsLiveAt(_timeProvider.GetUtcNow()) && !StoredPolicy.Supersedes(entry, existing))
                {
                    return false;
                }

                // rename(2) over the old file: readers see the old entry or the new one, never a mix.
                File.Move(temporary, path, overwrite: true);
                return true;
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Log.FileStoreWriteFailed(_logger, Path.GetFileName(path), exception.GetType().Name);
            throw;
        }
        finally
        {
            StoreFiles.TryDelete(temporary);
        }
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveAsync(string domain, CancellationToken cancellationToken = default)
    {
        var path = GetPath(domain);
        using (await StoreFiles.LockAsync(Directory, cancellationToken).ConfigureAwait(false))
        {
            if (!File.Exists(path))
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StoredPolicy> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var now = _timeProvider.GetUtcNow();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(path);
            if (name.StartsWith('.'))
            {
                if (name.EndsWith(TemporaryExtension, StringComparison.Ordinal) && now - File.GetLastWriteTimeUtc(path) > StaleTemporaryAge)
                {
                    StoreFiles.TryDelete(path); // left behind by a crash between write and rename
                }

                continue;
            }

            if (!name.EndsWith(Extension, StringComparison.Ordinal))
            {
                Log.FileStoreEntryIgnored(_logger, name, "not a policy store file");
                continue;
            }

            var entry = await ReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (entry is null)
            {
                continue;
            }

            if (!string.Equals(StoreFiles.FileName(entry.Domain, Extension), name, StringComparison.Ordinal))
            {
                Log.FileStoreEntryIgnored(_logger, name, "its name does not match the domain it holds");
                continue;
            }

            if (entry.IsLiveAt(now))
            {
                yield return entry;
            }
        }
    }

    private async Task<StoredPolicy?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var (bytes, problem) = await StoreFiles.ReadAsync(path, StoredPolicyFormat.MaxEntryBytes, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            if (problem is not null)
            {
                Log.FileStoreEntryIgnored(_logger, Path.GetFileName(path), problem);
            }

            return null;
        }

        if (!StoredPolicyFormat.TryDeserialize(bytes, out var entry, out var error))
        {
            Log.FileStoreEntryIgnored(_logger, Path.GetFileName(path), error);
            return null;
        }

        return entry;
    }

    private async Task RemoveExpiredAsync(string path, string domain, CancellationToken cancellationToken)
    {
        using (await StoreFiles.LockAsync(Directory, cancellationToken).ConfigureAwait(false))
        {
            // Another process may have written a fresh entry since it was read.
            if (await ReadAsync(path, cancellationToken).ConfigureAwait(false) is { } entry
                && string.Equals(entry.Domain, domain, StringComparison.Ordinal)
                && !entry.IsLiveAt(_timeProvider.GetUtcNow()))
            {
                StoreFiles.TryDelete(path);
            }
        }
    }
}
