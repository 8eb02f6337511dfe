namespace SocketKit.Protocol;

/// <summary>What <see cref="ServerConversation.Receive"/> found in the bytes it was given.</summary>
public enum ConversationEventKind
{
    /// <summary>No whole request yet: call again with the bytes left unconsumed and more.</summary>
    NeedData,

    /// <summary>A whole request (<see cref="ConversationEvent.Request"/>): answer it with <see cref="ServerConversation.Respond"/> before receiving more.</summary>
    Request,

    /// <summary>
    /// The bytes broke the protocol (<see cref="ConversationEvent.Error"/>): the conversation is in
    /// <see cref="ConversationState.Error"/>, and one error answer may be sent with <see cref="ServerConversation.Respond"/>.
    /// </summary>
    ProtocolError,

    /// <summary>The conversation is over (<see cref="ConversationState.Done"/> or <see cref="ConversationState.Error"/>): the bytes were dropped unread; close once what was written is sent.</summary>
    Finished,
}
