using Microsoft.Extensions.Logging;
using SocketKit.Logging;

namespace SocketKit.Cli.Logging;

/// <summary>
/// Lets a server's content events (<see cref="ContentLogEvents"/>, which the library logs at Debug) through at the
/// command line's default level, as the tutorial's programs print each request and response; every other Debug event
/// stays out. Only -v shows them all.
/// </summary>
internal sealed class ContentEventsLoggerProvider(ILoggerProvider inner) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new ContentEventsLogger(inner.CreateLogger(categoryName));

    public void Dispose() => inner.Dispose();

    private sealed class ContentEventsLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Information)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
            else if (ContentLogEvents.Contains(eventId.Id))
            {
                // Among the tutorial's lines, at their level (a JSON log says Information, as it said before).
                inner.Log(LogLevel.Information, eventId, state, exception, formatter);
            }
        }
    }
}
