namespace MtaSts;

/// <summary>What a look at <c>_smtp._tls.&lt;domain&gt;</c> found.</summary>
public sealed class TlsRptDiscoveryResult
{
    internal TlsRptDiscoveryResult(string domain, TlsRptRecordStatus status, TlsRptRecordParseResult? parsed, TimeSpan timeToLive, string? message)
    {
        Domain = domain;
        Status = status;
        Record = parsed?.Record;
        Errors = parsed?.Errors ?? [];
        Warnings = parsed?.Warnings ?? [];
        TimeToLive = timeToLive;
        Message = message;
    }

    /// <summary>The domain looked up (without the <c>_smtp._tls.</c> label).</summary>
    public string Domain { get; }

    /// <summary>What was found.</summary>
    public TlsRptRecordStatus Status { get; }

    /// <summary>The record when <see cref="Status"/> is <see cref="TlsRptRecordStatus.Found"/>.</summary>
    public TlsRptRecord? Record { get; }

    /// <summary>Why the record is not usable (codes of <see cref="TlsRptRecordParser"/>), when it is not.</summary>
    public IReadOnlyList<MtaStsDiagnostic> Errors { get; }

    /// <summary>Warnings about a usable record (for example a skipped <c>rua</c> URI, decision R-5).</summary>
    public IReadOnlyList<MtaStsDiagnostic> Warnings { get; }

    /// <summary>How long the answer may be cached (the TXT TTL, or the negative-caching TTL; zero after a DNS failure).</summary>
    public TimeSpan TimeToLive { get; }

    /// <summary>A one-line explanation when no usable record was found.</summary>
    public string? Message { get; }

    /// <inheritdoc/>
    public override string ToString() => Message is null ? $"{Domain}: {Status}" : $"{Domain}: {Status} ({Message})";
}
