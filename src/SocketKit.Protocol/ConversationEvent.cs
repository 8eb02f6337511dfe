namespace SocketKit.Protocol;

/// <summary>One step of a <see cref="ServerConversation"/>: what the bytes received so far amount to.</summary>
public readonly record struct ConversationEvent
{
    private ConversationEvent(ConversationEventKind kind, Message request, ProtocolException? error)
    {
        Kind = kind;
        Request = request;
        Error = error;
    }

    /// <summary>No whole request yet.</summary>
    public static ConversationEvent NeedData { get; } = new(ConversationEventKind.NeedData, default, null);

    /// <summary>The conversation is over; nothing was read.</summary>
    public static ConversationEvent Finished { get; } = new(ConversationEventKind.Finished, default, null);

    /// <summary>What happened.</summary>
    public ConversationEventKind Kind { get; }

    /// <summary>The request, when <see cref="Kind"/> is <see cref="ConversationEventKind.Request"/>; default otherwise.</summary>
    public Message Request { get; }

    /// <summary>The broken rule, when <see cref="Kind"/> is <see cref="ConversationEventKind.ProtocolError"/>; null otherwise.</summary>
    public ProtocolException? Error { get; }

    internal static ConversationEvent Of(Message request) => new(ConversationEventKind.Request, request, null);

    internal static ConversationEvent Failed(ProtocolException error) => new(ConversationEventKind.ProtocolError, default, error);
}
