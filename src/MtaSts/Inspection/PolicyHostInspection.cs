using System.Security.Authentication;

namespace MtaSts;

/// <summary>The policy fetch from <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c> as seen on the wire.</summary>
public sealed class PolicyHostInspection
{
    /// <summary>The policy URL.</summary>
    public required Uri Url { get; init; }

    /// <summary>What the sender concluded (<see cref="MtaStsFailure.None"/> when it took the policy).</summary>
    public MtaStsFailure Failure { get; init; }

    /// <summary>The HTTP status, when a response arrived.</summary>
    public int? HttpStatusCode { get; init; }

    /// <summary>The <c>Content-Type</c> as sent when the fetch failed; after a successful fetch the media type the sender accepted, <c>text/plain</c>.</summary>
    public string? ContentType { get; init; }

    /// <summary>The negotiated TLS version, when the handshake got that far.</summary>
    public SslProtocols? TlsProtocol { get; init; }

    /// <summary>The certificate the policy host presented, when one was seen.</summary>
    public InspectedCertificate? Certificate { get; init; }

    /// <summary>What was wrong with the TLS connection or certificate, when something was.</summary>
    public string? CertificateProblem { get; init; }

    /// <summary>How long the sender's fetch (with its retries) took.</summary>
    public TimeSpan Elapsed { get; init; }
}
