using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Logging;
using SocketKit.Transport.Connections;
using SocketKit.Transport.Engines;

namespace SocketKit.Transport.Listening;

/// <summary>
/// A listening server: binds at once (so a port in use fails before anything else happens), then serves
/// every connection with a handler from the factory, on the engine the options name, until stopped.
/// </summary>
public sealed class SocketServer : IRunningServer
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;

    private SocketServer(Socket listener, ServerEngine engine, ILogger logger)
    {
        LocalEndPoint = listener.LocalEndPoint!;
        _logger = logger;
        Counters = engine.Counters;
        Connections = engine.Registry;
        Completion = engine.RunAsync(_stopping.Token);
    }

    /// <summary>What the server has done so far: accepted, refused, timed out, cut off, and its peak send buffer.</summary>
    public ServerCounters Counters { get; }

    /// <summary>The live connections (the group's, when the server is one of a <see cref="ServerGroup"/>): find, list, broadcast.</summary>
    public ConnectionRegistry Connections { get; }

    /// <summary>The bound address; with port 0 in the options, this holds the port the system chose.</summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>Completes when the server has stopped and every connection is closed.</summary>
    public Task Completion { get; }

    /// <summary>Binds, listens and starts serving.</summary>
    /// <exception cref="NetworkException">The address cannot be bound (in use, not this machine's, or privileged).</exception>
    public static SocketServer Start(ServerOptions options, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        if (!Enum.IsDefined(options.Engine))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Engine, "no such engine");
        }
        options = options with { DescriptorLimit = DescriptorLimit.Raise() };
        Socket listener = Listeners.Listen(options.EndPoint, options.Backlog, options.ReusePort);
        // Every engine serves TLS (and the PROXY header) the same way: as byte layers of each connection's driver (ConnectionLayers).
        ServerEngine engine = options.Engine switch
        {
            EngineKind.Blocking => new BlockingEngine(listener, options, handlerFactory, logger),
            _ => new SelectEngine(listener, options, handlerFactory, logger),
        };
        string where = EndPoints.Format(listener.LocalEndPoint!), how = (options.Tls is null ? "" : "TLS over ") + options.Engine.ToString().ToLowerInvariant();
        if (engine is SelectEngine { LoopCount: > 1 and var loops })
        {
            Log.ListeningOnLoops(logger, where, how, loops);
        }
        else
        {
            Log.Listening(logger, where, how);
        }
        return new SocketServer(listener, engine, logger);
    }

    /// <summary>
    /// Stops gracefully: stops accepting, closes the idle connections at once, lets requests in flight finish and
    /// their responses go out (each connection closes as soon as it is idle), and closes what is still busy when
    /// <see cref="ServerTimeouts.DrainTimeout"/> runs out. Completes when every connection is closed.
    /// </summary>
    public async Task StopAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            Log.Stopping(_logger, EndPoints.Format(LocalEndPoint));
            // Cancel, not CancelAsync: the drain (and its timer) is in place before this method first yields.
            _stopping.Cancel();
            await Completion;
            if (Counters.ConnectionsForcedAtStop > 0)
            {
                Log.DrainTimedOut(_logger, Counters.ConnectionsForcedAtStop);
            }
            // Once, by the call that stopped it: a later call (DisposeAsync after StopAsync) must not remove the file
            // of another server bound to the same path since.
            RemoveSocketFile();
            return;
        }
        await Completion;
    }

    /// <summary>A Unix socket's file outlives its socket; the server that made it removes it, so no stale file is left.</summary>
    private void RemoveSocketFile()
    {
        if (LocalEndPoint is UnixDomainSocketEndPoint unix && unix.ToString() is { Length: > 0 } path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }
}
