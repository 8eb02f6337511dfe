using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Metrics;
using SocketKit.Protocol.Proxy;
using SocketKit.Transport.Connections;
using SocketKit.Transport.Engines;
using SocketKit.Transport.Settings;
using SocketKit.Transport.Tls;

namespace SocketKit.Transport;

/// <summary>
/// Composes a server from its parts and starts it: the endpoints, the engine and its loops, workers (several
/// listeners sharing each IP endpoint with SO_REUSEPORT), the PROXY protocol in front of everything (TLS included), TLS, metrics,
/// the logger and the per-connection handler factory. The command line, the hosted servers and
/// <c>Applications.App.AppServer</c> all compose through it, so a server started one way is the server started any other.
/// </summary>
/// <example>
/// <code>
/// await using ServerGroup server = new ServerBuilder(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 65432) })
///     .WithWorkers(4)
///     .RequireProxyProtocol()
///     .UseHandler(_ => new EchoHandler())
///     .Start();
/// </code>
/// </example>
public sealed class ServerBuilder
{
    /// <summary>The most listeners one endpoint may have: far more than cores on any machine this runs on.</summary>
    public const int MaxWorkers = 64;

    private readonly List<EndPoint> _endPoints = [];
    private ServerOptions _options;
    private int _workers = 1;
    private int? _proxyHeaderBytes;
    private ILogger _logger = NullLogger.Instance;
    private Func<ConnectionInfo, IConnectionHandler>? _handlerFactory;

