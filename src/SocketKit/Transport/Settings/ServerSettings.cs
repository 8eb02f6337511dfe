using SocketKit.Transport.Engines;

namespace SocketKit.Transport.Settings;

/// <summary>
/// Every setting of a server and its default, in one place, as Kestrel's KestrelServerOptions and KestrelServerLimits
/// hold ASP.NET Core's: the engine and how many listeners, the limits (<see cref="ServerLimits"/>, and what a request
/// may hold, <see cref="ProtocolLimits"/>) and the timeouts (<see cref="ServerTimeouts"/>). The library takes it
/// (<see cref="ServerBuilder.UseSettings"/>), <c>socketkit</c>'s server commands read their flags into it, and Hosting
/// binds it from configuration (<c>SocketKit:Servers:NAME</c>), both through <see cref="All"/>.
/// </summary>
/// <remarks>
/// A new setting is one entry in <see cref="All"/> (its key, kind, description, the reason for its default, and
/// where its value lives): the command line then has its flag, configuration its key, and the docs' tables its row.
/// </remarks>
public sealed record ServerSettings
{
    /// <summary>The defaults below.</summary>
    public static ServerSettings Default { get; } = new();

    /// <summary>Linux's net.core.somaxconn, which caps the listen backlog anyway.</summary>
    internal const int DefaultBacklog = 4096;

    private readonly int? _loops;
    private readonly int _backlog = DefaultBacklog;
    private readonly int _workers = 1;

    /// <summary>How the server moves bytes. Default <see cref="EngineKind.Select"/>.</summary>
    public EngineKind Engine { get; init; } = EngineKind.Select;

    /// <summary>With the select engine: how many readiness loops. Null, the default: one per processor core.</summary>
    public int? Loops
    {
        get => _loops;
        init => _loops = value is null or (>= 1 and <= ServerBuilder.MaxWorkers) ? value : throw new ArgumentOutOfRangeException(nameof(Loops), value, $"must be from 1 to {ServerBuilder.MaxWorkers}");
    }

