using System.Security.Cryptography.X509Certificates;
using MtaSts.Dns;

namespace MtaSts;

/// <summary>Settings of <see cref="TlsReportSender"/>: time limits, retries and trust for report delivery (RFC 8460 §5.4, §5.5).</summary>
/// <remarks>
/// The retries here are the short ones inside one <see cref="TlsReportSender.SendAsync"/> call. RFC 8460 §5.5 asks for
/// retries over up to 24 hours (RPT-5.5-a); that longer schedule belongs to whatever calls the sender, which can tell
/// from <see cref="TlsReportDeliveryAttempt.IsTransient"/> which endpoints are worth another call later.
/// </remarks>
public sealed class TlsReportDeliveryOptions
{
    /// <summary>How long one HTTPS POST may take, connection and TLS handshake included; default 30 seconds.</summary>
    public TimeSpan HttpsTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times one endpoint is tried in one call, the first try included; default 3, from 1 to 10.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The wait before the second try of an endpoint; each later wait doubles it (exponential back-off). Default 2 seconds.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two tries of an endpoint; default one minute.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Trust anchors added to the platform's for HTTPS reporting endpoints (for private CAs and test worlds). They add
    /// trust, they switch no check off: the certificate must still chain to a root and name the endpoint's host.
    /// </summary>
    public X509Certificate2Collection AdditionalTrustedRoots { get; } = [];

    /// <summary>
    /// Whether an HTTPS reporting endpoint's certificate is accepted even when it does not validate (expired,
    /// self-signed, from an unknown CA, naming another host); default <see langword="false"/>. RFC 8460 §3 lets a
    /// sender ignore such errors (a report holds no secrets), but this is never the default: turn it on only when the
    /// receivers you report to are known to run endpoints with broken certificates. TLS 1.2 or later is still required,
    /// <c>http:</c> endpoints are still refused and <see cref="AllowPrivateAddresses"/> still applies.
    /// </summary>
    public bool AcceptInvalidCertificates { get; set; }

    /// <summary>
    /// Whether an HTTPS endpoint may be at a loopback, private, shared, link-local or unique-local address; default
    /// <see langword="false"/>. A <c>rua</c> comes from the DNS of any domain mail is sent to, so by default reports are
    /// never posted into the sender's own network.
    /// </summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>The address lookup for HTTPS endpoint hosts; the operating system's when <see langword="null"/>. For test worlds.</summary>
    internal IHostAddressResolver? AddressResolver { get; set; }

    internal TlsReportDeliveryOptions Copy()
    {
        var copy = new TlsReportDeliveryOptions
        {
            HttpsTimeout = HttpsTimeout,
            MaxAttempts = MaxAttempts,
            InitialRetryDelay = InitialRetryDelay,
            MaxRetryDelay = MaxRetryDelay,
            AllowPrivateAddresses = AllowPrivateAddresses,
            AcceptInvalidCertificates = AcceptInvalidCertificates,
            AddressResolver = AddressResolver,
        };
        copy.AdditionalTrustedRoots.AddRange(AdditionalTrustedRoots);
        return copy;
    }

    internal void Validate()
    {
        if (HttpsTimeout <= TimeSpan.Zero || HttpsTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(HttpsTimeout), HttpsTimeout, "HttpsTimeout is more than 0 and at most 10 minutes.");
        }

        if (MaxAttempts is < 1 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "MaxAttempts is from 1 to 10.");
        }

        if (InitialRetryDelay < TimeSpan.Zero || InitialRetryDelay > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(InitialRetryDelay), InitialRetryDelay, "InitialRetryDelay is from 0 to 1 hour.");
        }

        if (MaxRetryDelay < InitialRetryDelay || MaxRetryDelay > TimeSpan.FromHours(6))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryDelay), MaxRetryDelay, "MaxRetryDelay is at least InitialRetryDelay and at most 6 hours.");
        }
    }
}
