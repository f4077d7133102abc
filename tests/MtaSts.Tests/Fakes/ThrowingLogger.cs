using Microsoft.Extensions.Logging;

namespace MtaSts.Tests.Fakes;

/// <summary>A logger whose every call throws, as a broken logging provider does (Logger aggregates provider exceptions and rethrows them).</summary>
internal sealed class ThrowingLogger : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        throw new InvalidOperationException("a broken logging provider");
}