    /// <summary>The listen backlog. Default 4096 (see <see cref="ServerOptions.Backlog"/>).</summary>
    public int Backlog
    {
        get => _backlog;
        init => _backlog = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Backlog), value, "must be at least 1");
    }

    /// <summary>Listeners per IP endpoint, sharing it with SO_REUSEPORT (Linux). Default 1.</summary>
    public int Workers
    {
        get => _workers;
        init => _workers = value is >= 1 and <= ServerBuilder.MaxWorkers ? value : throw new ArgumentOutOfRangeException(nameof(Workers), value, $"must be from 1 to {ServerBuilder.MaxWorkers}");
    }

    /// <summary>Set SO_REUSEPORT so that other processes share the port (Linux). Default false.</summary>
    public bool ReusePort { get; init; }

    /// <summary>Require a PROXY protocol header first on every connection. Default false.</summary>
    public bool ProxyProtocol { get; init; }

    /// <summary>Connections and buffered bytes. Default <see cref="ServerLimits.Default"/>.</summary>
    public ServerLimits Limits { get; init; } = ServerLimits.Default;

    /// <summary>What a request may hold. Default <see cref="ProtocolLimits.Default"/>.</summary>
    public ProtocolLimits Protocol { get; init; } = ProtocolLimits.Default;

    /// <summary>How long the server waits for its peers. Default <see cref="ServerTimeouts.Default"/>.</summary>
    public ServerTimeouts Timeouts { get; init; } = ServerTimeouts.Default;

    /// <summary>The configuration section of <see cref="Limits"/> and <see cref="Protocol"/>.</summary>
    public const string LimitsSection = "Limits";

    /// <summary>The configuration section of <see cref="Timeouts"/>.</summary>
    public const string TimeoutsSection = "Timeouts";

    /// <summary>
    /// Every setting, in the order help and the docs list them: its configuration key (under a server's
    /// <c>SocketKit:Servers:NAME</c>), its kind, what it does and why its default is what it is.
    /// </summary>
    public static IReadOnlyList<ServerSetting> All { get; } =
    [
        new ServerSetting<EngineKind>("", "Engine", SettingKind.Engine, s => s.Engine, (s, v) => s with { Engine = v },
            "How to move bytes: select (readiness loops on epoll/kqueue/poll) or blocking (a thread per connection, as the tutorial's echo-server)",
            "readiness loops serve the most connections with the fewest threads, as the tutorial's multiconn-server does"),
        new ServerSetting<int?>("", "Loops", SettingKind.Count, s => s.Loops, (s, v) => s with { Loops = v },
            "With the select engine: readiness loops, each a thread with its own selector, sharing the listener",
            "one per core keeps every core busy without threads waiting on each other", v => v is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "one per core"),
        new ServerSetting<int>("", "Backlog", SettingKind.Count, s => s.Backlog, (s, v) => s with { Backlog = v },
            "Connections the kernel queues before they are accepted",
            "Linux's net.core.somaxconn caps it: a burst of connects beyond the backlog has its SYNs dropped and retried a second later"),
        new ServerSetting<int>("", "Workers", SettingKind.Count, s => s.Workers, (s, v) => s with { Workers = v },
            "Listeners per IP endpoint, sharing the port with SO_REUSEPORT (Linux); the kernel spreads connections among them",
            "one listener is the tutorial's server; more are for machines whose cores one accept loop cannot keep busy"),
        new ServerSetting<bool>("", "ReusePort", SettingKind.Switch, s => s.ReusePort, (s, v) => s with { ReusePort = v },
            "Set SO_REUSEPORT so that other processes started with it share the port (Linux)",
            "off: a second server on a taken port fails with \"address in use\" rather than silently sharing it"),
        new ServerSetting<bool>("", "ProxyProtocol", SettingKind.Switch, s => s.ProxyProtocol, (s, v) => s with { ProxyProtocol = v },
            "Require a PROXY protocol header (v1 or v2, as HAProxy's send-proxy-v2 or nginx's proxy_protocol send) first on every connection, and use the client's address it names",
            "off: a header is only to be trusted from a balancer in front, which only the operator knows is there"),
        new ServerSetting<int>(LimitsSection, "MaxConnections", SettingKind.Count, s => s.Limits.MaxConnections, (s, v) => s with { Limits = s.Limits with { MaxConnections = v } },
            "The most connections served at once; one more is closed at once and counted",
            "half the 20,000 descriptors a process may hold on a stock Linux machine; lowered at start to what the descriptor limit allows"),
        new ServerSetting<int>(LimitsSection, "MaxSendBufferBytes", SettingKind.Size, s => s.Limits.MaxSendBufferBytes, (s, v) => s with { Limits = s.Limits with { MaxSendBufferBytes = v } },
            "The most bytes a connection may have waiting to be sent; a slow reader past it is cut off",
            "a response to a request of the largest default content (1MiB) fits twice"),
        new ServerSetting<int?>(LimitsSection, "MaxConnectionsPerAddress", SettingKind.Count, s => s.Limits.MaxConnectionsPerAddress, (s, v) => s with { Limits = s.Limits with { MaxConnectionsPerAddress = v } },
            "The most connections one client address (the one a PROXY header names, with the PROXY protocol) may hold at once, as nginx's limit_conn; one more is closed at once and counted",
            "none: many clients may share one address (a NAT, a balancer without a PROXY header); set it where each client has its own",
            v => v is null ? "none" : v.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new ServerSetting<int>(LimitsSection, "MaxPipelinedBytes", SettingKind.Size, s => s.Limits.MaxPipelinedBytes, (s, v) => s with { Limits = s.Limits with { MaxPipelinedBytes = v } },
            "The most bytes of later requests a connection buffers while a handler works on an earlier one; past it the server stops reading that connection",
            "one read of the engine's buffer: room for many pipelined small requests, and no more held for one client"),
        new ServerSetting<int>(LimitsSection, "MaxHeaderBytes", SettingKind.Size, s => s.Protocol.MaxHeaderBytes, (s, v) => s with { Protocol = s.Protocol with { MaxHeaderBytes = v } },
            "The largest JSON header a request may have (at most 65535, the wire's own bound)",
            "the reference's headers are about 100 bytes; this leaves room for extensions while refusing a 64KiB header at its first two bytes"),
        new ServerSetting<int>(LimitsSection, "MaxContentBytes", SettingKind.Size, s => s.Protocol.MaxContentBytes, (s, v) => s with { Protocol = s.Protocol with { MaxContentBytes = v } },
            "The largest content a request may declare; a larger one is refused before its bytes are read",
            "the reference's requests and replies are under 100 bytes; a megabyte bounds memory per connection without refusing real use"),
        new ServerSetting<int>(LimitsSection, "MaxJsonDepth", SettingKind.Count, s => s.Protocol.MaxJsonDepth, (s, v) => s with { Protocol = s.Protocol with { MaxJsonDepth = v } },
            "The deepest nesting of JSON objects and arrays in a header or in JSON content",
            "System.Text.Json's default; deeper JSON is an attack, not a request"),
        new ServerSetting<TimeSpan>(TimeoutsSection, "RequestTimeout", SettingKind.Duration, s => s.Timeouts.RequestTimeout, (s, v) => s with { Timeouts = s.Timeouts with { RequestTimeout = v } },
            "The longest a whole request may take to arrive, from its first byte; more bytes do not extend it",
            "Kestrel's RequestHeadersTimeout; a client dribbling a byte at a time is closed all the same")
        { FormerName = "HeaderTimeout" },
        new ServerSetting<TimeSpan>(TimeoutsSection, "IdleTimeout", SettingKind.Duration, s => s.Timeouts.IdleTimeout, (s, v) => s with { Timeouts = s.Timeouts with { IdleTimeout = v } },
            "The longest a kept-alive connection may wait between requests",
            "Kestrel's KeepAliveTimeout"),
        new ServerSetting<TimeSpan>(TimeoutsSection, "DrainTimeout", SettingKind.Duration, s => s.Timeouts.DrainTimeout, (s, v) => s with { Timeouts = s.Timeouts with { DrainTimeout = v } },
            "On stop (Ctrl+C, SIGTERM), the longest to let requests in flight finish before closing them",
            "the usual grace period of a service manager before it kills"),
        new ServerSetting<TimeSpan>(TimeoutsSection, "HandshakeTimeout", SettingKind.Duration, s => s.Timeouts.HandshakeTimeout, (s, v) => s with { Timeouts = s.Timeouts with { HandshakeTimeout = v } },
            "With TLS, close a connection that has not finished its handshake in this time, from its accept",
            "a handshake is two round trips; ten seconds leaves room for a slow client without holding silent sockets for long"),
        new ServerSetting<TimeSpan>(TimeoutsSection, "HandlerTimeout", SettingKind.Duration, s => s.Timeouts.HandlerTimeout, (s, v) => s with { Timeouts = s.Timeouts with { HandlerTimeout = v } },
            "The longest a request's handler may work (awaiting, or blocking off the loop); then its token is cancelled, the client is answered with an error and the connection closes",
            "as the request timeout: a client waits no longer for its answer than it may take to send its request"),
        new ServerSetting<double>(TimeoutsSection, "MinRequestContentBytesPerSecond", SettingKind.Rate, s => s.Timeouts.MinRequestContentBytesPerSecond, (s, v) => s with { Timeouts = s.Timeouts with { MinRequestContentBytesPerSecond = v } },
            "The slowest a client may send a request's content, in bytes per second on average since it began, after the grace period",
            "Kestrel's MinRequestBodyDataRate, averaged as Kestrel does, so a stall on a lossy network does not cut off a transfer that is well ahead"),
        new ServerSetting<double>(TimeoutsSection, "MinResponseBytesPerSecond", SettingKind.Rate, s => s.Timeouts.MinResponseBytesPerSecond, (s, v) => s with { Timeouts = s.Timeouts with { MinResponseBytesPerSecond = v } },
            "The slowest a client may read a response, in bytes per second over each grace period",
            "Kestrel's MinResponseDataRate; only time spent waiting on the peer counts"),
        new ServerSetting<TimeSpan>(TimeoutsSection, "MinDataRateGracePeriod", SettingKind.Duration, s => s.Timeouts.MinDataRateGracePeriod, (s, v) => s with { Timeouts = s.Timeouts with { MinDataRateGracePeriod = v } },
            "How long content or a response may go slower than its minimum rate; a response must reach its rate in each such period",
            "Kestrel's: long enough to ride out a stall on a lossy network, short enough to free a stalled connection soon"),
    ];

    /// <summary>The setting whose configuration key (e.g. Timeouts:RequestTimeout) this is; null when none.</summary>
    public static ServerSetting? Find(string key) =>
        All.FirstOrDefault(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase));

    /// <summary>These settings as the options every listener of a server starts with, listening on <paramref name="endPoint"/>.</summary>
    public ServerOptions ToOptions(EndPoint endPoint) => Apply(new ServerOptions { EndPoint = endPoint });

    /// <summary><paramref name="options"/> with these settings' engine, loops, backlog, SO_REUSEPORT, limits and timeouts.</summary>
    public ServerOptions Apply(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with { Engine = Engine, Loops = Loops, Backlog = Backlog, ReusePort = ReusePort, Limits = Limits, Timeouts = Timeouts };
    }
}
