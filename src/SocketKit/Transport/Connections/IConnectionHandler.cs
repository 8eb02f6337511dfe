namespace SocketKit.Transport.Connections;

/// <summary>
/// What one connection does with the bytes it receives, with no socket in sight: an engine moves bytes
/// between the socket and this handler, so every engine serves every application the same way. Its calls come from
/// the one thread serving the connection at a time; a handler that answers later (<see cref="ConnectionPhase.Handling"/>)
/// does so through <see cref="ConnectionInfo.Connection"/>, whose posted work runs on that same thread.
/// </summary>
public interface IConnectionHandler
{
    /// <summary>
    /// Handles received bytes. Advance <paramref name="data"/> past what was used; what is left is offered
    /// again, with more bytes, on the next call. Append bytes to send to <paramref name="output"/>.
    /// </summary>
    NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output);

    /// <summary>The peer finished sending (a read returned 0). <paramref name="unconsumed"/> is what OnData left.</summary>
    NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output);

    /// <summary>
    /// Where the conversation stands after the last call, which decides the timeout the engine applies next. Default
    /// <see cref="ConnectionPhase.Idle"/>, for handlers without requests (echo). Bytes a handler leaves unconsumed
    /// count as a request begun whatever it says.
    /// </summary>
    ConnectionPhase Phase => ConnectionPhase.Idle;

    /// <summary>
    /// The handler stayed <see cref="ConnectionPhase.Handling"/> past <see cref="ServerTimeouts.HandlerTimeout"/>: write
    /// the last words the peer should get (an error answer), if any. The connection then closes as
    /// <see cref="ConnectionCloseReason.HandlerTimeout"/>, and work posted for the request afterwards is dropped.
    /// </summary>
    void OnHandlerTimeout(IBufferWriter<byte> output)
    {
    }
}

/// <summary>What the engine does after a handler call.</summary>
public enum NextStep
{
    /// <summary>Send what was written and keep receiving.</summary>
    Receive,

    /// <summary>Send what was written, then close the connection: the handler expects nothing more.</summary>
    CloseAfterSending,
}
