namespace SocketKit.Transport.Connections;

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

    /// <summary>
    /// A request is whole and its handler is at work (awaiting, or off the loop): the handler timeout
    /// (<see cref="ServerTimeouts.HandlerTimeout"/>) bounds it. Meanwhile the engine reads on, so a peer that goes away
    /// is noticed, but feeds the handler nothing: later requests wait in the connection's buffer, up to
    /// <see cref="ServerLimits.MaxPipelinedBytes"/>, and reading pauses past that. The handler completes the request
    /// through its <see cref="ConnectionHandle"/>, from any thread.
    /// </summary>
    Handling,
}
