using Microsoft.Extensions.Logging;

namespace MtaSts.Diagnostics;

/// <summary>Log messages of TXT discovery (event ids 100–199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, EventName = "DiscoveryLookup", Level = LogLevel.Debug,
        Message = "Looking up the MTA-STS TXT record at {QueryName}")]
    public static partial void DiscoveryLookup(ILogger logger, string queryName);

    [LoggerMessage(EventId = 101, EventName = "DiscoveryCnameFollowed", Level = LogLevel.Debug,
        Message = "{QueryName} is an alias; followed the CNAME chain to {FinalName} ({Hops} hops)")]
    public static partial void DiscoveryCnameFollowed(ILogger logger, string queryName, string finalName, int hops);

    [LoggerMessage(EventId = 102, EventName = "DiscoveryRecordFound", Level = LogLevel.Debug,
        Message = "MTA-STS record of {Domain} found: id {Id}, TTL {TimeToLive}, {WarningCount} warnings")]
    public static partial void DiscoveryRecordFound(ILogger logger, string domain, string id, TimeSpan timeToLive, int warningCount);

    [LoggerMessage(EventId = 103, EventName = "DiscoveryNotFound", Level = LogLevel.Debug,
        Message = "No MTA-STS record for {Domain}: {Reason}")]
    public static partial void DiscoveryNotFound(ILogger logger, string domain, string reason);

    [LoggerMessage(EventId = 104, EventName = "DiscoveryMultipleRecords", Level = LogLevel.Information,
        Message = "{Domain} publishes {Count} MTA-STS TXT records; exactly one is allowed, so none applies (RFC 8461 §3.1)")]
    public static partial void DiscoveryMultipleRecords(ILogger logger, string domain, int count);

    [LoggerMessage(EventId = 105, EventName = "DiscoveryInvalidRecord", Level = LogLevel.Information,
        Message = "The MTA-STS TXT record of {Domain} is invalid: {Errors}")]
    public static partial void DiscoveryInvalidRecord(ILogger logger, string domain, string errors);

    [LoggerMessage(EventId = 106, EventName = "DiscoveryDnsFailure", Level = LogLevel.Warning,
        Message = "MTA-STS TXT lookup for {Domain} failed temporarily ({ResponseCode}): {Reason}")]
    public static partial void DiscoveryDnsFailure(ILogger logger, string domain, string? responseCode, string reason);
}
