using Microsoft.Extensions.Logging;
using SocketKit.Cli.Logging;

namespace SocketKit.Cli.CommandHost;

/// <summary>
/// Where a command writes: results to <see cref="Out"/>, events and errors to <see cref="Error"/>.
/// Passed in, never taken from Console, so tests capture both.
/// </summary>
internal sealed class CliContext(TextWriter output, TextWriter error)
{
    private readonly Lock _gate = new();
    private LogLineBuffer? _logLines;

    /// <summary>Results: what a script would read.</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Events, warnings and errors.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>Raw bytes in (socketkit nc): the process's standard input unless a test gives another stream.</summary>
    public Func<Stream> OpenInput { get; init; } = Console.OpenStandardInput;

    /// <summary>Raw bytes out (socketkit nc): the process's standard output unless a test gives another stream.</summary>
    public Func<Stream> OpenOutput { get; init; } = Console.OpenStandardOutput;

    /// <summary>A logger factory that writes events to <see cref="Error"/> at the level -q / -v ask for, as plain lines or JSON lines.</summary>
    /// At the default level (Information) a server's request and response content shows too, as the tutorial prints it.
    public ILoggerFactory CreateLoggerFactory(LogLevel minimum, LogFormat format = LogFormat.Plain)
    {
        ILoggerProvider provider = format == LogFormat.Json ? new JsonLoggerProvider(Error, _gate, TimeProvider.System) : new EventLoggerProvider(LogLines);
        bool content = minimum == LogLevel.Information;
        ILoggerFactory factory = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(content ? LogLevel.Debug : minimum)
            .AddProvider(content ? new ContentEventsLoggerProvider(provider) : provider));
        return new FlushingLoggerFactory(factory, provider);
    }

    /// <summary>
    /// Where plain log lines go, in one order with <see cref="WriteEvent"/>'s: <see cref="Error"/>, or the descriptor
    /// under it when that is the process's standard error.
    /// </summary>
    private LogLineBuffer LogLines
    {
        get
        {
            lock (_gate)
            {
                return _logLines ??= new LogLineBuffer(Error, ReferenceEquals(Error, Console.Error) ? Console.OpenStandardError() : null, _gate, TimeProvider.System);
            }
        }
    }

    /// <summary>Writes one event line (a metrics summary, a note) to <see cref="Error"/> without interleaving with log lines.</summary>
    public void WriteEvent(string line)
    {
        lock (_gate)
        {
            _logLines?.Flush();
            Error.WriteLine(line);
            Error.Flush();
        }
    }

    /// <summary>Writes a rendered result (whole lines), safe to call from several threads.</summary>
    public void Write(string text)
    {
        lock (_gate)
        {
            Out.Write(text);
            Out.Flush();
        }
    }

    /// <summary>Disposes the providers it was given with itself (a factory leaves them be), so lines still waiting are written.</summary>
    private sealed class FlushingLoggerFactory(ILoggerFactory inner, ILoggerProvider provider) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider added) => inner.AddProvider(added);

        public ILogger CreateLogger(string categoryName) => inner.CreateLogger(categoryName);

        public void Dispose()
        {
            inner.Dispose();
            provider.Dispose();
        }
    }
}
