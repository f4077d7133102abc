using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Diagnostics;

namespace MtaSts;

/// <summary>
/// Builds and sends each finished UTC day's TLS-RPT reports (RFC 8460 §4.1, §5): as a hosted service, a random
/// <see cref="TlsReportSchedulerOptions.MinSendDelay"/>–<see cref="TlsReportSchedulerOptions.MaxSendDelay"/> after the day
/// ends, retrying reports that reached no endpoint for up to <see cref="TlsReportSchedulerOptions.RetryWindow"/>; by hand,
/// <see cref="SendDayAsync"/> sends one day at once.
/// </summary>
/// <remarks>
/// <para>For each report domain with counts for the day:</para>
/// <list type="number">
/// <item><description>The TLS-RPT record is looked up again (decision R-10). When the domain no longer publishes a usable
/// one, its counts are dropped; when the lookup fails, nothing is marked and a later try starts over.</description></item>
/// <item><description>The reports are built (<see cref="TlsReportBuilder"/>; deterministic, so every node builds the same bytes and ids).</description></item>
/// <item><description>The report is marked as sent in the store (<see cref="ITlsReportStore.TryMarkSentAsync"/>) before it is
/// handed to delivery: in a fleet sharing one store only the node that set the mark sends, and a crash after the mark
/// means the report is not sent rather than sent twice.</description></item>
/// <item><description>Each part goes to every <c>rua</c> (<see cref="TlsReportSender"/>). Later tries reuse the same built
/// report and go only to the endpoints whose failure may pass.</description></item>
/// </list>
/// <para>The clock is the <see cref="TimeProvider"/> given, so tests drive a day by advancing a fake one. Log event ids 885–889.</para>
/// </remarks>
public sealed class TlsReportScheduler : IHostedService, IAsyncDisposable
{
    private readonly ITlsReportStore _store;
    private readonly ITlsRptRecordDiscoverer _discoverer;
    private readonly TlsReportSender _sender;
    private readonly TlsReportBuilder _builder;
    private readonly TlsReportSchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly TlsRptMetrics _metrics;
    private readonly object _gate = new();
    private readonly List<Task> _days = [];
    private CancellationTokenSource? _running;
    private Task? _loop;

    /// <summary>Creates a scheduler.</summary>
    /// <param name="store">Where the day's counts are, and where the sent marks are set.</param>
    /// <param name="discoverer">Looks up each domain's TLS-RPT record at send time.</param>
    /// <param name="sender">Sends built reports; not disposed by the scheduler.</param>
    /// <param name="reportOptions">Who the reports are from (organisation, contact, submitter) and how they are built.</param>
    /// <param name="options">When to send and retry; defaults when <see langword="null"/>. Copied: later changes do not apply.</param>
    /// <param name="timeProvider">The clock; the system's when <see langword="null"/>.</param>
    /// <param name="logger">Where sends are logged.</param>
    /// <param name="meterFactory">Creates the meter of <see cref="MtaStsTelemetry.TlsRptReports"/>; a private meter when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">A report option is missing or invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A scheduler option is out of range.</exception>
    public TlsReportScheduler(
        ITlsReportStore store,
        ITlsRptRecordDiscoverer discoverer,
        TlsReportSender sender,
        TlsReportOptions reportOptions,
        TlsReportSchedulerOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(discoverer);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(reportOptions);
        _options = (options ?? new TlsReportSchedulerOptions()).Copy();
        _options.Validate();
        _builder = new TlsReportBuilder(reportOptions);
        _store = store;
        _discoverer = discoverer;
        _sender = sender;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _metrics = new TlsRptMetrics(meterFactory);
    }

    /// <summary>
    /// Builds and sends one UTC day's reports now, for every report domain with counts that day, each endpoint tried with
    /// the sender's short retries only. A report already marked as sent is not sent again unless <paramref name="resend"/>.
    /// </summary>
    /// <param name="day">The UTC day; any day, today included (what was recorded so far).</param>
    /// <param name="resend">Sends even a report already marked as sent (for an operator repeating a failed send by hand).</param>
    /// <param name="cancellationToken">Cancels the sends.</param>
    /// <returns>One result per report domain, in ordinal order of the domains.</returns>
    /// <exception cref="Exception">The store failed to list the day's domains (the store's own exception).</exception>
    public async Task<IReadOnlyList<TlsReportSendResult>> SendDayAsync(DateOnly day, bool resend = false, CancellationToken cancellationToken = default)
    {
        var domains = await _store.GetDomainsAsync(day, cancellationToken).ConfigureAwait(false);
        var runs = await SendDomainsAsync(day, domains, resend, cancellationToken).ConfigureAwait(false);
        return runs.Select(r => r.Result).ToArray();
    }

