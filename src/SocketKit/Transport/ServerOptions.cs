using SocketKit.Metrics;
using SocketKit.Transport.Connections;
using SocketKit.Transport.Engines;
using SocketKit.Transport.Readiness;
using SocketKit.Transport.Settings;

namespace SocketKit.Transport;

/// <summary>Where and how a server listens.</summary>
public sealed record ServerOptions
{
    /// <summary>The address and port to bind. Port 0 lets the system pick a free port; read it back from <see cref="SocketServer.LocalEndPoint"/>.</summary>
    public required EndPoint EndPoint { get; init; }

    /// <summary>How the server moves bytes. Default <see cref="EngineKind.Select"/>: readiness loops on epoll (kqueue, poll).</summary>
    public EngineKind Engine { get; init; } = EngineKind.Select;

    private readonly int? _loops;

    /// <summary>
    /// With <see cref="EngineKind.Select"/>: how many readiness loops, each a thread with its own selector, sharing the
    /// listener. Null, the default: one per processor core. The tutorial's multiconn-server is one.
    /// </summary>
    public int? Loops
    {
        get => _loops;
        init => _loops = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Loops), value, "must be at least 1");
    }

    /// <summary>The mechanism under the select engine's selectors. Default: the platform's best; tests force poll.</summary>
    internal SelectorMechanism SelectorMechanism { get; init; }

    /// <summary>The process's descriptor limit, as <see cref="SocketServer.Start"/> found (and raised) it; null where there is none.</summary>
    internal long? DescriptorLimit { get; init; }

    /// <summary>
    /// The listen backlog: connections the kernel queues before they are accepted. Default 4096, Linux's
    /// net.core.somaxconn (which caps it): a burst of connects beyond the backlog has its SYNs dropped and
    /// retried a second later, so a small backlog turns a burst of 10,000 connects into seconds.
    /// </summary>
    public int Backlog { get; init; } = ServerSettings.DefaultBacklog;

    /// <summary>Serve over TLS with this certificate. Null, the default: plain TCP. Every engine serves it.</summary>
    public Tls.TlsServerOptions? Tls { get; init; }

    /// <summary>
    /// Set by <see cref="ServerBuilder.RequireProxyProtocol"/>: every connection must begin with a PROXY protocol header
    /// no longer than this, read from the raw bytes before anything else (TLS included). Null: no header.
    /// </summary>
    internal int? ProxyHeaderBytes { get; init; }

    /// <summary>
    /// Byte layers every connection gets, each made for the connection as accepted, wire side first, above the PROXY
    /// header and TLS and below the handler (see <see cref="ConnectionLayers"/>). Default none.
    /// </summary>
    internal IReadOnlyList<Func<ConnectionInfo, ByteLayer>> ByteLayers { get; init; } = [];

    /// <summary>Serve this many connections, then stop by itself (the tutorial's one-connection echo server is 1). Null serves until stopped.</summary>
    public int? StopAfterConnections { get; init; }

    /// <summary>
    /// Sets SO_REUSEPORT (Linux) so that several listeners, in this process or others, share the address and the kernel
    /// spreads new connections among them. Default false: a second server on a taken port fails with "address in use".
    /// </summary>
    public bool ReusePort { get; init; }

    /// <summary>Where the server records its metrics. Default <see cref="SocketKitMetrics.Shared"/> (meter "SocketKit.Server").</summary>
    public SocketKitMetrics? Metrics { get; init; }

    /// <summary>
    /// Which client addresses are served (networks allowed and denied): judged on the client's address, the one a
    /// PROXY header names when the server reads one. A refused connection is closed at once, counted
    /// (<c>address_denied</c>) and logged at most once a second. Default <see cref="AddressRules.None"/>: every address.
    /// </summary>
    public AddressRules ClientAddresses { get; init; } = AddressRules.None;

    /// <summary>The address rules and per-address counts, shared by a group's listeners. Null: the server makes its own.</summary>
    internal AddressGate? AddressGate { get; init; }

    /// <summary>Connections and buffered bytes. Default <see cref="ServerLimits.Default"/>.</summary>
    public ServerLimits Limits { get; init; } = ServerLimits.Default;

    /// <summary>The request, idle, drain, TLS handshake and data-rate timeouts. Default <see cref="ServerTimeouts.Default"/>.</summary>
    public ServerTimeouts Timeouts { get; init; } = ServerTimeouts.Default;

    /// <summary>Where connection ids come from. Null, the default: the server numbers its own from 1; a <see cref="ServerGroup"/> shares one among its listeners.</summary>
    /// <summary>The live connections, shared by a group's listeners as their ids are; each server makes its own otherwise.</summary>
    internal ConnectionRegistry? Registry { get; init; }

    internal ConnectionIds? ConnectionIds { get; init; }

    /// <summary>The clock every timeout reads. Default <see cref="TimeProvider.System"/>; tests pass a fake one to move time by hand.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Whether the Information line at each connection's close also says what it carried: "Closing connection N to
    /// REMOTE (REASON): R requests, I bytes in, O bytes out, open S s" (bytes of the conversation, before TLS; requests
    /// as its handler read them). Default false: the tutorial's line, "Closing connection N to REMOTE (REASON)". The
    /// hosted server turns it on.
    /// </summary>
    public bool LogCloseCounts { get; init; }

    /// <summary>
    /// Called as the server closes a connection, before its socket closes, with why. For tests that time what the
    /// server controls (from <see cref="ConnectionInfo.OpenedAt"/>, its accept, to its close) apart from what a
    /// client's own scheduling adds.
    /// </summary>
    internal Action<ConnectionInfo, ConnectionCloseReason>? OnClosing { get; init; }
}
