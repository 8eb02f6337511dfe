using System.Buffers;

namespace SocketKit.Transport;

/// <summary>
/// What one connection does with the bytes it receives, with no socket in sight: an engine moves bytes
/// between the socket and this handler, so every engine serves every application the same way.
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
    /// True when no request is partly read: the engine times the gap as idle (and may close the connection when
    /// the server stops) rather than as a request in flight. Default true, for handlers without requests (echo).
    /// </summary>
    bool IsBetweenRequests => true;

    /// <summary>
    /// True while a request's content (the bytes after its header) is being received: the engine holds the peer to
    /// <see cref="ServerTimeouts.MinRequestContentBytesPerSecond"/> meanwhile. Default false, for handlers without content.
    /// </summary>
    bool IsReceivingContent => false;
}

/// <summary>What the engine does after a handler call.</summary>
public enum NextStep
{
    /// <summary>Send what was written and keep receiving.</summary>
    Receive,

    /// <summary>Send what was written, then close the connection: the handler expects nothing more.</summary>
    CloseAfterSending,
}
