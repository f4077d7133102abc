using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Diagnostics;

namespace MtaSts;

/// <summary>
/// A TLS-RPT counts store in a directory, for one host (several processes on it may share the directory): one folder per
/// UTC day, one file per report domain, merged under the directory's lock and replaced atomically (write, flush to disk,
/// rename), so a crash leaves either the counts before an add or after it.
/// </summary>
/// <remarks>
/// Layout: <c>&lt;directory&gt;/&lt;yyyy-MM-dd&gt;/&lt;domain&gt;.json</c> (the format of docs/store-format.md, "TLS-RPT
/// counts"), and <c>&lt;domain&gt;.sent</c> beside it once <see cref="TryMarkSentAsync"/> claimed the report. Day folders
/// older than <see cref="Retention"/> are deleted when a new day's folder is created. A file that cannot be read is
/// ignored with a warning (and replaced by the next add), never thrown.
/// </remarks>
public sealed class FileTlsReportStore : ITlsReportStore
{
    /// <summary>How long day folders are kept by default: eight days (a week of late or retried sends, and today).</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(8);

    private const string Extension = ".json";
    private const string SentExtension = ".sent";

    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates the store; the directory is created when missing.</summary>
    /// <param name="directory">The store's directory.</param>
    /// <param name="retention">How long day folders are kept; <see langword="null"/> for <see cref="DefaultRetention"/>.</param>
    /// <param name="timeProvider">The clock for retention; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">Where unreadable files are reported.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retention"/> is shorter than two days.</exception>
    public FileTlsReportStore(string directory, TimeSpan? retention = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Retention = retention ?? DefaultRetention;
        ArgumentOutOfRangeException.ThrowIfLessThan(Retention, TimeSpan.FromDays(2), nameof(retention));
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The store's directory, as a full path.</summary>
    public string Directory { get; }

    /// <summary>How long day folders are kept.</summary>
    public TimeSpan Retention { get; }

    /// <summary>The file that holds a day's counts for a domain.</summary>
    /// <param name="day">The UTC day.</param>
    /// <param name="reportDomain">The report domain, normalised.</param>
    /// <returns>The full path.</returns>
    public string GetPath(DateOnly day, string reportDomain)
    {
        ArgumentException.ThrowIfNullOrEmpty(reportDomain);
        return Path.Combine(DayDirectory(day), StoreFiles.FileName(reportDomain, Extension));
    }

    /// <inheritdoc/>
    public async Task AddAsync(TlsReportCounts counts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var dayDirectory = DayDirectory(counts.Day);
        var path = GetPath(counts.Day, counts.ReportDomain);
        using (await StoreFiles.LockAsync(Directory, cancellationToken).ConfigureAwait(false))
        {
            if (!System.IO.Directory.Exists(dayDirectory))
            {
                System.IO.Directory.CreateDirectory(dayDirectory);
                RemoveOldDays(counts.Day);
            }

            var entries = await ReadAsync(path, counts.ReportDomain, cancellationToken).ConfigureAwait(false)
                ?? new Dictionary<string, long>(StringComparer.Ordinal);
            TlsReportCountsFormat.Add(entries, TlsReportCountsFormat.ToEntries(counts));
            var temporary = Path.Combine(dayDirectory, $".{Path.GetFileNameWithoutExtension(path)}.{Guid.NewGuid():N}.tmp");
            try
            {
                await StoreFiles.WriteDurablyAsync(temporary, TlsReportCountsFormat.Serialize(counts.Day, counts.ReportDomain, entries), cancellationToken)
                    .ConfigureAwait(false);
                File.Move(temporary, path, overwrite: true);
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
    }

    /// <inheritdoc/>
    public async Task<TlsReportCounts?> GetAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default)
    {
        var entries = await ReadAsync(GetPath(day, reportDomain), reportDomain, cancellationToken).ConfigureAwait(false);
        if (entries is null)
        {
            return null;
        }

        var counts = TlsReportCountsFormat.FromEntries(day, reportDomain, entries, out var skipped);
        if (skipped > 0)
        {
            Log.FileStoreEntryIgnored(_logger, Path.GetFileName(GetPath(day, reportDomain)), $"{skipped} of its counts do not read");
        }

        return counts;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> GetDomainsAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        var dayDirectory = DayDirectory(day);
        if (!System.IO.Directory.Exists(dayDirectory))
        {
            return [];
        }

        var domains = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in System.IO.Directory.EnumerateFiles(dayDirectory, "*" + Extension))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(path);
            if (name.StartsWith('.'))
            {
                continue;
            }

            // Hashed names do not say their domain: read it from the file (and check the name is the one it would get).
            var (bytes, _) = await StoreFiles.ReadAsync(path, TlsReportCountsFormat.MaxFileBytes, cancellationToken).ConfigureAwait(false);
            if (bytes is not null && TlsReportCountsFormat.TryDeserialize(bytes, out var storedDay, out var domain, out _, out _)
                && storedDay == day && string.Equals(StoreFiles.FileName(domain, Extension), name, StringComparison.Ordinal))
            {
                domains.Add(domain);
            }
        }

        return [.. domains];
    }

