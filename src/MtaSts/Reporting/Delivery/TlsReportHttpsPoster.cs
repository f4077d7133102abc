using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MtaSts.Fetching;

namespace MtaSts.Reporting;

/// <summary>The outcome of one POST of a report.</summary>
/// <param name="Delivered">Whether the endpoint answered 2xx.</param>
/// <param name="ReasonCode">The stable code when it did not.</param>
/// <param name="HttpStatusCode">The status, when there was an answer.</param>
/// <param name="IsTransient">Whether another try may succeed.</param>
/// <param name="Detail">One line for logs (may carry text of the platform's errors); never put into a result.</param>
internal readonly record struct TlsReportPostOutcome(bool Delivered, string? ReasonCode, int? HttpStatusCode, bool IsTransient, string? Detail)
{
    public static TlsReportPostOutcome Success(int status) => new(true, null, status, false, null);

    public static TlsReportPostOutcome Failure(string reasonCode, bool transient, string detail, int? status = null) => new(false, reasonCode, status, transient, detail);
}

/// <summary>
/// POSTs a gzip report to an <c>https:</c> <c>rua</c> (RFC 8460 §5.4, decision R-4): <c>Content-Type: application/tlsrpt+gzip</c>,
/// any 2xx is success, redirects are not followed, <c>http:</c> is refused, certificates are checked as for a policy host
/// (chain to a trusted root, SAN naming the host; <see cref="TlsReportDeliveryOptions.AdditionalTrustedRoots"/> adds
/// roots; <see cref="TlsReportDeliveryOptions.AcceptInvalidCertificates"/> accepts any certificate, RPT-3-h), one
/// connection per POST, and the response body is never read.
/// </summary>
internal sealed class TlsReportHttpsPoster : IDisposable
{
    private const string UserAgent = "MtaSts-TlsRpt/1";

    private readonly HttpMessageInvoker _invoker;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    public TlsReportHttpsPoster(TlsReportDeliveryOptions options, TimeProvider timeProvider)
        : this(CreateHandler(options), options.HttpsTimeout, timeProvider)
    {
    }

    /// <summary>For tests: posts through <paramref name="handler"/>, which the poster then owns.</summary>
    internal TlsReportHttpsPoster(HttpMessageHandler handler, TimeSpan timeout, TimeProvider timeProvider)
    {
        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        _timeout = timeout;
        _timeProvider = timeProvider;
    }

    /// <summary>The strict handler: TLS 1.2/1.3, our certificate check, no redirects, cookies, proxy or decompression, no kept connections.</summary>
    internal static SocketsHttpHandler CreateHandler(TlsReportDeliveryOptions options)
    {
        var extraRoots = new X509Certificate2Collection(options.AdditionalTrustedRoots);
        var resolver = options.AddressResolver;
        var allowNonPublic = options.AllowPrivateAddresses;
        var acceptInvalid = options.AcceptInvalidCertificates;
        var connectTimeout = options.HttpsTimeout;
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            Proxy = null,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = connectTimeout,
            PooledConnectionLifetime = TimeSpan.Zero,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(1),
            MaxConnectionsPerServer = 2,
            MaxResponseHeadersLength = PolicyHttpHandlerFactory.MaxResponseHeadersKiB,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck, // as for policy hosts (docs/decisions/0004)
                // RFC 8460 §3 (RPT-3-h): certificate errors of a reporting endpoint may be ignored, by option only.
#pragma warning disable CA5359 // Opt-in only (AcceptInvalidCertificates, off by default): a report holds nothing secret.
                RemoteCertificateValidationCallback = acceptInvalid
                    ? static (_, _, _, _) => true
                    : (sender, certificate, chain, errors) =>
                        PolicyHttpHandlerFactory.ValidateServerCertificate(sender, certificate, chain, errors, extraRoots),
#pragma warning restore CA5359
            },
            ConnectCallback = (context, cancellationToken) =>
                PolicyHttpHandlerFactory.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, resolver, connectTimeout, allowNonPublic, cancellationToken),
        };
    }

    /// <summary>One POST of <paramref name="body"/> to <paramref name="uri"/>, within the per-try timeout.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<TlsReportPostOutcome> PostAsync(Uri uri, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (CheckUri(uri) is { } refused)
        {
            return refused;
        }

        using var timer = new CancellationTokenSource(_timeout, _timeProvider);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri)
            {
                Version = HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
                Content = new ReadOnlyMemoryContent(body),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(TlsReport.GzipMediaType);
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
            request.Headers.ConnectionClose = true;

            // Headers only: the body of the answer is never read, whatever its size.
            using HttpResponseMessage response = await _invoker.SendAsync(request, attempt.Token).ConfigureAwait(false);
            return Judge((int)response.StatusCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TlsReportPostOutcome.Failure(TlsReportDeliveryReasons.Timeout, transient: true, $"no answer within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or AuthenticationException or System.Net.Sockets.SocketException)
        {
            var host = uri.IdnHost;
            var classified = PolicyFetchFailures.Classify(ex, host);
            var code = classified.Evidence?.ReasonCode ?? "http-error";
            return TlsReportPostOutcome.Failure(code, PolicyFetchFailures.IsTransient(ex), classified.Evidence?.Message ?? code);
        }
    }

    /// <summary>Why <paramref name="uri"/> is not posted to, or <see langword="null"/>.</summary>
    internal static TlsReportPostOutcome? CheckUri(Uri uri)
    {
        if (!uri.IsAbsoluteUri)
        {
            return TlsReportPostOutcome.Failure(TlsReportDeliveryReasons.UnsupportedScheme, transient: false, "the URI is not absolute");
        }

        if (string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase))
        {
            return TlsReportPostOutcome.Failure(TlsReportDeliveryReasons.InsecureScheme, transient: false, "http: endpoints are refused; reports go over HTTPS only");
        }

        if (!string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(uri.Host))
        {
            return TlsReportPostOutcome.Failure(TlsReportDeliveryReasons.UnsupportedScheme, transient: false, $"the scheme {uri.Scheme} is not https");
        }

        return null;
    }

    /// <summary>2xx is delivered (decision R-4); 3xx is a failure of its own (never followed); 408, 425, 429 and 5xx may pass.</summary>
    internal static TlsReportPostOutcome Judge(int status)
    {
        if (status is >= 200 and < 300)
        {
            return TlsReportPostOutcome.Success(status);
        }

        var text = status.ToString(CultureInfo.InvariantCulture);
        if (status is >= 300 and < 400)
        {
            return TlsReportPostOutcome.Failure(TlsReportDeliveryReasons.RedirectNotFollowed, transient: false, $"HTTP {text}: redirects are not followed", status);
        }

        var transient = status is 408 or 425 or 429 or >= 500;
        return TlsReportPostOutcome.Failure(TlsReportDeliveryReasons.HttpStatusPrefix + text, transient, $"HTTP {text}", status);
    }

    public void Dispose() => _invoker.Dispose();
}
