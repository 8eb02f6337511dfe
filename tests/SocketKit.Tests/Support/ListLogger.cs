using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SocketKit.Tests.Support;

/// <summary>Keeps a server's warnings and unusual closes, to print with a long test's output when it fails.</summary>
public sealed class ListLogger : ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string line = formatter(state, exception) + (exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message}]");
        // The ordinary conversation is thousands of lines; what explains a failure is everything else.
        if (logLevel >= LogLevel.Warning || (line.StartsWith("Closing", StringComparison.Ordinal) && !line.EndsWith("(done)", StringComparison.Ordinal) && !line.EndsWith("(peer closed)", StringComparison.Ordinal)))
        {
            Lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {line}");
        }
    }
}
