using Microsoft.Extensions.Logging;

namespace SocketKit.Hosting;

/// <summary>
/// What kept the host's SocketKit servers from starting (an endpoint that could not be bound), one line each, for
/// <see cref="SocketKitHostExtensions.RunSocketKitAsync"/> to say. While there is one, the host's own report of the
/// failure, a stack trace, is left out of the log, unless the server's log level is Debug or lower.
/// </summary>
internal sealed class SocketKitStartFailures
{
    /// <summary>The category the host logs "Hosting failed to start" under.</summary>
    public const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private bool _traceWanted;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public void Add(string line, bool traceWanted)
    {
        lock (_gate)
        {
            _lines.Add(line);
            _traceWanted |= traceWanted;
        }
    }

    /// <summary>The host's own warnings and errors, but not its report of a failure already said in one line.</summary>
    public bool ShowsHostLog(LogLevel level)
    {
        if (level < LogLevel.Warning)
        {
            return false; // The host logs only its own comings and goings below Warning.
        }
        lock (_gate)
        {
            return _lines.Count == 0 || _traceWanted;
        }
    }
}
