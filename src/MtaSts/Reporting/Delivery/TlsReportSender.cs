using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MtaSts.Diagnostics;
using MtaSts.Reporting;
using Polly;
using Polly.Retry;

namespace MtaSts;

/// <summary>
/// Sends a built report to every <c>rua</c> endpoint of the domain's TLS-RPT record (RFC 8460 §3, §5; decision R-5):
/// <c>https:</c> by POST (decision R-4), <c>mailto:</c> through an <see cref="ITlsReportMailer"/>. Each endpoint is tried
/// up to <see cref="TlsReportDeliveryOptions.MaxAttempts"/> times with exponential back-off while its failures may pass;
/// the endpoints are served at the same time and independently.
/// </summary>
/// <remarks>
/// The result has one entry per endpoint with a stable reason code, never exception text. The report counts as
/// delivered once one endpoint accepted it (RPT-3-g). Deliveries are logged (event ids 880–889) and counted in
/// <see cref="MtaStsTelemetry.TlsRptDeliveries"/>.
/// </remarks>
public sealed class TlsReportSender : IDisposable
{
    private static readonly ResiliencePropertyKey<string> EndpointKey = new("mtasts.tlsrpt.endpoint");
    private static readonly ResiliencePropertyKey<string> ReportKey = new("mtasts.tlsrpt.report-id");

    private readonly TlsReportHttpsPoster _poster;
    private readonly ITlsReportMailer? _mailer;
    private readonly ILogger _logger;
    private readonly TlsRptMetrics _metrics;
    private readonly ResiliencePipeline<EndpointOutcome> _pipeline;

