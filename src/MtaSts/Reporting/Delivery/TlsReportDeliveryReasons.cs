namespace MtaSts;

/// <summary>
/// The reason codes of <see cref="TlsReportDeliveryAttempt.ReasonCode"/> that the sender itself gives. HTTPS transport
/// failures use the codes of the policy fetch: <c>timeout</c>, <c>name-resolution</c>, <c>connection-refused</c>,
/// <c>connection-reset</c>, <c>connection-error</c>, <c>address-not-allowed</c>, <c>tls-handshake</c>,
/// <c>certificate-untrusted</c>, <c>certificate-name-mismatch</c>, <c>certificate-expired</c>, <c>http-error</c>.
/// </summary>
public static class TlsReportDeliveryReasons
{
    /// <summary>An HTTP status that is neither 2xx nor 3xx; the code is this prefix and the status, e.g. <c>http-status-500</c>.</summary>
    public const string HttpStatusPrefix = "http-status-";

    /// <summary>The endpoint answered with a redirect (3xx); redirects are not followed.</summary>
    public const string RedirectNotFollowed = "redirect-not-followed";

    /// <summary>The endpoint is an <c>http:</c> URI: reports go over HTTPS only.</summary>
    public const string InsecureScheme = "insecure-scheme";

    /// <summary>The endpoint's scheme is neither <c>https:</c> nor <c>mailto:</c>.</summary>
    public const string UnsupportedScheme = "unsupported-scheme";

    /// <summary>A <c>mailto:</c> endpoint, and no <see cref="ITlsReportMailer"/> is configured (status Skipped).</summary>
    public const string NoMailer = "no-mailer";

    /// <summary>A <c>mailto:</c> URI without a usable address (or one with characters that do not belong in an address).</summary>
    public const string InvalidMailto = "invalid-mailto";

    /// <summary>No complete answer within <see cref="TlsReportDeliveryOptions.HttpsTimeout"/>.</summary>
    public const string Timeout = "timeout";

    /// <summary>The mailer failed without saying why (it threw something other than <see cref="TlsReportDeliveryException"/>).</summary>
    public const string MailError = "mail-error";
}
