using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using MtaSts.Diagnostics;
using Polly.Timeout;

namespace MtaSts.Fetching;

/// <summary>
/// What went wrong in a policy fetch, as a classified failure with evidence: which exceptions are transient (worth
/// another attempt), which reason code an exception gets, and the one factory of failed results.
/// </summary>
internal static class PolicyFetchFailures
{
    private const int MaxEchoedLength = 200;

    /// <summary>Refused or reset connections and timeouts are transient; TLS, certificate and name resolution failures are not.</summary>
    public static bool IsTransient(Exception exception)
    {
        if (exception is TimeoutRejectedException)
        {
            return true;
        }

        if (Find<PolicyHostAddressException>(exception) is not null)
        {
            return false;
        }

        if (Find<AuthenticationException>(exception) is not null
            || HasRequestError(exception, HttpRequestError.SecureConnectionError)
            || HasRequestError(exception, HttpRequestError.NameResolutionError))
        {
            return false;
        }

        if (exception is OperationCanceledException)
        {
            // The handler's connect timeout (or HttpClient.Timeout): an OperationCanceledException around a TimeoutException.
            // The caller's cancellation and the total timeout carry none, and Polly never retries them anyway.
            return Find<TimeoutException>(exception) is not null;
        }

        if (Find<SocketException>(exception) is not null)
        {
            return true;
        }

        if (Find<HttpRequestException>(exception) is { } http)
        {
            return http.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded;
        }

        return Find<IOException>(exception) is not null;
    }

    /// <summary>Turns an exception that ended the fetch into a classified failure with evidence.</summary>
    public static PolicyFetchResult Classify(Exception exception, string host)
    {
        if (Find<PolicyHostCertificateException>(exception) is { } certificate)
        {
            return Failed(MtaStsFailure.WebPkiInvalid, $"the TLS certificate of {host} was rejected: {certificate.Problem}", certificate.ReasonCode, certificateProblem: certificate.Problem);
        }

        if (Find<PolicyHostAddressException>(exception) is { } address)
        {
            return Failed(MtaStsFailure.PolicyFetchError, address.Message, PolicyHostAddressException.ReasonCode);
        }

        if (exception is TimeoutRejectedException rejected)
        {
            return Failed(MtaStsFailure.PolicyFetchError, $"no complete response from {host} within {Seconds(rejected.Timeout)}", "timeout");
        }

        if (exception is OperationCanceledException canceled)
        {
            string detail = Find<TimeoutException>(canceled)?.Message ?? canceled.Message;
            return Failed(MtaStsFailure.PolicyFetchError, $"timed out talking to {host}: {OneLine(detail)}", "timeout");
        }

        AuthenticationException? authentication = Find<AuthenticationException>(exception);
        if (authentication is not null || HasRequestError(exception, HttpRequestError.SecureConnectionError))
        {
            // SslStream's own message ("Authentication failed, see inner exception.") says nothing: the innermost
            // exception (the TLS library's error) does.
            Exception cause = authentication?.InnerException is null ? authentication ?? Innermost(exception) : Innermost(authentication);
            string detail = OneLine(cause.Message);
            return HandshakeFailure(host, detail);
        }

        if (FindRequestError(exception, HttpRequestError.NameResolutionError) is { } resolution)
        {
            return Failed(MtaStsFailure.PolicyFetchError, $"the address lookup of {host} failed: {OneLine(resolution.Message)}", "name-resolution");
        }

        SocketException? socket = Find<SocketException>(exception);
        switch (socket?.SocketErrorCode)
        {
            case SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain:
                return Failed(MtaStsFailure.PolicyFetchError, $"the address lookup of {host} failed: {OneLine(socket.Message)}", "name-resolution");
            case SocketError.ConnectionRefused:
                return Failed(MtaStsFailure.PolicyFetchError, $"{host} refused the connection: {OneLine(Innermost(exception).Message)}", "connection-refused");
            case SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown:
                return Failed(MtaStsFailure.PolicyFetchError, $"the connection to {host} was reset: {OneLine(socket.Message)}", "connection-reset");
            case SocketError.TimedOut:
                return Failed(MtaStsFailure.PolicyFetchError, $"connecting to {host} timed out", "timeout");
        }

        HttpRequestException? http = Find<HttpRequestException>(exception);
        if (socket is not null || http?.HttpRequestError == HttpRequestError.ConnectionError)
        {
            return Failed(MtaStsFailure.PolicyFetchError, $"could not connect to {host}: {OneLine((http ?? exception).Message)}", "connection-error");
        }

        if (http?.HttpRequestError == HttpRequestError.ResponseEnded || (http is null && Find<IOException>(exception) is not null))
        {
            return Failed(MtaStsFailure.PolicyFetchError, $"the connection to {host} ended early: {OneLine(Innermost(exception).Message)}", "connection-reset");
        }

        if (http is not null)
        {
            return Failed(MtaStsFailure.PolicyFetchError, $"the HTTP exchange with {host} failed ({http.HttpRequestError}): {OneLine(http.Message)}", "http-error");
        }

        return Failed(MtaStsFailure.PolicyFetchError, $"fetching from {host} failed: {exception.GetType().Name}: {OneLine(exception.Message)}", "fetch-error");
    }