    /// <summary>
    /// Starts the background loop: the day that ended last is sent after the random delay (at once when that time has
    /// passed), then every following day. Starting twice does nothing.
    /// </summary>
    /// <param name="cancellationToken">Not used: starting does not wait.</param>
    /// <returns>A completed task.</returns>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_running is null)
            {
                _running = new CancellationTokenSource();
                _loop = RunAsync(_running.Token);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops the loop and the retries in progress (they are cancelled), and waits for them to end.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when everything has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        CancellationTokenSource? running;
        Task? loop;
        Task[] days;
        lock (_gate)
        {
            (running, loop) = (_running, _loop);
            (_running, _loop) = (null, null);
            days = [.. _days];
        }

        if (running is null)
        {
            return;
        }

        await running.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(days.Append(loop!)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            running.Dispose();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _metrics.Dispose();
    }

    /// <summary>The first UTC day whose reports the loop sends when started at <paramref name="now"/>: the day that ended last.</summary>
    internal static DateOnly FirstDay(DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime).AddDays(-1);

    /// <summary>The wait after a day's end, drawn from the configured range.</summary>
    internal TimeSpan DrawSendDelay() =>
        TimeSpan.FromTicks(Random.Shared.NextInt64(_options.MinSendDelay.Ticks, _options.MaxSendDelay.Ticks + 1));

    private static DateTimeOffset EndOf(DateOnly day) => new(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var day = FirstDay(_timeProvider.GetUtcNow());
        while (!cancellationToken.IsCancellationRequested)
        {
            var due = EndOf(day) + DrawSendDelay();
            Log.TlsReportDayScheduled(_logger, day, due);
            try
            {
                var wait = due - _timeProvider.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var run = RunDayAsync(day, cancellationToken);
            lock (_gate)
            {
                _days.RemoveAll(t => t.IsCompleted);
                _days.Add(run);
            }

            day = day.AddDays(1);
        }
    }

    /// <summary>One day in the background: a first round, then later tries of what may still go through.</summary>
    private async Task RunDayAsync(DateOnly day, CancellationToken cancellationToken)
    {
        try
        {
            var started = _timeProvider.GetUtcNow();
            var domains = await _store.GetDomainsAsync(day, cancellationToken).ConfigureAwait(false);
            var runs = await SendDomainsAsync(day, domains, resend: false, cancellationToken).ConfigureAwait(false);
            var interval = _options.InitialRetryInterval;
            var open = runs.Where(r => r.Result.IsTransient).ToList();
            while (open.Count > 0 && _timeProvider.GetUtcNow() + interval <= started + _options.RetryWindow)
            {
                await Task.Delay(interval, _timeProvider, cancellationToken).ConfigureAwait(false);
                var again = await Task.WhenAll(open.Select(r => RetryAsync(r, cancellationToken))).ConfigureAwait(false);
                open = again.Where(r => r.Result.IsTransient).ToList();
                interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, _options.MaxRetryInterval.Ticks));
            }

            foreach (var run in open)
            {
                Log.TlsReportGaveUp(_logger, day, run.Result.ReportDomain, run.Result.Status);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            Log.TlsReportDayFailed(_logger, day, exception);
        }
    }

    private async Task<DomainRun> RetryAsync(DomainRun run, CancellationToken cancellationToken)
    {
        if (run.Pending.Count == 0)
        {
            // Nothing was marked or sent (lookup or store failure): start the domain over.
            return await SendDomainAsync(run.Result.Day, run.Result.ReportDomain, resend: false, cancellationToken).ConfigureAwait(false);
        }

        var deliveries = run.Result.Deliveries.Where(d => d.Delivered).ToList();
        var pending = new List<PendingPart>();
        foreach (var part in run.Pending)
        {
            var result = await _sender.SendToEndpointsAsync(part.Report, part.Uris, cancellationToken).ConfigureAwait(false);
            deliveries.Add(result);
            if (!result.Delivered)
            {
                pending.Add(part with { Uris = TransientUris(result) });
            }
        }

        var status = pending.Count == 0 ? TlsReportSendStatus.Delivered : TlsReportSendStatus.NotDelivered;
        return new DomainRun(new TlsReportSendResult(run.Result.Day, run.Result.ReportDomain, status, deliveries), pending);
    }

    private async Task<DomainRun[]> SendDomainsAsync(DateOnly day, IReadOnlyList<string> domains, bool resend, CancellationToken cancellationToken)
    {
        var runs = new DomainRun[domains.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, domains.Count),
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentDomains, CancellationToken = cancellationToken },
            async (i, token) => runs[i] = await SendDomainAsync(day, domains[i], resend, token).ConfigureAwait(false)).ConfigureAwait(false);
        return runs;
    }

    private async Task<DomainRun> SendDomainAsync(DateOnly day, string domain, bool resend, CancellationToken cancellationToken)
    {
        using var activity = MtaStsMetrics.ActivitySource.StartActivity(MtaStsTelemetry.SendTlsReportActivityName, ActivityKind.Internal);
        var run = await SendDomainCoreAsync(day, domain, resend, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("mtasts.tlsrpt.send.status", TlsRptTokens.ToToken(run.Result.Status));
        Log.TlsReportDomainSent(_logger, day, domain, run.Result.Status);
        return run;
    }

    private async Task<DomainRun> SendDomainCoreAsync(DateOnly day, string domain, bool resend, CancellationToken cancellationToken)
    {
        var discovery = await _discoverer.DiscoverAsync(domain, cancellationToken).ConfigureAwait(false);
        switch (discovery.Status)
        {
            case TlsRptRecordStatus.DnsFailure:
                return Done(TlsReportSendStatus.RecordLookupFailed);
            case not TlsRptRecordStatus.Found:
                return await StoreStepAsync(async () =>
                {
                    await _store.RemoveAsync(day, domain, cancellationToken).ConfigureAwait(false);
                    return Done(TlsReportSendStatus.RecordGone);
                }).ConfigureAwait(false);
        }

        var record = discovery.Record!;
        return await StoreStepAsync(async () =>
        {
            if (await _store.GetAsync(day, domain, cancellationToken).ConfigureAwait(false) is not { } counts)
            {
                return Done(TlsReportSendStatus.NothingToReport);
            }

            var reports = _builder.Build(counts);
            if (reports.Count == 0)
            {
                return Done(TlsReportSendStatus.NothingToReport);
            }

            _metrics.RecordReportsBuilt(reports.Count);
            if (!await _store.TryMarkSentAsync(day, domain, cancellationToken).ConfigureAwait(false) && !resend)
            {
                return Done(TlsReportSendStatus.AlreadySent);
            }

            var deliveries = new List<TlsReportDeliveryResult>(reports.Count);
            var pending = new List<PendingPart>();
            foreach (var report in reports)
            {
                var result = await _sender.SendAsync(report, record, cancellationToken).ConfigureAwait(false);
                deliveries.Add(result);
                if (!result.Delivered)
                {
                    pending.Add(new PendingPart(report, TransientUris(result)));
                }
            }

            var status = pending.Count == 0 ? TlsReportSendStatus.Delivered : TlsReportSendStatus.NotDelivered;
            return new DomainRun(new TlsReportSendResult(day, domain, status, deliveries), pending);
        }).ConfigureAwait(false);

        DomainRun Done(TlsReportSendStatus status) => new(new TlsReportSendResult(day, domain, status), []);

        async Task<DomainRun> StoreStepAsync(Func<Task<DomainRun>> step)
        {
            try
            {
                return await step().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.TlsReportStoreFailed(_logger, domain, exception.GetType());
                return Done(TlsReportSendStatus.StoreFailed);
            }
        }
    }

    private static Uri[] TransientUris(TlsReportDeliveryResult result) =>
        result.Attempts.Where(a => a.IsTransient).Select(a => a.Uri).ToArray();

    private sealed record PendingPart(TlsReport Report, IReadOnlyList<Uri> Uris);

    /// <summary>A domain's outcome so far, and what of it may be tried again.</summary>
    private sealed record DomainRun(TlsReportSendResult Result, IReadOnlyList<PendingPart> Pending);
}
