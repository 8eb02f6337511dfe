namespace SocketKit.Protocol;

/// <summary>One step of a <see cref="ClientConversation"/>: what the bytes received so far amount to.</summary>
public readonly record struct ClientConversationEvent
{
    private ClientConversationEvent(ClientConversationEventKind kind, Message answer, long sequence, bool keepsConnection, ProtocolException? error)
    {
        Kind = kind;
        Answer = answer;
        Sequence = sequence;
        KeepsConnection = keepsConnection;
        Error = error;
    }

    /// <summary>No whole answer yet.</summary>
    public static ClientConversationEvent NeedData { get; } = new(ClientConversationEventKind.NeedData, default, -1, false, null);

    /// <summary>The conversation is over; nothing was read.</summary>
    public static ClientConversationEvent Finished { get; } = new(ClientConversationEventKind.Finished, default, -1, false, null);

    /// <summary>What happened.</summary>
    public ClientConversationEventKind Kind { get; }

    /// <summary>The answer, when <see cref="Kind"/> is <see cref="ClientConversationEventKind.Answer"/>; default otherwise.</summary>
    public Message Answer { get; }

    /// <summary>Which request the answer answers: 0 for the first sent on the connection, 1 for the next; -1 for no answer.</summary>
    public long Sequence { get; }

    /// <summary>
    /// True when the answer granted keep-alive: the server reads the next request. False when it did not: the server
    /// closes after it, and the requests still in flight (<see cref="ClientConversation.InFlight"/>) are never answered.
    /// </summary>
    public bool KeepsConnection { get; }

    /// <summary>The broken rule, when <see cref="Kind"/> is <see cref="ClientConversationEventKind.ProtocolError"/>; null otherwise.</summary>
    public ProtocolException? Error { get; }

    internal static ClientConversationEvent Of(Message answer, long sequence) =>
        new(ClientConversationEventKind.Answer, answer, sequence, answer.Header.KeepAlive, null);

    internal static ClientConversationEvent Failed(ProtocolException error) =>
        new(ClientConversationEventKind.ProtocolError, default, -1, false, error);
}
