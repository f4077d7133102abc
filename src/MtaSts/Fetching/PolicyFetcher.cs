using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using MtaSts.Diagnostics;
using MtaSts.Grammar;
using Polly;
using static MtaSts.Fetching.PolicyFetchFailures;

namespace MtaSts.Fetching;

/// <summary>The strict HTTPS GET of RFC 8461 §3.3 with Polly retries for transient faults inside the time budget.</summary>
/// <remarks>
/// <para>
/// This file holds the exchange and the RFC rules it checks; the retry and timeout pipeline is
/// <see cref="PolicyFetchPipeline"/>, the classification of failures <see cref="PolicyFetchFailures"/>.
/// </para>
/// <list type="bullet">
/// <item>GET <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c> (STS-3.2-a) with no conditional or cache
/// headers (STS-3.3-h); redirects are not followed (STS-3.3-g).</item>
/// <item>Only status 200 (STS-3.3-f, decision A-8); media type <c>text/plain</c>, parameters ignored, missing is invalid
/// (STS-3.2-b, decision A-7); at most <see cref="MtaStsPolicyFetchOptions.MaxBodyBytes"/> bytes, reading stops as soon as
/// the limit is crossed (STS-3.3-k, decision A-24); strict UTF-8.</item>
/// <item>The whole fetch, retries included, ends within <see cref="MtaStsPolicyFetchOptions.Timeout"/> (STS-3.3-k).
/// Only transient faults are retried: a refused or reset connection, an attempt timing out, a 5xx status. Never 3xx,
/// 4xx, TLS or certificate failures, or content problems.</item>
/// </list>
/// </remarks>
internal sealed class PolicyFetcher : IPolicyFetcher
{
    /// <summary>The label put in front of the policy domain to name the policy host (RFC 8461 §3.2).</summary>
    internal const string PolicyHostPrefix = "mta-sts.";

    /// <summary>The path of the policy (RFC 8461 §3.2).</summary>
    internal const string WellKnownPath = "/.well-known/mta-sts.txt";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly string UserAgent = "MtaSts/" + MtaStsMetrics.Version;

    private readonly Func<HttpClient> _clientFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly MtaStsMetrics _metrics;
    private readonly ResiliencePipeline<PolicyFetchResult> _pipeline;
    private readonly int _maxBodyBytes;

    public PolicyFetcher(Func<HttpClient> clientFactory, MtaStsOptions options, TimeProvider timeProvider, ILogger logger, MtaStsMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(clientFactory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(metrics);
        _clientFactory = clientFactory;
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = metrics;
        _maxBodyBytes = options.PolicyFetch.MaxBodyBytes;
        _pipeline = PolicyFetchPipeline.Build(options.PolicyFetch.Timeout, options.PolicyFetch.Retries, timeProvider, logger);
    }

    public async Task<PolicyFetchResult> FetchAsync(string domain, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        string host = PolicyHostPrefix + domain;
        var uri = new Uri("https://" + host + WellKnownPath, UriKind.Absolute);

        long started = _timeProvider.GetTimestamp();
        using Activity? activity = MtaStsMetrics.ActivitySource.StartActivity(MtaStsTelemetry.FetchActivityName, ActivityKind.Client);
        activity?.SetTag("server.address", host);
        activity?.SetTag("url.full", uri.AbsoluteUri);
        activity?.SetTag("http.request.method", "GET");
        Log.FetchStarting(_logger, domain, uri);

        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(PolicyFetchPipeline.HostKey, host);
        PolicyFetchResult result;
        try
        {
            result = await _pipeline.ExecuteAsync(
                static (ctx, state) => state.Self.AttemptAsync(state.Uri, ctx.CancellationToken),
                context,
                (Self: this, Uri: uri)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
            throw;
        }
        catch (Exception ex)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
                throw new OperationCanceledException("The policy fetch was cancelled.", ex, cancellationToken);
            }

            result = Classify(ex, host);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        TimeSpan elapsed = _timeProvider.GetElapsedTime(started);
        _metrics.RecordFetch(result.Failure, result.HttpStatusCode, elapsed);
        if (result.HttpStatusCode is int status)
        {
            activity?.SetTag("http.response.status_code", status);
        }

        if (result.Failure == MtaStsFailure.None)
        {
            Log.FetchSucceeded(_logger, domain, result.Body?.Length ?? 0, (long)elapsed.TotalMilliseconds);
            Log.FetchBody(_logger, domain, result.Body ?? string.Empty);
        }
        else
        {
            string reason = result.Evidence?.Message ?? result.Failure.ToString();
            activity?.SetTag("error.type", MtaStsMetrics.FailureName(result.Failure));
            activity?.SetTag("mtasts.fetch.reason", result.Evidence?.ReasonCode);
            activity?.SetStatus(ActivityStatusCode.Error, reason);
            Log.FetchFailed(_logger, domain, result.Failure, result.Evidence?.ReasonCode, reason, (long)elapsed.TotalMilliseconds);
        }

        return result;
    }

    /// <summary>One GET, checked and read within the attempt's token.</summary>
    private async ValueTask<PolicyFetchResult> AttemptAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);

        // A policy host is asked about once a day: keeping its connection would only hold a socket, a TLS session and
        // their buffers per domain (issue 10 §1). The connection ends with the response.
        request.Headers.ConnectionClose = true;

        HttpClient client = _clientFactory();
        using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        string? contentType = ContentTypeAsSent(response);

        // RFC 9112 §6.3: a response whose framing is invalid or ambiguous is discarded, never applied.
        if (FramingProblem(response) is { } framing)
        {
            return Failed(MtaStsFailure.PolicyFetchError, framing, "invalid-framing", status, contentType);
        }

