namespace MtaSts;

/// <summary>
/// One <c>failure-details</c> entry as it stands in a report (RFC 8460 §4.4), written by us or read from another sender:
/// the values as text, so that a report using a result type or address form we do not know still reads.
/// </summary>
public sealed class TlsReportFailureDetail
{
    /// <summary>The <c>result-type</c>; see <see cref="TlsRptTokens.TryParseResultType"/>.</summary>
    public required string ResultType { get; init; }

    /// <summary>The <c>sending-mta-ip</c>, when given.</summary>
    public string? SendingMtaIp { get; init; }

    /// <summary>The <c>receiving-mx-hostname</c>, when given.</summary>
    public string? ReceivingMxHostname { get; init; }

    /// <summary>The <c>receiving-mx-helo</c>, when given.</summary>
    public string? ReceivingMxHelo { get; init; }

    /// <summary>The <c>receiving-ip</c>, when given.</summary>
    public string? ReceivingIp { get; init; }

    /// <summary>The <c>failed-session-count</c>.</summary>
    public required long FailedSessionCount { get; init; }

    /// <summary>The <c>additional-information</c> URI, when given.</summary>
    public string? AdditionalInformation { get; init; }

    /// <summary>The <c>failure-reason-code</c>, when given.</summary>
    public string? FailureReasonCode { get; init; }

    /// <summary>The entry as we write it for a failure count.</summary>
    internal static TlsReportFailureDetail From(TlsReportFailureCount count) => new()
    {
        ResultType = TlsRptTokens.ToToken(count.Failure.ResultType),
        SendingMtaIp = count.Failure.SendingMtaIp?.ToString(),
        ReceivingMxHostname = count.Failure.ReceivingMxHostname,
        ReceivingMxHelo = count.Failure.ReceivingMxHelo,
        ReceivingIp = count.Failure.ReceivingIp?.ToString(),
        FailedSessionCount = count.Count,
        AdditionalInformation = count.Failure.AdditionalInformation,
        FailureReasonCode = count.Failure.FailureReasonCode,
    };
}
