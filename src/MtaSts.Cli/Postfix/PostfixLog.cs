using Microsoft.Extensions.Logging;

namespace MtaSts.Cli.Postfix;

/// <summary>Log messages of <c>mta-sts postfix</c> (event ids 1000–1019). Exceptions are logged by type name only.</summary>
internal static partial class PostfixLog
{
    [LoggerMessage(EventId = 1000, EventName = "Listening", Level = LogLevel.Information,
        Message = "Listening on {EndPoint} for socketmap names {MapNames}")]
    public static partial void Listening(ILogger logger, string endPoint, IReadOnlyList<string> mapNames);

    [LoggerMessage(EventId = 1001, EventName = "Stopping", Level = LogLevel.Information,
        Message = "Stopping: {Connections} connection(s) open")]
    public static partial void Stopping(ILogger logger, int connections);

    [LoggerMessage(EventId = 1002, EventName = "Stopped", Level = LogLevel.Information, Message = "Stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 1003, EventName = "ProtocolError", Level = LogLevel.Warning,
        Message = "Protocol error from {Peer}: {Problem}; connection closed")]
    public static partial void ProtocolError(ILogger logger, string peer, string problem);

    [LoggerMessage(EventId = 1004, EventName = "RequestTimedOut", Level = LogLevel.Warning,
        Message = "A request from {Peer} was not complete within {Seconds} s; connection closed")]
    public static partial void RequestTimedOut(ILogger logger, string peer, double seconds);

    [LoggerMessage(EventId = 1005, EventName = "ConnectionLimit", Level = LogLevel.Warning,
        Message = "{Limit} connections are open (--max-connections); new connections are closed until one ends")]
    public static partial void ConnectionLimit(ILogger logger, int limit);

    [LoggerMessage(EventId = 1006, EventName = "Answered", Level = LogLevel.Debug,
        Message = "{Key} -> {Reply} (as a netstring)")]
    public static partial void Answered(ILogger logger, string key, string reply);

    [LoggerMessage(EventId = 1007, EventName = "InvalidKey", Level = LogLevel.Debug,
        Message = "Key {Key} is not a domain name: NOTFOUND")]
    public static partial void InvalidKey(ILogger logger, string key);

    [LoggerMessage(EventId = 1008, EventName = "UnknownMap", Level = LogLevel.Warning,
        Message = "Request for socketmap name {Name}, which this server does not serve: PERM")]
    public static partial void UnknownMap(ILogger logger, string name);

    [LoggerMessage(EventId = 1009, EventName = "LookupTimedOut", Level = LogLevel.Warning,
        Message = "Planning {Domain} took longer than {Seconds} s: TIMEOUT (the lookup goes on; a later request may find it done)")]
    public static partial void LookupTimedOut(ILogger logger, string domain, double seconds);

    [LoggerMessage(EventId = 1010, EventName = "PlanningFailed", Level = LogLevel.Error,
        Message = "Planning {Domain} failed unexpectedly ({ExceptionType}): TEMP")]
    public static partial void PlanningFailed(ILogger logger, string domain, string exceptionType);

    [LoggerMessage(EventId = 1011, EventName = "ConnectionFailed", Level = LogLevel.Debug,
        Message = "Connection from {Peer} ended with a socket error ({Error})")]
    public static partial void ConnectionFailed(ILogger logger, string peer, System.Net.Sockets.SocketError error);

    [LoggerMessage(EventId = 1012, EventName = "AcceptFailed", Level = LogLevel.Warning,
        Message = "Accepting a connection failed ({Error}); retrying")]
    public static partial void AcceptFailed(ILogger logger, System.Net.Sockets.SocketError error);

    [LoggerMessage(EventId = 1013, EventName = "StaleSocketRemoved", Level = LogLevel.Information,
        Message = "Removed the stale socket {Path} (no server answered on it)")]
    public static partial void StaleSocketRemoved(ILogger logger, string path);
}
