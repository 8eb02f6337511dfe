using Microsoft.Extensions.Logging;
using SocketKit.Logging;

namespace SocketKit.Cli.Logging;

/// <summary>
/// Prints log events as the tutorial's programs print theirs: one plain line each, warnings and errors
/// marked, no category noise. Lines from several threads never interleave. A server's content lines (two a request)
/// are written in batches (<see cref="LogLineBuffer"/>); every other line at once, after them.
/// </summary>
internal sealed class EventLoggerProvider(LogLineBuffer lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new EventLogger(lines);

    public void Dispose() => lines.Flush();

    private sealed class EventLogger(LogLineBuffer lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string prefix = logLevel switch
            {
                LogLevel.Warning => "warning: ",
                LogLevel.Error or LogLevel.Critical => "error: ",
                _ => "",
            };
            string line = prefix + formatter(state, exception);
            if (ContentLogEvents.Contains(eventId.Id))
            {
                lines.WriteLineLater(line);
            }
            else
            {
                lines.WriteLine(line);
            }
        }
    }
}
