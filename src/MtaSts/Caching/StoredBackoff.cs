namespace MtaSts;

/// <summary>A failed policy fetch remembered for one TXT record id: no new attempt before <see cref="Until"/> (RFC 8461 §3.3).</summary>
public sealed class StoredBackoff
{
    /// <summary>The TXT record id whose policy could not be fetched.</summary>
    public required string RecordId { get; init; }

    /// <summary>No fetch for <see cref="RecordId"/> before this instant.</summary>
    public required DateTimeOffset Until { get; init; }

    /// <summary>How the fetch failed.</summary>
    public required MtaStsFailure Failure { get; init; }

    /// <summary>The stable reason code of the failure (for example <c>http-status-404</c>), when known.</summary>
    public string? ReasonCode { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"back-off for id {RecordId} until {Until:O} ({MtaStsResolution.GetReportResultType(Failure) ?? Failure.ToString()}{(ReasonCode is null ? string.Empty : ", " + ReasonCode)})";
}
