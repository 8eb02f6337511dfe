using SocketKit.Transport.Connections;

namespace SocketKit.Transport;

/// <summary>
/// Listeners started together by a <see cref="ServerBuilder"/> and stopped together: one or more endpoints, each with
/// one listener or several workers sharing it with SO_REUSEPORT (Linux), where the kernel spreads new connections among
/// them by a hash of the client's address and port, and each listener runs its own engine. Stopping the group stops
/// every listener and waits for all their connections. Connection ids are numbered across the group, so an id in the
/// logs names one connection whichever listener accepted it.
/// </summary>
public sealed class ServerGroup : IRunningServer
{
    private readonly SocketServer[] _servers;

    internal ServerGroup(SocketServer[] servers, EndPoint[] localEndPoints)
    {
        _servers = servers;
        LocalEndPoints = localEndPoints;
        Completion = Task.WhenAll(servers.Select(s => s.Completion));
    }

    /// <summary>The listeners, in the order they were started.</summary>
    public IReadOnlyList<SocketServer> Servers => _servers;

    /// <summary>The bound addresses, one per endpoint, in order; with port 0 in the options, the port the system chose.</summary>
    public IReadOnlyList<EndPoint> LocalEndPoints { get; }

    /// <summary>The first endpoint's bound address, which all its workers share.</summary>
    public EndPoint LocalEndPoint => LocalEndPoints[0];

    /// <summary>The live connections of every listener: find one by id, list them, broadcast to them.</summary>
    public ConnectionRegistry Connections => _servers[0].Connections;

    /// <summary>Completes when every listener has stopped and every connection is closed.</summary>
    public Task Completion { get; }

    /// <summary>
    /// Starts <paramref name="workers"/> listeners on the address of <paramref name="options"/>, with SO_REUSEPORT set.
    /// With port 0 the first listener lets the system choose and the others join its port.
    /// </summary>
    /// <param name="options">Where and how each listener serves; <see cref="ServerOptions.ReusePort"/> is set for them.</param>
    /// <param name="workers">How many listeners, from 1 to <see cref="ServerBuilder.MaxWorkers"/>.</param>
    /// <param name="handlerFactory">Creates a handler per connection; called from every listener's threads.</param>
    /// <param name="logger">Where the listeners log.</param>
    /// <exception cref="NetworkException">The address cannot be bound (for instance, a server without SO_REUSEPORT holds it).</exception>
    public static ServerGroup Start(ServerOptions options, int workers, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger? logger = null) =>
        new ServerBuilder(options).WithReusePort().WithWorkers(workers).UseLogger(logger).UseHandler(handlerFactory).Start();

    /// <summary>Stops every listener at once and waits until all have closed their connections.</summary>
    public Task StopAsync() => Task.WhenAll(_servers.Select(s => s.StopAsync()));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (SocketServer server in _servers)
        {
            await server.DisposeAsync();
        }
    }
}
