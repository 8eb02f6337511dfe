namespace SocketKit.Hosting;

/// <summary>
/// One server's settings, bound from configuration section <c>SocketKit:Servers:NAME</c> (appsettings.json,
/// environment variables such as <c>SocketKit__Servers__app__Endpoints__0</c>, the command line). Every value left
/// unset takes the library's default (<see cref="Transport.ServerOptions"/>, <see cref="Transport.ServerLimits"/>,
/// <see cref="Transport.ServerTimeouts"/>). Checked when the host starts; each problem is named with its key.
/// </summary>
public sealed class SocketKitServerOptions
{
    /// <summary>The configuration section servers are read from; a server's own is <c>SocketKit:Servers:NAME</c>.</summary>
    public const string SectionName = "SocketKit:Servers";

    /// <summary>
    /// Where to listen, at least one: <c>127.0.0.1:65432</c>, <c>[::1]:65432</c>, <c>0.0.0.0:65432</c>, <c>[::]:65432</c>
    /// (IPv4 too), or <c>unix:/run/app.sock</c>. Port 0 lets the system choose (the log says which).
    /// </summary>
    public List<string> Endpoints { get; set; } = [];

    /// <summary>
    /// The engine by name, as <c>socketkit --engine</c> takes it (any <see cref="Transport.EngineKind"/>, case-insensitive).
    /// Null: the library's default engine.
    /// </summary>
    public string? Engine { get; set; }

    /// <summary>With the select engine: readiness loops, each a thread with its own selector. Null: one per core.</summary>
    public int? Loops { get; set; }

    /// <summary>The listen backlog. Null: the library's default (4096).</summary>
    public int? Backlog { get; set; }

    /// <summary>
    /// Listeners per IP endpoint, sharing its port with SO_REUSEPORT (Linux) so the kernel spreads connections among
    /// them. Default 1. More than 1 is not possible on a Unix socket endpoint.
    /// </summary>
    public int Workers { get; set; } = 1;

    /// <summary>
    /// Require a PROXY protocol header (v1 or v2) first on every connection, as sent by HAProxy or nginx with
    /// proxy_protocol on, and see clients by their real address. Default false: connections without one are refused when true.
    /// </summary>
    public bool ProxyProtocol { get; set; }

    /// <summary>Serve only clients in these networks (CIDR or one address), as <c>--allow</c>. Empty: any not denied.</summary>
    public List<string> Allow { get; set; } = [];

    /// <summary>Refuse clients in these networks (CIDR or one address), as <c>--deny</c>; wins over <see cref="Allow"/>.</summary>
    public List<string> Deny { get; set; } = [];

    /// <summary>Connection and message bounds.</summary>
    public SocketKitLimitsOptions Limits { get; set; } = new();

    /// <summary>How long the server waits for its peers.</summary>
    public SocketKitTimeoutsOptions Timeouts { get; set; } = new();

    /// <summary>Serve over TLS: set both paths. Null or empty: plain TCP.</summary>
    public SocketKitTlsOptions? Tls { get; set; }
}
