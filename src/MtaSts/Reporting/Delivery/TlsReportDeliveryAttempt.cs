namespace MtaSts;

/// <summary>The outcome of sending one report to one <c>rua</c> endpoint, after all its tries.</summary>
public sealed class TlsReportDeliveryAttempt
{
    /// <summary>The endpoint, as published.</summary>
    public required Uri Uri { get; init; }

    /// <summary>HTTPS or e-mail.</summary>
    public required TlsReportDeliveryMethod Method { get; init; }

    /// <summary>Delivered, failed or skipped.</summary>
    public required TlsReportDeliveryStatus Status { get; init; }

    /// <summary>
    /// Why the report was not delivered, as a stable code (see <see cref="TlsReportDeliveryReasons"/>; for e-mail also
    /// the codes of the <see cref="ITlsReportMailer"/>); <see langword="null"/> when it was. Never exception text.
    /// </summary>
    public string? ReasonCode { get; init; }

    /// <summary>The HTTP status of the last answer, when an HTTPS endpoint answered.</summary>
    public int? HttpStatusCode { get; init; }

    /// <summary>How many tries were made (0 when skipped).</summary>
    public int Tries { get; init; }

    /// <summary>Whether the last failure was of a kind that may pass (a timeout, a 5xx, a refused connection): worth a later call (RPT-5.5-a).</summary>
    public bool IsTransient { get; init; }

    /// <inheritdoc/>
    public override string ToString() => ReasonCode is null ? $"{Uri}: {Status}" : $"{Uri}: {Status} ({ReasonCode})";
}
