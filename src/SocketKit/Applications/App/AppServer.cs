using SocketKit.Transport;
using SocketKit.Transport.Connections;

namespace SocketKit.Applications.App;

/// <summary>
/// A server of the tutorial's application protocol that you extend without forking: map handlers per action
/// (JSON requests) and per content type (everything else), then <see cref="Start"/>. It starts with the
/// tutorial's handlers ("search" and the binary reply, as the tutorial's app-server serves them) unless told not to.
/// </summary>
/// <example>
/// <code>
/// await using AppServer server = new AppServer(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 65432) })
///     .MapAction("reverse", request => AppResponse.Result(new string(request.Value?.GetString()?.Reverse().ToArray())))
///     .Start();
/// await server.Completion;
/// </code>
/// </example>
public sealed class AppServer : IRunningServer
{
    private readonly ServerBuilder _composition;
    private readonly ProtocolLimits _limits;
    private ServerGroup? _server;

    /// <summary>Prepares a server; nothing is bound until <see cref="Start"/>.</summary>
    /// <param name="options">Where and how to listen (address, engine, backlog, metrics).</param>
    /// <param name="logger">Where connection and request events go. Default: nowhere.</param>
    /// <param name="limits">Bounds on what a request may hold. Default <see cref="ProtocolLimits.Default"/>.</param>
    /// <param name="withTutorialHandlers">Start from the tutorial's "search" and binary handlers (default true); false starts with none.</param>
    public AppServer(ServerOptions options, ILogger? logger = null, ProtocolLimits? limits = null, bool withTutorialHandlers = true)
        : this(new ServerBuilder(options ?? throw new ArgumentNullException(nameof(options))).UseLogger(logger), limits, withTutorialHandlers)
    {
    }

    /// <summary>
    /// Prepares a server composed by <paramref name="composition"/> (endpoints, workers, PROXY protocol, TLS, metrics,
    /// logger); the server gives it its handlers when it starts. Nothing is bound until <see cref="Start"/>.
    /// </summary>
    /// <param name="composition">How to listen; its handler, if it has one, is replaced by the application protocol's.</param>
    /// <param name="limits">Bounds on what a request may hold. Default <see cref="ProtocolLimits.Default"/>.</param>
    /// <param name="withTutorialHandlers">Start from the tutorial's "search" and binary handlers (default true); false starts with none.</param>
    public AppServer(ServerBuilder composition, ProtocolLimits? limits = null, bool withTutorialHandlers = true)
    {
        ArgumentNullException.ThrowIfNull(composition);
        _composition = composition;
        _limits = limits ?? ProtocolLimits.Default;
        Router = withTutorialHandlers ? TutorialHandlers.CreateRouter() : new AppRouter();
    }

    /// <summary>The handlers, by action and content type. Map them before <see cref="Start"/>: the router is read by every connection at once afterwards.</summary>
    public AppRouter Router { get; }

    /// <summary>The bound address (the first endpoint's), with the port the system chose when the options said 0.</summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public EndPoint LocalEndPoint => Started.LocalEndPoint;

    /// <summary>The live connections: find one by id, list them, send to all (a server that pushes).</summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public ConnectionRegistry Connections => Started.Connections;

    /// <summary>The listeners, one or more per endpoint.</summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public ServerGroup Listeners => Started;

    /// <summary>Completes when the server has stopped and every connection is closed.</summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public Task Completion => Started.Completion;

    /// <summary>Answers JSON requests whose "action" is <paramref name="action"/> (replacing any handler it had).</summary>
    /// <exception cref="InvalidOperationException">The server has already started.</exception>
    public AppServer MapAction(string action, Func<AppRequest, AppResponse> handler) =>
        Mapped(router => router.MapAction(action, handler));

    /// <summary>
    /// Answers JSON requests whose "action" is <paramref name="action"/> with a handler that awaits (replacing any handler
    /// it had). The connection's thread serves other connections while it waits; its answer goes out in request order.
    /// The token is cancelled when the client goes away, when <see cref="ServerTimeouts.HandlerTimeout"/> runs out (the
    /// client is then answered with an error), and when a stopping server's drain ends.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server has already started.</exception>
    public AppServer MapAction(string action, Func<AppRequest, CancellationToken, ValueTask<AppResponse>> handler) =>
        Mapped(router => router.MapAction(action, handler));

    /// <summary>
    /// Answers JSON requests whose "action" is <paramref name="action"/> with a handler that blocks (a synchronous library
    /// call): it runs on a worker thread of its own, never on the connection's (replacing any handler it had).
    /// </summary>
    /// <exception cref="InvalidOperationException">The server has already started.</exception>
    public AppServer MapBlockingAction(string action, Func<AppRequest, CancellationToken, AppResponse> handler) =>
        Mapped(router => router.MapBlockingAction(action, handler));

    /// <summary>Answers non-JSON requests of one content type (replacing any handler it had).</summary>
    /// <exception cref="InvalidOperationException">The server has already started.</exception>
    public AppServer MapContentType(string contentType, Func<AppRequest, AppResponse> handler) =>
        Mapped(router => router.MapContentType(contentType, handler));

    /// <summary>Answers non-JSON requests of one content type with a handler that awaits (see <see cref="MapAction(string, Func{AppRequest, CancellationToken, ValueTask{AppResponse}})"/>).</summary>
    /// <exception cref="InvalidOperationException">The server has already started.</exception>
    public AppServer MapContentType(string contentType, Func<AppRequest, CancellationToken, ValueTask<AppResponse>> handler) =>
        Mapped(router => router.MapContentType(contentType, handler));

    /// <summary>Answers non-JSON requests of one content type with a handler that blocks, on a worker thread of its own.</summary>
    /// <exception cref="InvalidOperationException">The server has already started.</exception>
    public AppServer MapBlockingContentType(string contentType, Func<AppRequest, CancellationToken, AppResponse> handler) =>
        Mapped(router => router.MapBlockingContentType(contentType, handler));

    /// <summary>Maps a handler on <see cref="Router"/>, which may change only before the server starts.</summary>
    private AppServer Mapped(Action<AppRouter> map)
    {
        EnsureNotStarted();
        map(Router);
        return this;
    }

    /// <summary>Binds and starts serving; returns this server so a declaration reads as one expression.</summary>
    /// <exception cref="NetworkException">The address cannot be bound (in use, not this machine's, or privileged).</exception>
    /// <exception cref="InvalidOperationException">The server has already started.</exception>
    public AppServer Start()
    {
        EnsureNotStarted();
        AppRouter router = Router;
        ILogger logger = _composition.Logger;
        ProtocolLimits limits = _limits;
        _server = _composition.UseHandler(connection => new AppServerHandler(router, connection, logger, limits)).Start();
        return this;
    }

    /// <summary>Stops accepting, closes the connections and waits until all is released. Does nothing if never started.</summary>
    public Task StopAsync() => _server?.StopAsync() ?? Task.CompletedTask;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private ServerGroup Started => _server ?? throw new InvalidOperationException("The server has not been started: call Start() first.");

    private void EnsureNotStarted()
    {
        if (_server is not null)
        {
            throw new InvalidOperationException("The server has already started: map handlers before Start().");
        }
    }
}
