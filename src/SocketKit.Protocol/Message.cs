namespace SocketKit.Protocol;

/// <summary>One whole message: its header and exactly <see cref="MessageHeader.ContentLength"/> content bytes.</summary>
public readonly record struct Message(MessageHeader Header, ReadOnlyMemory<byte> Content);
