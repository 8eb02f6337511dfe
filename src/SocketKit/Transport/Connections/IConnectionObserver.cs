using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Transport.Connections;

/// <summary>
/// What a connection tells the server that serves it, and the two things it asks (a handler, whether a client named
/// by a PROXY header is admitted): the one way from a <see cref="ConnectionDriver"/> to its engine. The engine
/// implements it once (<c>ServerEngine</c>), and its counters, metrics and log lines are recorded here.
/// </summary>
internal interface IConnectionObserver
{
    /// <summary>A connection is served: registered, counted and logged.</summary>
    void Opened(ConnectionInfo connection);

    /// <summary>Makes the handler for <paramref name="client"/> (the application's factory).</summary>
    IConnectionHandler CreateHandler(ConnectionInfo client);

    /// <summary>The address rules and per-address limit, for a client a PROXY header named: false when refused (counted and logged).</summary>
    bool AdmitClient(ServerConnection connection, ConnectionInfo client);

    /// <summary>Bytes received (for the handler, or a layer's own such as the PROXY header): counted and logged.</summary>
    void Received(ConnectionInfo connection, ReadOnlySpan<byte> bytes);

    /// <summary>The handler wrote <paramref name="bytes"/>, about to go out; <paramref name="buffered"/> is what its send buffer holds now.</summary>
    void Sending(ConnectionInfo connection, ReadOnlySpan<byte> bytes, int buffered);

    /// <summary>A TLS handshake accepted the client's certificate (null when it gave none).</summary>
    void Secured(ConnectionInfo connection, X509Certificate2? clientCertificate);

    /// <summary>A TLS handshake failed.</summary>
    void HandshakeFailed(ConnectionInfo connection, Exception failure);

    /// <summary>
    /// The connection failed: a socket error (a reset is logged quietly), a stream's own failure, or a handler's bug.
    /// Called at most once, and not for a failure the server caused itself (a close, a stop) or a full send buffer.
    /// </summary>
    void Failed(ConnectionInfo connection, Exception failure);

    /// <summary>The connection is about to close for <paramref name="reason"/>: forgotten, counted and logged, before its socket closes.</summary>
    void Closed(ServerConnection connection, ConnectionCloseReason reason);
}
