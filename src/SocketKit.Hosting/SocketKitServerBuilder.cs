using Microsoft.Extensions.DependencyInjection;
using SocketKit.Applications.App;
using SocketKit.Applications.Echo;
using SocketKit.Transport;

namespace SocketKit.Hosting;

/// <summary>
/// Says what a hosted server serves: the application protocol (the default, with the tutorial's "search" and binary
/// handlers plus the actions mapped here), an echo server, or any <see cref="IConnectionHandler"/>.
/// Returned by <see cref="SocketKitServiceCollectionExtensions.AddSocketKitServer"/>.
/// </summary>
public sealed class SocketKitServerBuilder
{
    private readonly List<Action<AppRouter>> _routes = [];
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
        _routes.Add(router => router.MapAction(action, handler));
        return this;
    }

    /// <summary>Answers non-JSON requests of one content type.</summary>
    /// <exception cref="InvalidOperationException">The server serves an echo or custom handler, not the application protocol.</exception>
    public SocketKitServerBuilder MapContentType(string contentType, Func<AppRequest, AppResponse> handler)
    {
        EnsureAppServer(nameof(MapContentType));
        _routes.Add(router => router.MapContentType(contentType, handler));
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
    public SocketKitServerBuilder UseEcho() => UseHandler((_, _) => new EchoHandler());

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
        foreach (Action<AppRouter> route in _routes)
        {
            route(app.Router);
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
