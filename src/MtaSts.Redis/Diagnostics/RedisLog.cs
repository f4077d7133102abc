using System.Net;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace MtaSts.Redis.Diagnostics;

/// <summary>
/// Log messages of the Redis policy store (event ids 440–449, inside the store range 420–459 of the core library, whose
/// own messages use 420–439).
/// </summary>
internal static partial class RedisLog
{
    internal const int IdEntryIgnored = 440;
    internal const int IdWriteFailed = 441;
    internal const int IdForeignKeyReplaced = 442;
    internal const int IdConnectionFailed = 443;
    internal const int IdConnectionRestored = 444;

    [LoggerMessage(EventId = IdEntryIgnored, EventName = "RedisStoreEntryIgnored", Level = LogLevel.Warning,
        Message = "The Redis policy store ignores key {Key}: {Problem}")]
    internal static partial void EntryIgnored(ILogger logger, string key, string problem);

    [LoggerMessage(EventId = IdWriteFailed, EventName = "RedisStoreWriteFailed", Level = LogLevel.Warning,
        Message = "The Redis policy store could not write key {Key}: {Problem}")]
    internal static partial void WriteFailed(ILogger logger, string key, string problem);

    [LoggerMessage(EventId = IdForeignKeyReplaced, EventName = "RedisStoreForeignKeyReplaced", Level = LogLevel.Warning,
        Message = "The Redis policy store replaces key {Key}, which holds a value of another Redis type")]
    internal static partial void ForeignKeyReplaced(ILogger logger, string key);

    [LoggerMessage(EventId = IdConnectionFailed, EventName = "RedisStoreConnectionFailed", Level = LogLevel.Warning,
        Message = "The Redis policy store lost its connection to {EndPoint} ({FailureType}, {ExceptionType}); the resolver goes on from memory meanwhile")]
    internal static partial void ConnectionFailed(ILogger logger, EndPoint? endPoint, ConnectionFailureType failureType, string exceptionType);

    [LoggerMessage(EventId = IdConnectionRestored, EventName = "RedisStoreConnectionRestored", Level = LogLevel.Information,
        Message = "The Redis policy store is connected to {EndPoint} again")]
    internal static partial void ConnectionRestored(ILogger logger, EndPoint? endPoint);
}
