using Microsoft.Extensions.Logging;

namespace MtaSts.Diagnostics;

/// <summary>Log messages of <see cref="MxProbe"/> (event ids 800–809).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 800, EventName = "MxProbeCompleted", Level = LogLevel.Debug,
        Message = "Probe of MX {Host}: TLS {TlsProtocol}; {Reason}")]
    internal static partial void MxProbeCompleted(ILogger logger, string host, string tlsProtocol, string reason);

    [LoggerMessage(EventId = 801, EventName = "MxProbeFailed", Level = LogLevel.Information,
        Message = "Probe of MX {Host}: {ResultType} ({ReasonCode}): {Reason}")]
    internal static partial void MxProbeFailed(ILogger logger, string host, string resultType, string reasonCode, string reason);
}