    /// <summary>Starts from <paramref name="options"/>: its endpoint is the first to listen on, the rest is shared by every listener.</summary>
    public ServerBuilder(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>
    /// The live connections of the servers this builder starts, known before they start: a handler factory (a chat
    /// room, a hub) can reach every connection from the first one on.
    /// </summary>
    public ConnectionRegistry Connections { get; } = new();

    /// <summary>What every listener is started with (but its endpoint).</summary>
    public ServerOptions Options => _options;

    /// <summary>Where to listen, in order: the options' endpoint, then those added.</summary>
    public IReadOnlyList<EndPoint> EndPoints => [_options.EndPoint, .. _endPoints];

    /// <summary>Listeners per IP endpoint; 1 unless <see cref="WithWorkers"/> said more.</summary>
    public int Workers => _workers;

    /// <summary>Whether every connection must begin with a PROXY protocol header.</summary>
    public bool ProxyProtocol => _proxyHeaderBytes is not null;

    /// <summary>Where the listeners (and handlers that ask) log. Default: nowhere.</summary>
    public ILogger Logger => _logger;

    /// <summary>Listens on <paramref name="endPoint"/> too, with the same options and handlers.</summary>
    public ServerBuilder AddEndPoint(EndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        _endPoints.Add(endPoint);
        return this;
    }

    /// <summary>Changes the shared options (engine, loops, limits, timeouts, TLS, metrics, ...): code that reads what is set and returns it changed.</summary>
    public ServerBuilder Configure(Func<ServerOptions, ServerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _options = configure(_options) ?? throw new InvalidOperationException("Configure returned no options.");
        return this;
    }

    /// <summary>
    /// Applies <paramref name="settings"/>: the engine and its loops, the backlog, SO_REUSEPORT, the limits and
    /// timeouts, the workers and the PROXY protocol. What a request may hold (<see cref="ServerSettings.Protocol"/>)
    /// is the application protocol's to take.
    /// </summary>
    public ServerBuilder UseSettings(ServerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Configure(settings.Apply).WithWorkers(settings.Workers).RequireProxyProtocol(settings.ProxyProtocol);
    }

    /// <summary>Moves bytes with <paramref name="engine"/>; with the select engine, in <paramref name="loops"/> readiness loops (null: one per core).</summary>
    public ServerBuilder UseEngine(EngineKind engine, int? loops = null) => Configure(o => o with { Engine = engine, Loops = loops });

    /// <summary>Serves TLS with these options on every listener; null serves plain TCP.</summary>
    public ServerBuilder UseTls(TlsServerOptions? tls) => Configure(o => o with { Tls = tls });

    /// <summary>Records the listeners' measurements in <paramref name="metrics"/>.</summary>
    public ServerBuilder UseMetrics(SocketKitMetrics metrics) => Configure(o => o with { Metrics = metrics });

    /// <summary>Sets SO_REUSEPORT on every listener so that other processes may share the port (Linux); workers always set it.</summary>
    public ServerBuilder WithReusePort(bool reusePort = true) => Configure(o => o with { ReusePort = reusePort });

    /// <summary>Starts <paramref name="workers"/> listeners on each IP endpoint, sharing it with SO_REUSEPORT (Linux); the kernel spreads connections among them.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not from 1 to <see cref="MaxWorkers"/>.</exception>
    public ServerBuilder WithWorkers(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(workers, MaxWorkers);
        _workers = workers;
        return this;
    }

    /// <summary>
    /// Requires a PROXY protocol header (v1 or v2) first on every connection and gives the handler the client's address
    /// it names; a connection without a valid one is refused (closed without a reply). The header is read from the raw
    /// bytes, before anything else: with TLS, in plain text before the handshake, as HAProxy (<c>send-proxy</c>,
    /// <c>send-proxy-v2</c>) and nginx (<c>proxy_protocol on</c>) send it in front of a TLS connection they pass through.
    /// The request timeout, from the connection's start, bounds the header, the handshake and the first request together.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxHeaderBytes"/> is below what a v2 header with Unix addresses takes (232).</exception>
    public ServerBuilder RequireProxyProtocol(bool required = true, int maxHeaderBytes = ProxyHeaderDecoder.DefaultMaxHeaderBytes)
    {
        if (required)
        {
            _ = new ProxyHeaderDecoder(maxHeaderBytes); // Refuses a limit below the longest address block now, not on each connection.
        }
        _proxyHeaderBytes = required ? maxHeaderBytes : null;
        return this;
    }

    /// <summary>Logs connection events (and gives handlers that log) to <paramref name="logger"/>.</summary>
    public ServerBuilder UseLogger(ILogger? logger)
    {
        _logger = logger ?? NullLogger.Instance;
        return this;
    }

    /// <summary>Serves each connection with a handler from <paramref name="handlerFactory"/>, called from the listeners' threads.</summary>
    public ServerBuilder UseHandler(Func<ConnectionInfo, IConnectionHandler> handlerFactory)
    {
        ArgumentNullException.ThrowIfNull(handlerFactory);
        _handlerFactory = handlerFactory;
        return this;
    }

    /// <summary>
    /// Binds every listener, then serves. If one cannot be bound, those already bound are closed and the error stands.
    /// Connection ids are numbered across all the listeners, so an id in the logs names one connection.
    /// </summary>
    /// <exception cref="InvalidOperationException">No handler was given, or workers were asked of a Unix socket.</exception>
    /// <exception cref="NetworkException">An endpoint cannot be bound (in use, not this machine's, or privileged).</exception>
    public ServerGroup Start()
    {
        Func<ConnectionInfo, IConnectionHandler> handlers = _handlerFactory
            ?? throw new InvalidOperationException("The server has no handler: call UseHandler first.");
        IReadOnlyList<EndPoint> endPoints = EndPoints;
        if (_workers > 1 && endPoints.FirstOrDefault(e => e is UnixDomainSocketEndPoint) is { } unix)
        {
            throw new InvalidOperationException($"{_workers} workers cannot share the Unix socket {Listening.EndPoints.Format(unix)}: use one worker, or IP endpoints only.");
        }
        // The PROXY header comes before everything else on the wire, TLS included: each connection reads it first, below
        // the handler (its byte layer, see ConnectionLayers), rather than a handler wrapping the application's above TLS.
        ServerOptions shared = _options with
        {
            ConnectionIds = _options.ConnectionIds ?? new ConnectionIds(),
            Registry = _options.Registry ?? Connections,
            ProxyHeaderBytes = _proxyHeaderBytes,
            AddressGate = _options.AddressGate ?? new AddressGate(_options.ClientAddresses, _options.Limits.MaxConnectionsPerAddress, _options.TimeProvider),
        };
        var servers = new List<SocketServer>();
        var localEndPoints = new List<EndPoint>(endPoints.Count);
        try
        {
            foreach (EndPoint endPoint in endPoints)
            {
                ServerOptions options = shared with { EndPoint = endPoint, ReusePort = shared.ReusePort || _workers > 1 };
                SocketServer first = SocketServer.Start(options, handlers, _logger);
                servers.Add(first);
                localEndPoints.Add(first.LocalEndPoint);
                // With port 0 the first lets the system choose, and the other workers join its port.
                options = options with { EndPoint = first.LocalEndPoint };
                for (int worker = 1; worker < _workers; worker++)
                {
                    servers.Add(SocketServer.Start(options, handlers, _logger));
                }
            }
        }
        catch
        {
            foreach (SocketServer server in servers)
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            throw;
        }
        return new ServerGroup([.. servers], [.. localEndPoints]);
    }
}
