using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Diagnostics;

namespace MtaSts;

/// <summary>
/// The built-in <see cref="ITlsReportRecorder"/>: counts sessions in memory per (UTC day, recipient domain, policy,
/// failure) and adds them to an <see cref="ITlsReportStore"/> every <see cref="TlsReportRecorderOptions.FlushInterval"/>
/// and when disposed. Recording takes one lock and allocates nothing for a report already held.
/// </summary>
/// <remarks>
/// <para>
/// What a crash loses: the sessions counted since the last flush, at most one flush interval. Counts the store does not
/// take (it throws or times out) stay in memory and go with the next flush; while they wait, at most
/// <see cref="TlsReportRecorderOptions.MaxPendingReports"/> reports are held.
/// </para>
/// <para>
/// Decision R-10: at flush time, the counts of a domain that publishes no usable <c>_smtp._tls</c> record are dropped
/// (looked up through the <see cref="ITlsRptRecordDiscoverer"/>, cached for the record's TTL).
/// </para>
/// </remarks>
public sealed class TlsReportRecorder : ITlsReportRecorder, IAsyncDisposable, IDisposable
{
    private readonly ITlsReportStore _store;
    private readonly ITlsRptRecordDiscoverer? _records;
    private readonly TlsReportRecorderOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TlsRptMetrics _metrics;
    private readonly TlsReportAggregator _pending = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly ITimer _timer;
    private int _disposed;
    private int _overLimitWarned;

    /// <summary>Creates a recorder that flushes to <paramref name="store"/>.</summary>
    /// <param name="store">Where counts go.</param>
    /// <param name="records">
    /// The <c>_smtp._tls</c> lookup for decision R-10; required when <see cref="TlsReportRecorderOptions.RequireTlsRptRecord"/>
    /// is on (see <see cref="TlsRptRecordDiscoverer.Create"/>).
    /// </param>
    /// <param name="options">The settings; defaults when <see langword="null"/>. Copied: later changes do not apply.</param>
    /// <param name="timeProvider">The clock for session days and the flush timer.</param>
    /// <param name="logger">Where flushes are logged.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">A record lookup is required and <paramref name="records"/> is <see langword="null"/>.</exception>
    public TlsReportRecorder(
        ITlsReportStore store,
        ITlsRptRecordDiscoverer? records,
        TlsReportRecorderOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var settings = options ?? new TlsReportRecorderOptions();
        _options = new TlsReportRecorderOptions
        {
            FlushInterval = settings.FlushInterval,
            FlushTimeout = settings.FlushTimeout,
            RequireTlsRptRecord = settings.RequireTlsRptRecord,
            MaxPendingReports = settings.MaxPendingReports,
            SendingMtaIp = settings.SendingMtaIp,
            PublicSendingAddress = settings.PublicSendingAddress,
        };
        _options.Validate();
        if (_options.RequireTlsRptRecord && records is null)
        {
            throw new ArgumentException("RequireTlsRptRecord (decision R-10) needs a TLS-RPT record lookup.", nameof(records));
        }

        _store = store;
        _records = records;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _metrics = new TlsRptMetrics();
        _timer = _timeProvider.CreateTimer(static state => _ = ((TlsReportRecorder)state!).FlushOnTimerAsync(), this, _options.FlushInterval, _options.FlushInterval);
    }

    /// <summary>How many (day, domain) reports have counts in memory, not yet flushed.</summary>
    public int PendingReports => _pending.Snapshot().Count;

