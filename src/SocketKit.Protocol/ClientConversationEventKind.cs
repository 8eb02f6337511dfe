namespace SocketKit.Protocol;

/// <summary>What <see cref="ClientConversation.Receive"/> found in the bytes it was given.</summary>
public enum ClientConversationEventKind
{
    /// <summary>No whole answer yet: call again with the bytes left unconsumed and more.</summary>
    NeedData,

    /// <summary>A whole answer (<see cref="ClientConversationEvent.Answer"/>) to the oldest request awaiting one.</summary>
    Answer,

    /// <summary>
    /// The server broke the protocol (<see cref="ClientConversationEvent.Error"/>); the conversation is in
    /// <see cref="ClientConversationState.Error"/> and reports this error from then on.
    /// </summary>
    ProtocolError,

    /// <summary>The conversation ended without a fault and no bytes were given: nothing more comes.</summary>
    Finished,
}
