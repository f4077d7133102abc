namespace MtaSts;

/// <summary>What was seen when a resolution failed: enough to explain the failure to a person and to fill a TLS-RPT <c>failure-reason-code</c>.</summary>
public sealed class MtaStsEvidence
{
    private readonly string _message = string.Empty;
    private readonly string? _certificateProblem;

    /// <summary>A one-line explanation, such as <c>HTTP status 404 (only 200 is accepted)</c>.</summary>
    /// <remarks>Capped and made one line where it is set (<c>EvidenceText</c>): it may hold text a peer chose.</remarks>
    public required string Message { get => _message; init => _message = Diagnostics.EvidenceText.Cap(value); }

    /// <summary>The HTTP status of the policy response, when one was received.</summary>
    public int? HttpStatusCode { get; init; }

    /// <summary>The <c>Content-Type</c> of the policy response as received, when one was received.</summary>
    public string? ContentType { get; init; }

    /// <summary>The certificate or TLS problem with the policy host, when there was one (for example <c>RemoteCertificateNameMismatch</c> with the chain status).</summary>
    public string? CertificateProblem { get => _certificateProblem; init => _certificateProblem = value is null ? null : Diagnostics.EvidenceText.Cap(value); }

    /// <summary>The DNS response code of the TXT lookup, when it failed (for example <c>ServerFailure</c>).</summary>
    public string? DnsResponseCode { get; init; }

    /// <summary>Every TXT string found at <c>_mta-sts</c>, each record's strings joined, as seen.</summary>
    public IReadOnlyList<string> TxtRecords { get; init; } = [];

    /// <summary>The errors that made a record or policy invalid, with line numbers for policies.</summary>
    public IReadOnlyList<MtaStsDiagnostic> Errors { get; init; } = [];

    /// <summary>A compact code for a TLS-RPT <c>failure-reason-code</c>, such as <c>http-status-404</c> or <c>content-type</c>.</summary>
    public string? ReasonCode { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Message;
}
