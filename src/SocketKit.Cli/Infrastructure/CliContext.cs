using Microsoft.Extensions.Logging;

namespace SocketKit.Cli.Infrastructure;

/// <summary>
/// Where a command writes: results to <see cref="Out"/>, events and errors to <see cref="Error"/>.
/// Passed in, never taken from Console, so tests capture both.
/// </summary>
internal sealed class CliContext(TextWriter output, TextWriter error)
{
    private readonly Lock _gate = new();

    /// <summary>Results: what a script would read.</summary>
    public TextWriter Out { get; } = output;

    /// <summary>Events, warnings and errors.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>A logger factory that writes events to <see cref="Error"/> at the level -q / -v ask for.</summary>
    public ILoggerFactory CreateLoggerFactory(LogLevel minimum) =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(minimum)
            .AddProvider(new EventLoggerProvider(Error, _gate)));

    /// <summary>Writes one result line, safe to call from several threads.</summary>
    public void WriteResult(string line)
    {
        lock (_gate)
        {
            Out.WriteLine(line);
            Out.Flush();
        }
    }
}
