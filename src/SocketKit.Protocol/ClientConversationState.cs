namespace SocketKit.Protocol;

/// <summary>Where the client's side of one connection's conversation stands (see <see cref="ClientConversation"/>).</summary>
public enum ClientConversationState
{
    /// <summary>No request awaits an answer: before the first request, or after an answer kept the connection.</summary>
    Ready,

    /// <summary>Requests await their answers; nothing of the next answer has arrived yet.</summary>
    Awaiting,

    /// <summary>An answer's first bytes have arrived; it is not whole yet.</summary>
    Receiving,

    /// <summary>
    /// The conversation is over without a fault: an answer came without keep-alive (the server closes after it), the
    /// last request asked none and was answered, or the server closed with nothing owed. No request may be sent.
    /// </summary>
    Done,

    /// <summary>
    /// The server broke the protocol, or closed in the middle of an answer or with answers owed (sticky): every later
    /// call reports the same <see cref="ClientConversation.Failure"/>.
    /// </summary>
    Error,
}
