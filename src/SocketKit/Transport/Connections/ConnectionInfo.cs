using SocketKit.Transport.Tls;
namespace SocketKit.Transport.Connections;

/// <summary>Who a connection is: a number unique in its server (in its <see cref="ServerGroup"/>, for a group's listeners), and both ends.</summary>
public sealed record ConnectionInfo(long Id, EndPoint LocalEndPoint, EndPoint RemoteEndPoint)
{
    private readonly PeerAddress _peer; // Until someone asks for RemoteEndPoint: most connections are never asked.

    /// <summary>A connection accepted as a bare descriptor: its peer's endpoint if made already, else its address as accept gave it.</summary>
    internal ConnectionInfo(long id, EndPoint localEndPoint, EndPoint? remoteEndPoint, PeerAddress peer) : this(id, localEndPoint, remoteEndPoint!) => _peer = peer;

    /// <summary>The peer's end (the client's, as a PROXY header names it).</summary>
    public EndPoint RemoteEndPoint { get => field ??= _peer.ToEndPoint(); init; } = RemoteEndPoint;

    /// <summary>The peer's address as text.</summary>
    public string Remote => field ??= EndPoints.Format(RemoteEndPoint); // Formatted when first logged, not for every connection.

    /// <summary>
    /// The load balancer's end of the connection when a PROXY protocol header named the client (then
    /// <see cref="RemoteEndPoint"/> is the client's real address); null for a direct connection.
    /// </summary>
    public EndPoint? ProxyEndPoint { get; init; }

    /// <summary>
    /// The connection as code outside its engine may use it from any thread (send, run work on it, close, its closing
    /// token): how a handler answers later, and how a server pushes. Null for a handler made without a server.
    /// </summary>
    public ConnectionHandle? Connection { get; internal init; }

    /// <summary>
    /// With mutual TLS (<see cref="Tls.TlsServerOptions.ClientCertificateAuthorities"/>): the certificate the client gave,
    /// already checked against the CAs (its <c>Subject</c> names the client); null for a client that gave none, or without
    /// mutual TLS. The handler is made before the handshake, and set here once it succeeded, before the handler gets a
    /// byte: read it when data arrives, not in the handler factory.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate => CertificateSlot?.Certificate;

    /// <summary>Where the handshake puts the client's certificate; shared by the copies that name the client (PROXY). Null without mutual TLS.</summary>
    internal ClientCertificateSlot? CertificateSlot { get; init; }

    /// <summary>What the connection carried, counted for its close line; null unless <see cref="ServerOptions.LogCloseCounts"/>.</summary>
    internal ConnectionCounts? Counts { get; init; }

    /// <summary>When the connection was accepted, as a <see cref="System.Diagnostics.Stopwatch"/> timestamp.</summary>
    internal long OpenedAt { get; init; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>
    /// The port the server listens on, the tag every metric of this connection carries. Kept when a PROXY header
    /// replaces <see cref="LocalEndPoint"/> with the balancer's destination, so the metrics stay with this server.
    /// </summary>
    internal int ServerPort { get; init; } = LocalEndPoint is IPEndPoint ip ? ip.Port : 0;

    /// <summary>Where the server that accepted it records its metrics (<see cref="ServerOptions.Metrics"/>), so its handlers record there too.</summary>
    internal Metrics.SocketKitMetrics Metrics { get; init; } = SocketKit.Metrics.SocketKitMetrics.Shared;
}
