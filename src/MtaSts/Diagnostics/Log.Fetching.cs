using Microsoft.Extensions.Logging;

namespace MtaSts.Diagnostics;

/// <summary>Log messages of the HTTPS policy fetch (event ids 200–299). Policy bodies are logged only at Trace.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 200, EventName = "FetchStarting", Level = LogLevel.Debug,
        Message = "Fetching the MTA-STS policy of {Domain} from {Url}")]
    public static partial void FetchStarting(ILogger logger, string domain, Uri url);

    [LoggerMessage(EventId = 201, EventName = "FetchSucceeded", Level = LogLevel.Information,
        Message = "Fetched the MTA-STS policy of {Domain}: {Characters} characters in {ElapsedMilliseconds} ms")]
    public static partial void FetchSucceeded(ILogger logger, string domain, int characters, long elapsedMilliseconds);

    [LoggerMessage(EventId = 202, EventName = "FetchFailed", Level = LogLevel.Warning,
        Message = "Fetching the MTA-STS policy of {Domain} failed after {ElapsedMilliseconds} ms: {Failure} ({ReasonCode}): {Reason}")]
    public static partial void FetchFailed(ILogger logger, string domain, MtaStsFailure failure, string? reasonCode, string reason, long elapsedMilliseconds);

    [LoggerMessage(EventId = 203, EventName = "FetchRetrying", Level = LogLevel.Information,
        Message = "Policy fetch from {Host} hit a transient fault ({Fault}); attempt {Attempt} follows in {DelayMilliseconds} ms")]
    public static partial void FetchRetrying(ILogger logger, string host, string fault, int attempt, long delayMilliseconds);

    [LoggerMessage(EventId = 204, EventName = "FetchBody", Level = LogLevel.Trace,
        Message = "Policy body of {Domain}:\n{Body}")]
    public static partial void FetchBody(ILogger logger, string domain, string body);
}
