using Microsoft.Extensions.DependencyInjection;
using SocketKit.Applications.App;
using SocketKit.Applications.Echo;
using SocketKit.Transport;
using SocketKit.Transport.Connections;

namespace SocketKit.Hosting;

/// <summary>
/// Says what a hosted server serves: the application protocol (the default, with the tutorial's "search" and binary
/// handlers plus the actions mapped here), an echo server, or any <see cref="IConnectionHandler"/>.
/// Returned by <see cref="SocketKitServiceCollectionExtensions.AddSocketKitServer"/>.
/// </summary>
public sealed class SocketKitServerBuilder
{
    private readonly List<Action<AppRouter, IServiceProvider>> _routes = [];
    private Func<IServiceProvider, ConnectionInfo, IConnectionHandler>? _handlerFactory;
    private bool _withTutorialHandlers = true;

    internal SocketKitServerBuilder(IServiceCollection services, string name)
    {
        Services = services;
        Name = name;
    }

    /// <summary>The server's name: its configuration section is <c>SocketKit:Servers:NAME</c>.</summary>
    public string Name { get; }

    /// <summary>The services the server is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Answers JSON requests whose "action" is <paramref name="action"/>.</summary>
    /// <exception cref="InvalidOperationException">The server serves an echo or custom handler, not the application protocol.</exception>
    public SocketKitServerBuilder MapAction(string action, Func<AppRequest, AppResponse> handler)
    {
        EnsureAppServer(nameof(MapAction));
        _routes.Add((router, _) => router.MapAction(action, handler));
        return this;
    }

    /// <summary>
    /// Answers JSON requests whose "action" is <paramref name="action"/> with a handler that awaits. The token is
    /// cancelled when the client goes away, the handler timeout runs out, or the server's drain ends.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server serves an echo or custom handler, not the application protocol.</exception>
    public SocketKitServerBuilder MapAction(string action, Func<AppRequest, CancellationToken, ValueTask<AppResponse>> handler)
    {
        EnsureAppServer(nameof(MapAction));
        _routes.Add((router, _) => router.MapAction(action, handler));
        return this;
    }

    /// <summary>
    /// Answers JSON requests whose "action" is <paramref name="action"/> with a handler whose parameters are bound as
    /// ASP.NET Core's minimal APIs bind theirs: <see cref="AppRequest"/>, <see cref="CancellationToken"/>,
    /// <see cref="ConnectionInfo"/>, <see cref="ConnectionHandle"/>, and registered services, resolved from a
    /// dependency-injection scope made for each request. It returns <see cref="AppResponse"/> or a string (sent as
    /// <c>{"result": ...}</c>), or a <see cref="Task{TResult}"/> or <see cref="ValueTask{TResult}"/> of one, for example
    /// <c>async (AppRequest request, IMyStore store, CancellationToken cancel) =&gt; await store.FindAsync(...)</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server serves an echo or custom handler, not the application protocol.</exception>
    public SocketKitServerBuilder MapAction(string action, Delegate handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        EnsureAppServer(nameof(MapAction));
        _routes.Add((router, services) => router.MapAction(action, HandlerBinder.Bind(action, handler, services)));
        return this;
    }

    /// <summary>
    /// Answers JSON requests whose "action" is <paramref name="action"/> with <typeparamref name="THandler"/>, resolved
    /// (or constructed with its services) from a dependency-injection scope made for each request.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server serves an echo or custom handler, not the application protocol.</exception>
    public SocketKitServerBuilder MapAction<THandler>(string action) where THandler : class, IAppActionHandler
    {
        EnsureAppServer(nameof(MapAction));
        _routes.Add((router, services) => router.MapAction(action, HandlerBinder.Bind<THandler>(services)));
        return this;
    }

    /// <summary>Answers JSON requests whose "action" is <paramref name="action"/> with a handler that blocks, on a worker thread of its own.</summary>
    /// <exception cref="InvalidOperationException">The server serves an echo or custom handler, not the application protocol.</exception>
    public SocketKitServerBuilder MapBlockingAction(string action, Func<AppRequest, CancellationToken, AppResponse> handler)
    {
        EnsureAppServer(nameof(MapBlockingAction));
        _routes.Add((router, _) => router.MapBlockingAction(action, handler));
        return this;
    }

    /// <summary>Answers non-JSON requests of one content type.</summary>
    /// <exception cref="InvalidOperationException">The server serves an echo or custom handler, not the application protocol.</exception>
    public SocketKitServerBuilder MapContentType(string contentType, Func<AppRequest, AppResponse> handler)
    {
        EnsureAppServer(nameof(MapContentType));
        _routes.Add((router, _) => router.MapContentType(contentType, handler));
        return this;
    }

    /// <summary>Starts the router empty instead of with the tutorial's "search" and binary handlers.</summary>
    public SocketKitServerBuilder WithoutTutorialHandlers()
    {
        EnsureAppServer(nameof(WithoutTutorialHandlers));
        _withTutorialHandlers = false;
        return this;
    }

    /// <summary>Serves the tutorial's echo server: every byte back until the peer closes.</summary>
    public SocketKitServerBuilder UseEcho() => UseHandler((_, _) => EchoHandler.Shared);

    /// <summary>Serves connections with handlers of your own, one per connection (services resolvable from the provider).</summary>
    /// <exception cref="InvalidOperationException">Actions were mapped already: they belong to the application protocol.</exception>
    public SocketKitServerBuilder UseHandler(Func<IServiceProvider, ConnectionInfo, IConnectionHandler> handlerFactory)
    {
        ArgumentNullException.ThrowIfNull(handlerFactory);
        if (_routes.Count > 0 || !_withTutorialHandlers)
        {
            throw new InvalidOperationException($"Server '{Name}' maps application actions; a server serves either the application protocol or a handler of its own.");
        }
        _handlerFactory = handlerFactory;
        return this;
    }

    /// <summary>Sets options in code; applied after configuration is bound, so code wins.</summary>
    public SocketKitServerBuilder Configure(Action<SocketKitServerOptions> configure)
    {
        Services.Configure(Name, configure);
        return this;
    }

    /// <summary>
    /// Starts what this builder describes on <paramref name="composition"/>: a handler of its own, or the application
    /// protocol as the library's <see cref="AppServer"/> serves it, with the actions and content types mapped here.
    /// </summary>
    internal ServerGroup Start(ServerBuilder composition, IServiceProvider services, Protocol.ProtocolLimits limits)
    {
        if (_handlerFactory is { } custom)
        {
            return composition.UseHandler(connection => custom(services, connection)).Start();
        }
        var app = new AppServer(composition, limits, _withTutorialHandlers);
        foreach (Action<AppRouter, IServiceProvider> route in _routes)
        {
            route(app.Router, services);
        }
        return app.Start().Listeners;
    }

    private void EnsureAppServer(string method)
    {
        if (_handlerFactory is not null)
        {
            throw new InvalidOperationException($"Server '{Name}' serves a handler of its own; {method} applies to application protocol servers.");
        }
    }
}
