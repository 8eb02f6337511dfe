using Microsoft.Extensions.Logging;

namespace SocketKit.Cli.Logging;

/// <summary>
/// Prints log events as the tutorial's programs print theirs: one plain line each, warnings and errors
/// marked, no category noise. Lines from several threads never interleave.
/// </summary>
internal sealed class EventLoggerProvider(TextWriter writer, Lock gate) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new EventLogger(writer, gate);

    public void Dispose()
    {
    }

    private sealed class EventLogger(TextWriter writer, Lock gate) : ILogger
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
            lock (gate)
            {
                writer.WriteLine(prefix + formatter(state, exception));
                writer.Flush();
            }
        }
    }
}