    /// <summary>A failed TLS handshake, with a specific reason where the TLS library's error names one.</summary>
    private static PolicyFetchResult HandshakeFailure(string host, string detail)
    {
        if (IsOversizedHandshakeMessage(detail))
        {
            string problem = $"the server's certificate message is larger than the TLS stack accepts (an oversized certificate or chain): {detail}";
            return Failed(MtaStsFailure.WebPkiInvalid, $"the TLS handshake with {host} failed: {problem}", "certificate-too-large", certificateProblem: problem);
        }

        return Failed(MtaStsFailure.WebPkiInvalid, $"the TLS handshake with {host} failed: {detail}", "tls-handshake", certificateProblem: detail);
    }

    /// <summary>
    /// Whether a TLS library's error text says a handshake message was over its limit (a certificate with thousands of
    /// names, say): OpenSSL words it "excessive message size"; other platforms word it differently, and then the caller's
    /// generic reason stays. Shared by the policy fetcher and the MX probe.
    /// </summary>
    internal static bool IsOversizedHandshakeMessage(string detail) =>
        detail.Contains("excessive message size", StringComparison.OrdinalIgnoreCase)
        || detail.Contains("message too long", StringComparison.OrdinalIgnoreCase);

    internal static PolicyFetchResult Failed(MtaStsFailure failure, string message, string reasonCode, int? status = null, string? contentType = null, string? certificateProblem = null) => new()
    {
        Failure = failure,
        HttpStatusCode = status,
        Evidence = new MtaStsEvidence
        {
            Message = message,
            HttpStatusCode = status,
            ContentType = contentType,
            CertificateProblem = certificateProblem,
            ReasonCode = reasonCode,
        },
    };

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }

        return null;
    }

    private static bool HasRequestError(Exception exception, HttpRequestError error) => FindRequestError(exception, error) is not null;

    private static HttpRequestException? FindRequestError(Exception exception, HttpRequestError error)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException http && http.HttpRequestError == error)
            {
                return http;
            }
        }

        return null;
    }

    internal static Exception Innermost(Exception exception)
    {
        Exception current = exception;
        while (current.InnerException is not null)
        {
            current = current.InnerException;
        }

        return current;
    }

    private static string Seconds(TimeSpan value) =>
        value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    internal static string OneLine(string text) => Echo(text, 500);

    /// <summary>Text from the network, made safe for a one-line message: control characters replaced, length capped.</summary>
    internal static string Echo(string text, int max = MaxEchoedLength) => EvidenceText.Cap(text, max);
}
