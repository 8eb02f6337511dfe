namespace SocketKit.Protocol;

/// <summary>Where the server's side of one connection's conversation stands (see <see cref="ServerConversation"/>).</summary>
public enum ConversationState
{
    /// <summary>Before the first request, or between two: nothing of a next request has arrived.</summary>
    Idle,

    /// <summary>A request's first bytes have arrived; its protoheader or JSON header is not whole yet.</summary>
    Header,

    /// <summary>A request's header is whole; its content is arriving.</summary>
    Content,

    /// <summary>A request is whole and owed its response: nothing more is read until it is answered.</summary>
    Answering,

    /// <summary>
    /// The conversation is over without a fault: a response without keep-alive was sent, or the peer ended the stream
    /// between requests. Nothing more is read.
    /// </summary>
    Done,

    /// <summary>
    /// The peer broke the protocol (sticky). The stream cannot be read further: the one error answer may still be sent
    /// (unless the stream ended mid-message), and nothing more is ever read.
    /// </summary>
    Error,
}
