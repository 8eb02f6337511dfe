namespace SocketKit.Transport.Connections;

/// <summary>Why a server closed a connection; the log line, the metrics and the counters say which (see <see cref="ConnectionCloseReasons"/>).</summary>
public enum ConnectionCloseReason
{
    /// <summary>The peer closed its side.</summary>
    PeerClosed,
    /// <summary>The handler finished the conversation (a response without keep-alive, a protocol error answered).</summary>
    Done,
    /// <summary>The peer reset the connection, the socket failed, or the TLS handshake failed.</summary>
    Failed,
    /// <summary>A whole request did not arrive within <see cref="ServerTimeouts.RequestTimeout"/>.</summary>
    RequestTimeout,
    /// <summary>No request came within <see cref="ServerTimeouts.IdleTimeout"/> after the last one.</summary>
    IdleTimeout,
    /// <summary>The peer read a response slower than <see cref="ServerTimeouts.MinResponseBytesPerSecond"/>.</summary>
    SlowReader,
    /// <summary>The handler wrote more than <see cref="ServerLimits.MaxSendBufferBytes"/> waiting to be sent.</summary>
    SendBufferFull,
    /// <summary>The server is stopping and the connection had no request in flight.</summary>
    ServerStopping,
    /// <summary>The server stopped and the connection was still busy when <see cref="ServerTimeouts.DrainTimeout"/> ran out.</summary>
    DrainTimeout,
    /// <summary>The peer sent a request's content slower than <see cref="ServerTimeouts.MinRequestContentBytesPerSecond"/>.</summary>
    SlowRequestContent,
    /// <summary>The peer did not finish the TLS handshake within <see cref="ServerTimeouts.HandshakeTimeout"/>.</summary>
    HandshakeTimeout,

    /// <summary>A request's handler did not answer within <see cref="ServerTimeouts.HandlerTimeout"/>: the client was told so, then the connection closed.</summary>
    HandlerTimeout,
    /// <summary>
    /// The client a PROXY header named was refused: its address is not allowed (<see cref="ServerOptions.ClientAddresses"/>)
    /// or holds <see cref="ServerLimits.MaxConnectionsPerAddress"/> connections already. (A direct connection is refused
    /// as it is accepted, before it is a connection.)
    /// </summary>
    Refused,
}
