using Microsoft.Extensions.Logging;

namespace MtaSts.Diagnostics;

/// <summary>Log messages of the policy store, the refresher and the downgrade signals (event ids 420–459).</summary>
internal static partial class Log
{
    internal const int IdStoreSkipped = 420;
    internal const int IdStoreEntryUnusable = 421;
    internal const int IdPolicyRestored = 422;
    internal const int IdStoreWriteKept = 423;
    internal const int IdDowngradeDetected = 424;
    internal const int IdEventHandlerFailed = 425;
    internal const int IdRefreshing = 426;
    internal const int IdRefresherPassFailed = 427;
    internal const int IdRefresherStarted = 428;
    internal const int IdRefresherStopped = 429;
    internal const int IdFileStoreEntryIgnored = 430;
    internal const int IdFileStoreWriteFailed = 431;
    internal const int IdOverrideApplied = 432;

    // 440–449: the Redis store (MtaSts.Redis, Diagnostics/RedisLog.cs).

    [LoggerMessage(EventId = IdStoreSkipped, EventName = "StoreSkipped", Level = LogLevel.Warning,
        Message = "The policy store was skipped for {PolicyDomain} ({Operation}: {Problem}); the resolution goes on from memory and the network")]
    internal static partial void StoreSkipped(ILogger logger, string policyDomain, string operation, string problem);

    [LoggerMessage(EventId = IdStoreEntryUnusable, EventName = "StoreEntryUnusable", Level = LogLevel.Warning,
        Message = "The policy store's entry for {PolicyDomain} is ignored: {Problem}")]
    internal static partial void StoreEntryUnusable(ILogger logger, string policyDomain, string problem);

    [LoggerMessage(EventId = IdPolicyRestored, EventName = "PolicyRestored", Level = LogLevel.Debug,
        Message = "Read {PolicyDomain} from the policy store: {Entry}")]
    internal static partial void PolicyRestored(ILogger logger, string policyDomain, string entry);

    [LoggerMessage(EventId = IdStoreWriteKept, EventName = "StoreWriteKept", Level = LogLevel.Debug,
        Message = "The policy store kept its newer entry for {PolicyDomain} (decision S-4)")]
    internal static partial void StoreWriteKept(ILogger logger, string policyDomain);

    [LoggerMessage(EventId = IdDowngradeDetected, EventName = "DowngradeDetected", Level = LogLevel.Warning,
        Message = "MTA-STS downgrade signal for {PolicyDomain}: {Kinds} (previous: {Previous}; now: {Current})")]
    internal static partial void DowngradeDetected(ILogger logger, string policyDomain, string kinds, string previous, string current);

    [LoggerMessage(EventId = IdEventHandlerFailed, EventName = "EventHandlerFailed", Level = LogLevel.Error,
        Message = "A handler of the {EventName} event threw; the resolution is not affected")]
    internal static partial void EventHandlerFailed(ILogger logger, string eventName, Exception exception);

    [LoggerMessage(EventId = IdRefreshing, EventName = "Refreshing", Level = LogLevel.Debug,
        Message = "Refreshing the MTA-STS policy of {PolicyDomain} before it expires (due since {DueAt:O})")]
    internal static partial void Refreshing(ILogger logger, string policyDomain, DateTimeOffset dueAt);

    [LoggerMessage(EventId = IdRefresherPassFailed, EventName = "RefresherPassFailed", Level = LogLevel.Error,
        Message = "A refresh of the MTA-STS policy of {PolicyDomain} failed unexpectedly")]
    internal static partial void RefresherPassFailed(ILogger logger, string policyDomain, Exception exception);

    [LoggerMessage(EventId = IdRefresherStarted, EventName = "RefresherStarted", Level = LogLevel.Information,
        Message = "The MTA-STS policy refresher started: every {Interval}, domains used within {RecentlyUsed}, at most {Concurrency} at a time")]
    internal static partial void RefresherStarted(ILogger logger, TimeSpan interval, TimeSpan recentlyUsed, int concurrency);

    [LoggerMessage(EventId = IdRefresherStopped, EventName = "RefresherStopped", Level = LogLevel.Information,
        Message = "The MTA-STS policy refresher stopped")]
    internal static partial void RefresherStopped(ILogger logger);

    [LoggerMessage(EventId = IdFileStoreEntryIgnored, EventName = "FileStoreEntryIgnored", Level = LogLevel.Warning,
        Message = "The policy store file {FileName} is ignored: {Problem}")]
    internal static partial void FileStoreEntryIgnored(ILogger logger, string fileName, string problem);

    [LoggerMessage(EventId = IdFileStoreWriteFailed, EventName = "FileStoreWriteFailed", Level = LogLevel.Warning,
        Message = "The policy store could not write {FileName}: {Problem}")]
    internal static partial void FileStoreWriteFailed(ILogger logger, string fileName, string problem);

    [LoggerMessage(EventId = IdOverrideApplied, EventName = "OverrideApplied", Level = LogLevel.Debug,
        Message = "A local override applies to {PolicyDomain}: {Override}")]
    internal static partial void OverrideApplied(ILogger logger, string policyDomain, string @override);
}