    /// <inheritdoc/>
    public void Record(TlsSession session)
    {
        ArgumentException.ThrowIfNullOrEmpty(session.RecipientDomain, nameof(session));
        ArgumentNullException.ThrowIfNull(session.Policy, nameof(session));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var domain = DomainName.Normalize(session.RecipientDomain);
        var day = TlsReportAggregator.DayOf(session.Time ?? _timeProvider.GetUtcNow());
        _metrics.RecordSession(session.IsSuccess);
        var failure = session.Failure;
        if (failure is not null && _options.SendingMtaIp != TlsRptSendingIpMode.LocalAddress)
        {
            // Decision R-8: a configured public address, or none.
            failure = failure with { SendingMtaIp = _options.SendingMtaIp == TlsRptSendingIpMode.Configured ? _options.PublicSendingAddress : null };
        }

        var counted = _pending.TryAddSession(day, domain, session.Policy, failure, _options.MaxPendingReports);
        if (counted && session.AlsoUnder is { } second && !second.Equals(session.Policy))
        {
            counted = _pending.TryAddSession(day, domain, second, failure, _options.MaxPendingReports);
        }

        if (!counted && Interlocked.Exchange(ref _overLimitWarned, 1) == 0)
        {
            Log.TlsReportPendingLimit(_logger, _options.MaxPendingReports);
        }
    }

    /// <summary>
    /// Adds everything counted so far to the store now (the timer does this every flush interval). Counts the store does
    /// not take stay for the next flush; this method does not throw for store failures.
    /// </summary>
    /// <param name="cancellationToken">Stops the flush; what was not added stays in memory.</param>
    /// <returns>How many (day, domain) reports were added to the store.</returns>
    public async Task<int> FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stored = 0;
            var dropped = 0;
            long sessions = 0;
            var batch = _pending.Drain();
            for (var i = 0; i < batch.Count; i++)
            {
                var counts = batch[i];
                try
                {
                    if (await IsUnwantedAsync(counts.ReportDomain, cancellationToken).ConfigureAwait(false))
                    {
                        dropped++;
                        _metrics.RecordFlush("dropped");
                        continue;
                    }

                    await _store.AddAsync(counts, cancellationToken).ConfigureAwait(false);
                    stored++;
                    sessions += counts.SuccessfulSessions + counts.FailedSessions;
                    _metrics.RecordFlush("stored");
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Not lost: back into memory for the next flush.
                    _pending.Merge(counts);
                    _metrics.RecordFlush("failed");
                    Log.TlsReportFlushFailed(_logger, counts.ReportDomain, exception.GetType().Name);
                }
                catch (OperationCanceledException)
                {
                    for (var j = i; j < batch.Count; j++)
                    {
                        _pending.Merge(batch[j]);
                    }

                    throw;
                }
            }

            if (stored > 0 || dropped > 0)
            {
                Volatile.Write(ref _overLimitWarned, 0);
            }

            Log.TlsReportFlushed(_logger, stored, sessions, dropped);
            return stored;
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>Stops the timer and flushes what is left, waiting at most <see cref="TlsReportRecorderOptions.FlushTimeout"/>.</summary>
    /// <returns>A task that completes when the last flush has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _timer.DisposeAsync().ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(_options.FlushTimeout, _timeProvider);
        try
        {
            await FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The store did not answer in time; what is left is lost with the process, as documented.
        }

        _metrics.Dispose();
    }

    /// <summary>
    /// Stops the timer and flushes what is left, blocking for at most <see cref="TlsReportRecorderOptions.FlushTimeout"/>;
    /// prefer <see cref="DisposeAsync"/>.
    /// </summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task FlushOnTimerAsync()
    {
        try
        {
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Log.TlsReportFlushFailed(_logger, "*", exception.GetType().Name);
        }
    }

    private async Task<bool> IsUnwantedAsync(string domain, CancellationToken cancellationToken)
    {
        if (!_options.RequireTlsRptRecord)
        {
            return false;
        }

        var found = await _records!.DiscoverAsync(domain, cancellationToken).ConfigureAwait(false);
        if (found.Status is TlsRptRecordStatus.Found or TlsRptRecordStatus.DnsFailure)
        {
            return false;
        }

        Log.TlsReportCountsDropped(_logger, domain, found.Status);
        return true;
    }
}
