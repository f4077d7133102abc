using System.Security.Authentication;

namespace MtaSts;

/// <summary>
/// What <see cref="MtaStsInspector"/> found for one domain: the findings, and the facts they were drawn from (the TXT
/// records, the policy host, the policy, the delivery plan, the probe, the TLS-RPT record).
/// </summary>
public sealed class DomainInspection
{
    /// <summary>The domain, normalised (lower-case A-label, no trailing dot).</summary>
    public required string Domain { get; init; }

    /// <summary>The domain as the caller gave it.</summary>
    public required string Input { get; init; }

    /// <summary>Every finding, in the order of the checks: TXT, policy host, policy, MX set, DANE, TLS-RPT, probe.</summary>
    public required IReadOnlyList<InspectionFinding> Findings { get; init; }

    /// <summary>Every TXT record at <c>_mta-sts</c> and what a sender makes of it.</summary>
    public IReadOnlyList<TxtRecordInspection> TxtRecords { get; init; } = [];

    /// <summary>The policy fetch as seen on the wire, or <see langword="null"/> when no fetch was made (no record).</summary>
    public PolicyHostInspection? PolicyHost { get; init; }

    /// <summary>The MTA-STS resolution a sender makes now (fresh: no cache, no store, no override).</summary>
    public MtaStsResolution? Resolution { get; init; }

    /// <summary>The delivery plan a sender makes now, or <see langword="null"/> when planning failed.</summary>
    public DeliveryPlan? Plan { get; init; }

    /// <summary>The STARTTLS probe of the MX hosts, or <see langword="null"/> with <see cref="InspectionOptions.NoConnect"/>.</summary>
    public DomainProbeResult? Probe { get; init; }

    /// <summary>The <c>_smtp._tls</c> lookup.</summary>
    public TlsRptDiscoveryResult? TlsRpt { get; init; }

    /// <summary>How long the whole inspection took.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Whether any finding is an <see cref="InspectionSeverity.Error"/>.</summary>
    public bool HasErrors => Findings.Any(static f => f.Severity == InspectionSeverity.Error);
}

/// <summary>One TXT record at <c>_mta-sts.&lt;domain&gt;</c> and what a sender makes of it.</summary>
public sealed class TxtRecordInspection
{
    /// <summary>The record, its character-strings joined (sanitised and capped for display).</summary>
    public required string Text { get; init; }

    /// <summary>Whether it begins with <c>v=STSv1</c> and a delimiter, the test that selects MTA-STS records (RFC 8461 §3.1).</summary>
    public required bool IsStsRecord { get; init; }

    /// <summary>Whether it is the one record senders use (the only STS record, and valid).</summary>
    public required bool IsSelected { get; init; }

    /// <summary>Why it is or is not the record, in one sentence.</summary>
    public required string Reason { get; init; }
}

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

/// <summary>The facts of a server certificate that matter to its owner.</summary>
/// <param name="Subject">The subject distinguished name.</param>
/// <param name="Issuer">The issuer distinguished name.</param>
/// <param name="DnsNames">The SAN dNSName entries.</param>
/// <param name="NotBefore">Start of validity (UTC).</param>
/// <param name="NotAfter">End of validity (UTC).</param>
/// <param name="Chain">The subjects of the chain the client built, leaf first.</param>
public sealed record InspectedCertificate(string Subject, string Issuer, IReadOnlyList<string> DnsNames, DateTimeOffset NotBefore, DateTimeOffset NotAfter, IReadOnlyList<string> Chain)
{
    /// <summary>Whole days from <paramref name="now"/> to <see cref="NotAfter"/> (negative once expired).</summary>
    /// <param name="now">The current time.</param>
    /// <returns>The days left.</returns>
    public int DaysLeft(DateTimeOffset now) => (int)Math.Floor((NotAfter - now).TotalDays);
}
