namespace MtaSts;

/// <summary>
/// Counts SMTP sessions for TLS-RPT (RFC 8460 §4): one <see cref="Record"/> call per session or attempt. Report
/// deliveries themselves are never recorded (decision R-13).
/// </summary>
public interface ITlsReportRecorder
{
    /// <summary>Counts a session. Never blocks on I/O and never throws for a well-formed session.</summary>
    /// <param name="session">The session.</param>
    /// <exception cref="ArgumentException">The session has no recipient domain or policy, or the domain is not a domain name.</exception>
    void Record(TlsSession session);
}