    /// <inheritdoc/>
    public Task<bool> TryMarkSentAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reportDomain);
        cancellationToken.ThrowIfCancellationRequested();
        var dayDirectory = DayDirectory(day);
        System.IO.Directory.CreateDirectory(dayDirectory);
        try
        {
            // O_CREAT | O_EXCL: exactly one process creates the mark.
            using var mark = new FileStream(Path.Combine(dayDirectory, StoreFiles.FileName(reportDomain, SentExtension)), FileMode.CreateNew, FileAccess.Write);
            mark.Flush(flushToDisk: true);
            return Task.FromResult(true);
        }
        catch (IOException) when (File.Exists(Path.Combine(dayDirectory, StoreFiles.FileName(reportDomain, SentExtension))))
        {
            return Task.FromResult(false);
        }
    }

    /// <inheritdoc/>
    public async Task<bool> RemoveAsync(DateOnly day, string reportDomain, CancellationToken cancellationToken = default)
    {
        var path = GetPath(day, reportDomain);
        var mark = Path.Combine(DayDirectory(day), StoreFiles.FileName(reportDomain, SentExtension));
        using (await StoreFiles.LockAsync(Directory, cancellationToken).ConfigureAwait(false))
        {
            var removed = File.Exists(path) || File.Exists(mark);
            StoreFiles.TryDelete(path);
            StoreFiles.TryDelete(mark);
            return removed;
        }
    }

    private string DayDirectory(DateOnly day) => Path.Combine(Directory, TlsReportCountsFormat.DayText(day));

    private async Task<Dictionary<string, long>?> ReadAsync(string path, string reportDomain, CancellationToken cancellationToken)
    {
        var (bytes, problem) = await StoreFiles.ReadAsync(path, TlsReportCountsFormat.MaxFileBytes, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            if (problem is not null)
            {
                Log.FileStoreEntryIgnored(_logger, Path.GetFileName(path), problem);
            }

            return null;
        }

        if (!TlsReportCountsFormat.TryDeserialize(bytes, out _, out var domain, out var entries, out var error))
        {
            Log.FileStoreEntryIgnored(_logger, Path.GetFileName(path), error!);
            return null;
        }

        if (!string.Equals(domain, reportDomain, StringComparison.Ordinal))
        {
            Log.FileStoreEntryIgnored(_logger, Path.GetFileName(path), "it holds another domain");
            return null;
        }

        return entries;
    }

    private void RemoveOldDays(DateOnly keep)
    {
        var oldest = DateOnly.FromDateTime((_timeProvider.GetUtcNow() - Retention).UtcDateTime);
        foreach (var folder in System.IO.Directory.EnumerateDirectories(Directory))
        {
            if (DateOnly.TryParseExact(Path.GetFileName(folder), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day < oldest && day != keep)
            {
                try
                {
                    System.IO.Directory.Delete(folder, recursive: true);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    Log.FileStoreWriteFailed(_logger, Path.GetFileName(folder), exception.GetType().Name);
                }
            }
        }
    }
}