        // STS-3.3-f / A-8: 200 only. STS-3.3-g: a 3xx reaches us (AllowAutoRedirect is off) and fails here.
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return Failed(MtaStsFailure.PolicyFetchError, StatusMessage(response, status), "http-status-" + status.ToString(CultureInfo.InvariantCulture), status, contentType);
        }

        // Two Content-Type fields leave the media type ambiguous (RFC 9110 §5.3: it is a singleton field).
        if (response.Content.Headers.NonValidated.TryGetValues("Content-Type", out System.Net.Http.Headers.HeaderStringValues contentTypes) && contentTypes.Count > 1)
        {
            return Failed(MtaStsFailure.PolicyInvalid, $"the response has {contentTypes.Count} Content-Type header fields ({contentType}): the media type is ambiguous", "content-type-ambiguous", status, contentType);
        }

        // STS-3.2-b / A-7: the media type must be text/plain; parameters are ignored; missing is invalid.
        string? mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is null)
        {
            string message = contentType is null
                ? "the response has no Content-Type (text/plain is required)"
                : $"the Content-Type \"{contentType}\" cannot be parsed (text/plain is required)";
            return Failed(MtaStsFailure.PolicyInvalid, message, "content-type", status, contentType);
        }

        if (!string.Equals(mediaType, "text/plain", StringComparison.OrdinalIgnoreCase))
        {
            return Failed(MtaStsFailure.PolicyInvalid, $"the Content-Type is \"{contentType}\", not text/plain", "content-type", status, contentType);
        }

        // STS-3.3-k / A-24: refuse a declared oversized body before reading any of it.
        if (response.Content.Headers.ContentLength is long declared && declared > _maxBodyBytes)
        {
            return Failed(MtaStsFailure.PolicyFetchError, $"the body is {declared} bytes (Content-Length); at most {_maxBodyBytes} are accepted", "body-too-large", status, contentType);
        }

        return await ReadBodyAsync(response, status, contentType, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<PolicyFetchResult> ReadBodyAsync(HttpResponseMessage response, int status, string? contentType, CancellationToken cancellationToken)
    {
        int max = _maxBodyBytes;
        Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // Never more than max + 1 bytes are held: one byte past the limit proves the body too large.
            byte[] buffer = ArrayPool<byte>.Shared.Rent(max + 1);
            try
            {
                int total = 0;
                while (true)
                {
                    int read = await stream.ReadAsync(buffer.AsMemory(total, max + 1 - total), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    total += read;
                    if (total > max)
                    {
                        return Failed(MtaStsFailure.PolicyFetchError, $"the body exceeds {max} bytes", "body-too-large", status, contentType);
                    }
                }

                string body;
                try
                {
                    // A leading BOM stays in the string as U+FEFF: the parser decides about it (decision A-16).
                    body = StrictUtf8.GetString(buffer, 0, total);
                }
                catch (DecoderFallbackException ex)
                {
                    string where = ex.Index >= 0 ? $" (at byte {ex.Index})" : string.Empty;
                    return Failed(MtaStsFailure.PolicyInvalid, $"the body is not valid UTF-8{where}", "invalid-utf8", status, contentType);
                }

                return new PolicyFetchResult { Failure = MtaStsFailure.None, Body = body, HttpStatusCode = status };
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Why the response's message framing cannot be trusted (RFC 9112 §6.3), or <see langword="null"/>: a Content-Length
    /// that is not a non-negative decimal number, several different Content-Length values, or both Content-Length and
    /// Transfer-Encoding (which RFC 9112 §6.1 forbids a sender to send together). SocketsHttpHandler reads the body
    /// of such a response to the end of the connection instead, so its length would be the peer's choice.
    /// </summary>
    internal static string? FramingProblem(HttpResponseMessage response)
    {
        if (!response.Content.Headers.NonValidated.TryGetValues("Content-Length", out System.Net.Http.Headers.HeaderStringValues lengths))
        {
            return null;
        }

        string? first = null;
        foreach (string field in lengths)
        {
            foreach (string part in field.Split(','))
            {
                string value = part.Trim(' ', '\t');
                if (value.Length == 0 || value.Length > 18 || !CharScan.IsAllDigits(value))
                {
                    return $"the Content-Length \"{Echo(field)}\" is not a valid length (RFC 9112 §6.3): the response is discarded";
                }

                first ??= value;
                if (long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture) != long.Parse(first, NumberStyles.None, CultureInfo.InvariantCulture))
                {
                    return $"the response has conflicting Content-Length values ({Echo(string.Join(", ", lengths))}) (RFC 9112 §6.3): the response is discarded";
                }
            }
        }

        if (response.Headers.NonValidated.Contains("Transfer-Encoding"))
        {
            return "the response has both Content-Length and Transfer-Encoding (RFC 9112 §6.1, §6.3): the response is discarded";
        }

        return null;
    }

    private static string StatusMessage(HttpResponseMessage response, int status)
    {
        string code = status.ToString(CultureInfo.InvariantCulture);
        if (status is >= 300 and <= 399)
        {
            string? location = response.Headers.Location?.OriginalString;
            string to = location is null ? string.Empty : $" to {Echo(location)}";
            return $"HTTP status {code}: a redirect{to}, which is not followed (RFC 8461 §3.3: only 200 is accepted)";
        }

        string phrase = string.IsNullOrWhiteSpace(response.ReasonPhrase) ? string.Empty : " " + Echo(response.ReasonPhrase);
        return $"HTTP status {code}{phrase} (RFC 8461 §3.3: only 200 is accepted)";
    }

    private static string? ContentTypeAsSent(HttpResponseMessage response) =>
        response.Content.Headers.NonValidated.TryGetValues("Content-Type", out System.Net.Http.Headers.HeaderStringValues values)
            ? Echo(values.ToString())
            : null;

}
