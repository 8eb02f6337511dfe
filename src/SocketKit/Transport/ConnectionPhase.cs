namespace SocketKit.Transport;

/// <summary>
/// Where a connection's conversation stands, as far as timing goes: it decides which of the connection's deadlines
/// applies (see <see cref="ServerTimeouts"/>).
/// </summary>
public enum ConnectionPhase
{
    /// <summary>
    /// No request is partly read (before the first, between two, or once the conversation is over): the gap is timed
    /// by the idle timeout, and a stopping server may close the connection without losing anything.
    /// </summary>
    Idle,

    /// <summary>A request is partly read: the request timeout, set at its first byte, bounds it whole.</summary>
    Request,

    /// <summary>
    /// A request's header is read and its content is arriving: the request timeout still applies, and the peer is held
    /// to <see cref="ServerTimeouts.MinRequestContentBytesPerSecond"/> meanwhile.
    /// </summary>
    Content,
}
