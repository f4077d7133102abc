using System.Net;
using System.Security.Authentication;

namespace MtaSts;

/// <summary>
/// What probing one MX host found: whether it was tried (hosts the plan skips are not), the SMTP and TLS facts, the
/// certificate check, and the verdict after the connection.
/// </summary>
public sealed class MxProbeResult
{
    /// <summary>The decision the probe followed (host, SNI, certificate requirement).</summary>
    public required MxDecision Decision { get; init; }

    /// <summary>
    /// The verdict after the connection: the plan allowed the host, it answered, and everything the plan requires
    /// held. A host whose certificate fails a required check is not usable; under MTA-STS <c>testing</c> it stays usable
    /// with <see cref="Validated"/> = <see langword="false"/>.
    /// </summary>
    public required bool IsUsable { get; init; }

    /// <summary>Whether a TCP connection was made (<see langword="false"/> for hosts the plan skips).</summary>
    public bool Connected { get; init; }

    /// <summary>The address connected to (the last one tried when none answered); <see langword="null"/> when none was tried.</summary>
    public IPAddress? RemoteAddress { get; init; }

    /// <summary>The local address of the connection (the <c>sending-mta-ip</c> of a report).</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>The host name the server gave in its EHLO reply (else its greeting), for <c>receiving-mx-helo</c>.</summary>
    public string? ServerName { get; init; }

    /// <summary>Whether the server offered STARTTLS in its EHLO reply.</summary>
    public bool StartTlsOffered { get; init; }

    /// <summary>Whether the TLS handshake completed.</summary>
    public bool TlsEstablished { get; init; }

    /// <summary>The TLS version negotiated; <see langword="null"/> without TLS.</summary>
    public SslProtocols? TlsProtocol { get; init; }

    /// <summary>The server's certificate as presented; <see langword="null"/> when none was seen.</summary>
    public MxCertificateInfo? Certificate { get; init; }

    /// <summary>The certificate check of the decision's requirement; <see langword="null"/> when no certificate was checked.</summary>
    public CertificateValidationResult? CertificateCheck { get; init; }

    /// <summary>
    /// Whether the presented certificate passed the decision's requirement (<see langword="true"/> also when nothing is
    /// required); <see langword="null"/> when no certificate was checked.
    /// </summary>
    public bool? Validated => CertificateCheck is null ? null : CertificateCheck.Verdict == CertificateVerdict.Passed;

    /// <summary>What failed, as an RFC 8460 result type; <see langword="null"/> when nothing did.</summary>
    public TlsRptResultType? Failure { get; init; }

    /// <summary>The stable reason code of <see cref="Failure"/> (<see cref="TlsRptReasonCodes"/>).</summary>
    public string? ReasonCode { get; init; }

    /// <summary>One sentence on the outcome, for people (never exception text).</summary>
    public required string Reason { get; init; }

    /// <summary>How long the probe of this host took.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Decision.Host}: {(IsUsable ? "use" : "skip")} ({Reason})";
}
