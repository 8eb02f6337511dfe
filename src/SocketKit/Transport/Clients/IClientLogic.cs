namespace SocketKit.Transport.Clients;

/// <summary>Where a <see cref="ClientConnection"/> stands on its <see cref="ClientLoop"/>.</summary>
internal enum ClientPhase
{
    /// <summary>Its connect starts later: at the time asked for, or once fewer connects are in flight.</summary>
    Waiting,

    /// <summary>The non-blocking connect is in flight (bounded by the loop's connect timeout).</summary>
    Connecting,

    /// <summary>Connected; the TLS handshake is in flight (bounded by the loop's handshake timeout).</summary>
    Handshaking,

    /// <summary>Plaintext flows both ways; the deadline is the logic's.</summary>
    Open,

    /// <summary>Closed: by its logic, by the server, by a failure or by a timeout of the connect or the handshake.</summary>
    Closed,
}

/// <summary>
/// What a client does with one connection of a <see cref="ClientLoop"/>: the loop moves the bytes (and TLS), keeps the
/// deadlines and calls these on its thread, one at a time. A call may write to the connection, set its deadline, close
/// it, and ask the loop for another connection; the loop calls nothing of a connection once it is closed, except to say
/// why it closed when the loop closed it (<see cref="Ended"/>, <see cref="Failed"/>, and <see cref="TimedOut"/> before
/// it is open).
/// </summary>
internal interface IClientLogic
{
    /// <summary>The connection is open (connected, and with TLS the handshake done): the client may write.</summary>
    void Opened(ClientConnection connection);

    /// <summary>Plaintext arrived; the span is valid during the call only.</summary>
    void Received(ClientConnection connection, ReadOnlySpan<byte> bytes);

    /// <summary>The server ended its stream (its FIN, or with TLS its close_notify); the loop has closed the connection.</summary>
    void Ended(ClientConnection connection);

    /// <summary>
    /// The connection failed in <paramref name="phase"/> and the loop has closed it: a <see cref="SocketException"/>; an
    /// <see cref="Errors.NetworkException"/> for a connect that failed at once; with TLS the handshake's failure
    /// (<see cref="ClientConnection.Channel"/> keeps the server's first bytes) or an <see cref="IOException"/> for a
    /// record that could not be read.
    /// </summary>
    void Failed(ClientConnection connection, ClientPhase phase, Exception failure);

    /// <summary>
    /// A deadline passed. In <see cref="ClientPhase.Connecting"/> and <see cref="ClientPhase.Handshaking"/> it is the
    /// loop's, and the loop has closed the connection; in <see cref="ClientPhase.Open"/> it is the one the logic set
    /// (<see cref="ClientConnection.Deadline"/>, cleared now): a request's timeout, or a paced send coming due.
    /// </summary>
    void TimedOut(ClientConnection connection, ClientPhase phase);
}
