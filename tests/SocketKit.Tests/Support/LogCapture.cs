using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SocketKit.Tests.Support;

/// <summary>
/// A logger provider for a host under test: keeps every line, with its category, to assert on. By default the lines
/// at Information and above; <see cref="AllLevels"/> keeps every line the host's filters let through, at any level,
/// with its exception: what a console would show.
/// </summary>
public sealed class LogCapture(LogLevel minimum = LogLevel.Information, bool withExceptions = false) : ILoggerProvider
{
    /// <summary>A capture of every line the host's filters let through, exceptions included.</summary>
    public static LogCapture AllLevels() => new(LogLevel.Trace, withExceptions: true);

    private readonly LogLevel _minimum = minimum;
    private readonly bool _withExceptions = withExceptions;

    public ConcurrentQueue<string> Lines { get; } = new();

    public override string ToString() => string.Join('\n', Lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= capture._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(capture._withExceptions && exception is not null ? "\n" + exception : "")}");
    }
}