    /// <summary>Creates a sender.</summary>
    /// <param name="options">The settings; defaults when <see langword="null"/>. Copied: later changes do not apply.</param>
    /// <param name="mailer">Sends <c>mailto:</c> reports; without one those endpoints are skipped (<see cref="TlsReportDeliveryReasons.NoMailer"/>).</param>
    /// <param name="timeProvider">The clock for timeouts and back-off; the system's when <see langword="null"/>.</param>
    /// <param name="logger">Where deliveries are logged.</param>
    /// <param name="meterFactory">Creates the meter of <see cref="MtaStsTelemetry.TlsRptDeliveries"/>; a private meter when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public TlsReportSender(
        TlsReportDeliveryOptions? options = null,
        ITlsReportMailer? mailer = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        IMeterFactory? meterFactory = null)
        : this(Settings(options), mailer, timeProvider ?? TimeProvider.System, logger, meterFactory, handler: null)
    {
    }

    /// <summary>
    /// Creates a sender that sees the DNS the library sees: HTTPS endpoint hosts are resolved through the name servers of
    /// <paramref name="options"/> (when <see cref="MtaStsPolicyFetchOptions.ResolveHostWithNameServers"/> is on, as for
    /// policy hosts), and the extra roots of <see cref="MtaStsOptions.AdditionalTrustedRoots"/> are trusted for endpoints
    /// too, besides those of <paramref name="delivery"/>.
    /// </summary>
    /// <param name="options">The library's options; only DNS and trust are used. Defaults when <see langword="null"/>.</param>
    /// <param name="delivery">The delivery settings; defaults when <see langword="null"/>. Copied.</param>
    /// <param name="mailer">Sends <c>mailto:</c> reports; without one those endpoints are skipped.</param>
    /// <param name="timeProvider">The clock for timeouts and back-off; the system's when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where deliveries are logged.</param>
    /// <returns>The sender.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException"><paramref name="options"/> are invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A delivery option is out of range.</exception>
    public static TlsReportSender Create(
        MtaStsOptions? options,
        TlsReportDeliveryOptions? delivery = null,
        ITlsReportMailer? mailer = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        var library = (options ?? new MtaStsOptions()).Clone();
        MtaStsOptionsValidator.ThrowIfInvalid(library);
        var settings = Settings(delivery);
        settings.AdditionalTrustedRoots.AddRange(library.AdditionalTrustedRoots);
        if (library.PolicyFetch.ResolveHostWithNameServers && settings.AddressResolver is null)
        {
            settings.AddressResolver = new Dns.DnsHostAddressResolver(Dns.DnsClientFactory.Create(library));
        }

        return new TlsReportSender(settings, mailer, timeProvider ?? TimeProvider.System, loggerFactory?.CreateLogger<TlsReportSender>(), meterFactory: null, handler: null);
    }

    /// <summary>For tests: HTTPS through <paramref name="handler"/> when given.</summary>
    internal TlsReportSender(TlsReportDeliveryOptions options, ITlsReportMailer? mailer, TimeProvider timeProvider, ILogger? logger, IMeterFactory? meterFactory, HttpMessageHandler? handler)
    {
        options.Validate();
        _mailer = mailer;
        _logger = logger ?? NullLogger.Instance;
        _metrics = new TlsRptMetrics(meterFactory);
        _poster = handler is null
            ? new TlsReportHttpsPoster(options, timeProvider)
            : new TlsReportHttpsPoster(handler, options.HttpsTimeout, timeProvider);
        _pipeline = BuildPipeline(options, timeProvider, _logger);
    }

    /// <summary>Sends <paramref name="report"/> to every endpoint of <paramref name="record"/>.</summary>
    /// <param name="report">The report (one part of a split report is sent on its own).</param>
    /// <param name="record">The report domain's TLS-RPT record, looked up at send time (decision R-10).</param>
    /// <param name="cancellationToken">Cancels every delivery.</param>
    /// <returns>One entry per endpoint, in the record's order.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<TlsReportDeliveryResult> SendAsync(TlsReport report, TlsRptRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(record);
        return await SendToEndpointsAsync(report, record.ReportingUris, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="report"/> to <paramref name="uris"/> (a record's, or the ones worth another try).</summary>
    internal async Task<TlsReportDeliveryResult> SendToEndpointsAsync(TlsReport report, IReadOnlyList<Uri> uris, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> gzip = report.ToGzip();
        var tasks = uris.Select(uri => SendToAsync(report, gzip, uri, cancellationToken)).ToArray();
        var attempts = await Task.WhenAll(tasks).ConfigureAwait(false);
        var result = new TlsReportDeliveryResult(report.ReportId, attempts);
        if (!result.Delivered)
        {
            Log.TlsReportNotDelivered(_logger, report.ReportId, report.ReportDomain, attempts.Length);
        }

        return result;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _poster.Dispose();
        _metrics.Dispose();
    }

    /// <summary>The addresses of a <c>mailto:</c> URI (RFC 6068: comma-separated, percent-encoded; header fields after <c>?</c> ignored), or <see langword="null"/> when one is unusable.</summary>
    internal static IReadOnlyList<string>? MailtoAddresses(Uri uri)
    {
        var text = uri.OriginalString;
        if (!text.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        text = text["mailto:".Length..];
        var query = text.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            text = text[..query];
        }

        var addresses = new List<string>();
        foreach (var part in text.Split(','))
        {
            string address;
            try
            {
                address = Uri.UnescapeDataString(part.Trim());
            }
            catch (UriFormatException)
            {
                return null;
            }

            if (!IsPlainAddress(address))
            {
                return null;
            }

            addresses.Add(address);
        }

        return addresses.Count == 0 ? null : addresses;
    }

    private static bool IsPlainAddress(string address)
    {
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1 || address.Length > 254)
        {
            return false;
        }

        foreach (var c in address)
        {
            // No space, control character or address-list punctuation: nothing that could end a header or an SMTP command.
            if (c <= ' ' || c == '\u007f' || c is '<' or '>' or '(' or ')' or ',' or ';' or ':' or '\\' or '"' or '[' or ']')
            {
                return false;
            }
        }

        return address.IndexOf('@', StringComparison.Ordinal) == at;
    }

    private static TlsReportDeliveryOptions Settings(TlsReportDeliveryOptions? options) => (options ?? new TlsReportDeliveryOptions()).Copy();

    private static ResiliencePipeline<EndpointOutcome> BuildPipeline(TlsReportDeliveryOptions options, TimeProvider timeProvider, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder<EndpointOutcome> { Name = "MtaSts.TlsReportDelivery", TimeProvider = timeProvider };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<EndpointOutcome>
            {
                Name = "endpoint",
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = options.InitialRetryDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result is { Delivered: false, IsTransient: true }),
                OnRetry = args =>
                {
                    if (args.Outcome.Result is { } last && logger.IsEnabled(LogLevel.Information))
                    {
                        var reportId = args.Context.Properties.GetValue(ReportKey, "?");
                        var endpoint = args.Context.Properties.GetValue(EndpointKey, "?");
                        Log.TlsReportDeliveryRetrying(
                            logger,
                            reportId,
                            args.AttemptNumber + 1,
                            endpoint,
                            last.ReasonCode ?? "?",
                            last.Detail ?? string.Empty,
                            (long)args.RetryDelay.TotalMilliseconds);
                    }

                    return default;
                },
            });
        }

        return builder.Build();
    }

    private async Task<TlsReportDeliveryAttempt> SendToAsync(TlsReport report, ReadOnlyMemory<byte> gzip, Uri uri, CancellationToken cancellationToken)
    {
        var https = !string.Equals(uri.Scheme, Uri.UriSchemeMailto, StringComparison.OrdinalIgnoreCase);
        var method = https ? TlsReportDeliveryMethod.Https : TlsReportDeliveryMethod.Mailto;
        var endpoint = uri.OriginalString;

        Func<CancellationToken, Task<EndpointOutcome>> once;
        if (https)
        {
            once = async token => EndpointOutcome.From(await _poster.PostAsync(uri, gzip, token).ConfigureAwait(false));
        }
        else
        {
            var recipients = MailtoAddresses(uri);
            if (recipients is null)
            {
                return Finish(report, uri, method, new EndpointOutcome(false, TlsReportDeliveryReasons.InvalidMailto, null, false, "the mailto: URI holds no usable address"), tries: 0);
            }

            if (_mailer is not { } mailer)
            {
                Log.TlsReportDeliverySkipped(_logger, report.ReportId, report.ReportDomain, endpoint, TlsReportDeliveryReasons.NoMailer);
                _metrics.RecordDelivery(method, TlsReportDeliveryStatus.Skipped);
                return new TlsReportDeliveryAttempt { Uri = uri, Method = method, Status = TlsReportDeliveryStatus.Skipped, ReasonCode = TlsReportDeliveryReasons.NoMailer };
            }

            once = token => MailOnceAsync(mailer, report, recipients, token);
        }

        var tries = 0;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(EndpointKey, endpoint);
        context.Properties.Set(ReportKey, report.ReportId);
        try
        {
            var outcome = await _pipeline.ExecuteAsync(
                async (ctx, state) =>
                {
                    Interlocked.Increment(ref tries);
                    return await state(ctx.CancellationToken).ConfigureAwait(false);
                },
                context,
                once).ConfigureAwait(false);
            return Finish(report, uri, method, outcome, tries);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static async Task<EndpointOutcome> MailOnceAsync(ITlsReportMailer mailer, TlsReport report, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        try
        {
            await mailer.SendAsync(report, recipients, cancellationToken).ConfigureAwait(false);
            return new EndpointOutcome(true, null, null, false, null);
        }
        catch (TlsReportDeliveryException ex)
        {
            return new EndpointOutcome(false, ex.ReasonCode, null, ex.IsTransient, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new EndpointOutcome(false, TlsReportDeliveryReasons.MailError, null, true, ex.GetType().Name);
        }
    }

    private TlsReportDeliveryAttempt Finish(TlsReport report, Uri uri, TlsReportDeliveryMethod method, EndpointOutcome outcome, int tries)
    {
        var status = outcome.Delivered ? TlsReportDeliveryStatus.Delivered : TlsReportDeliveryStatus.Failed;
        if (outcome.Delivered)
        {
            Log.TlsReportDelivered(_logger, report.ReportId, report.ReportDomain, uri.OriginalString, method, tries);
        }
        else
        {
            Log.TlsReportDeliveryFailed(_logger, report.ReportId, report.ReportDomain, uri.OriginalString, tries, outcome.ReasonCode ?? "?", outcome.Detail ?? string.Empty);
        }

        _metrics.RecordDelivery(method, status);
        return new TlsReportDeliveryAttempt
        {
            Uri = uri,
            Method = method,
            Status = status,
            ReasonCode = outcome.Delivered ? null : outcome.ReasonCode,
            HttpStatusCode = outcome.HttpStatusCode,
            Tries = tries,
            IsTransient = !outcome.Delivered && outcome.IsTransient,
        };
    }

    /// <summary>The outcome of one try at one endpoint.</summary>
    private sealed record EndpointOutcome(bool Delivered, string? ReasonCode, int? HttpStatusCode, bool IsTransient, string? Detail)
    {
        public static EndpointOutcome From(TlsReportPostOutcome post) => new(post.Delivered, post.ReasonCode, post.HttpStatusCode, post.IsTransient, post.Detail);
    }
}
