namespace SocketKit.Transport;

/// <summary>
/// How much a server lets its peers take: connections and buffered bytes. What a message may hold is the
/// protocol's to bound (<c>SocketKit.Protocol.ProtocolLimits</c>, given to the application protocol's handler).
/// Every limit has a default and a unit; none means "unlimited", but for <see cref="MaxConnectionsPerAddress"/>, which
/// says why.
/// </summary>
public sealed record ServerLimits
{
    /// <summary>The defaults below.</summary>
    public static ServerLimits Default { get; } = new();

    private readonly int _maxConnections = 10_000;
    private readonly int _maxSendBufferBytes = 2 * 1024 * 1024;
    private readonly int _maxPipelinedBytes = 64 * 1024;

    /// <summary>
    /// The most connections served at once. Default 10,000: half the 20,000 file descriptors a process may
    /// hold on a stock Linux machine, leaving room for the rest. A connection over it is closed at once and counted.
    /// A server lowers it at start to what its descriptor limit allows (with those already open and a reserve for
    /// the runtime kept back), and logs that it did.
    /// </summary>
    public int MaxConnections
    {
        get => _maxConnections;
        init => _maxConnections = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxConnections), value, "must be at least 1");
    }

    /// <summary>
    /// The most bytes a connection may have waiting to be sent, in bytes. Default 2 MiB: a response to a request
    /// of the default maximum content (1 MiB) fits twice. A handler that writes more is cut off before the bytes
    /// are buffered, so a slow reader cannot make the server hold more than this for it.
    /// </summary>
    public int MaxSendBufferBytes
    {
        get => _maxSendBufferBytes;
        init => _maxSendBufferBytes = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxSendBufferBytes), value, "must be at least 1 byte");
    }

    /// <summary>
    /// The most bytes of later requests a connection buffers while a handler works on an earlier one, in bytes.
    /// Default 64 KiB: one read of the engine's receive buffer, room for many pipelined small requests. Past it the
    /// engine stops reading the connection until the handler answers, so a pipelining client cannot make the server
    /// hold more than this for it (TCP's window then holds the client back).
    /// </summary>
    public int MaxPipelinedBytes
    {
        get => _maxPipelinedBytes;
        init => _maxPipelinedBytes = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxPipelinedBytes), value, "must be at least 1 byte");
    }

    private readonly int? _maxConnectionsPerAddress;

    /// <summary>
    /// The most connections one client address may hold at once, as nginx's <c>limit_conn</c>: one over it is closed at
    /// once and counted (<c>max_connections_per_address</c>). The address is the client's, the one a PROXY header names
    /// when the server reads one. Null, the default: no limit but <see cref="MaxConnections"/>, because many clients may
    /// share one address (behind a NAT, or a balancer that sends no PROXY header) and a bench from one machine opens
    /// thousands; set it where each client has its own address.
    /// </summary>
    public int? MaxConnectionsPerAddress
    {
        get => _maxConnectionsPerAddress;
        init => _maxConnectionsPerAddress = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxConnectionsPerAddress), value, "must be at least 1");
    }
}
