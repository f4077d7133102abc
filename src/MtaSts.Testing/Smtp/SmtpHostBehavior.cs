using System.Security.Authentication;

namespace MtaSts.Testing;

/// <summary>
/// How one host of a <see cref="LoopbackSmtpServer"/> behaves, chosen so that each TLS failure a sender reports under
/// RFC 8460 can be produced: no STARTTLS offered, STARTTLS refused, a failing handshake, a bad certificate, a slow or
/// rejecting greeting. The defaults give a well-behaved server with a valid certificate.
/// </summary>
/// <remarks>A connection refused (RFC 8460 <c>validation-failure</c> at TCP level) needs no behaviour: a host name that was never added has no listener.</remarks>
public sealed record SmtpHostBehavior
{
    /// <summary>The kind of certificate the host presents after STARTTLS.</summary>
    /// <value>The default is <see cref="TestCertificateKind.Valid"/>.</value>
    public TestCertificateKind Certificate { get; init; } = TestCertificateKind.Valid;

    /// <summary>Whether the EHLO reply lists STARTTLS and the command is accepted. <see langword="false"/> answers STARTTLS with <c>502</c>.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool OfferStartTls { get; init; } = true;

    /// <summary>
    /// The reply line to STARTTLS, e.g. <c>454 4.7.0 TLS not available</c> to refuse it. A reply starting with <c>220</c>
    /// is followed by the handshake; any other leaves the session in plain text.
    /// </summary>
    /// <value>The default is <see langword="null"/>: <c>220 2.0.0 Ready to start TLS</c>.</value>
    public string? StartTlsReply { get; init; }

    /// <summary>
    /// The TLS versions the host accepts. On Linux with OpenSSL 3 a host limited to TLS 1.0 or 1.1 fails every
    /// handshake (see <see cref="PolicyHost"/>), which makes it a portable "handshake fails" case.
    /// </summary>
    /// <value>The default is <see langword="null"/>: the platform's default versions.</value>
    public SslProtocols? TlsProtocols { get; init; }

    /// <summary>How long the host waits after accepting a connection before it sends its greeting, to test a client's timeouts.</summary>
    /// <value>The default is <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan GreetingDelay { get; init; }

    /// <summary>
    /// The greeting line instead of <c>220 &lt;host&gt; ESMTP</c>, e.g. <c>554 5.3.2 No service</c>. After a greeting
    /// that does not start with <c>220</c> the host answers every command but QUIT with <c>503</c> (RFC 5321 §3.1).
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Greeting { get; init; }

    /// <summary>Whether the host closes the connection right after its greeting.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool CloseAfterGreeting { get; init; }
}
