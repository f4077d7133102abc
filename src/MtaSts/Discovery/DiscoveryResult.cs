namespace MtaSts.Discovery;

/// <summary>The result of a discovery.</summary>
internal sealed class DiscoveryResult
{
    public required DiscoveryStatus Status { get; init; }

    /// <summary>The record when <see cref="Status"/> is <see cref="DiscoveryStatus.Found"/>.</summary>
    public MtaStsRecord? Record { get; init; }

    /// <summary>The TTL of the answer (the TXT RRset's TTL, or the negative-caching TTL for NXDOMAIN/NODATA when known; zero when unknown).</summary>
    public TimeSpan TimeToLive { get; init; }

    /// <summary>Every TXT record at the name, each one's strings joined.</summary>
    public IReadOnlyList<string> TxtRecords { get; init; } = [];

    /// <summary>Errors of an invalid record.</summary>
    public IReadOnlyList<MtaStsDiagnostic> Errors { get; init; } = [];

    /// <summary>Warnings of a valid record.</summary>
    public IReadOnlyList<MtaStsDiagnostic> Warnings { get; init; } = [];

    /// <summary>A one-line explanation when the status is not <see cref="DiscoveryStatus.Found"/>.</summary>
    public string? Message { get; init; }

    /// <summary>The DNS response code on failure (for example <c>ServerFailure</c>), or <see langword="null"/>.</summary>
    public string? DnsResponseCode { get; init; }
}
