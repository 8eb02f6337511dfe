using System.Buffers;
using SocketKit.Transport.Connections;

namespace Chat;

/// <summary>
/// One client of the chat server. Runs on its connection's readiness loop: it frames lines, and hands each message
/// to the room, which pushes it to the other clients through their connection handles.
/// </summary>
public sealed class ChatHandler(ChatRoom room, ConnectionInfo info) : IConnectionHandler
{
    private static readonly byte[] s_lineTooLong = ChatProtocol.Line($"* line too long: at most {ChatProtocol.MaxLineBytes} bytes; closing");
    private static readonly byte[] s_nameNeeded = ChatProtocol.Line($"* the first line is your name, 1 to {ChatProtocol.MaxNameLength} characters; closing");

    private string? _name;

    /// <inheritdoc />
    public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
    {
        while (ChatProtocol.TryReadLine(ref data, out ReadOnlySequence<byte> line))
        {
            if (!Take(line, output))
            {
                return NextStep.CloseAfterSending;
            }
        }
        // No '\n' within the limit: this line would grow without bound.
        if (data.Length > ChatProtocol.MaxLineBytes)
        {
            output.Write(s_lineTooLong);
            return NextStep.CloseAfterSending;
        }
        return NextStep.Receive;
    }

    /// <inheritdoc />
    public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output)
    {
        // The client's input ended: a last line without its '\n' still counts. Then the server closes its side too.
        if (!unconsumed.IsEmpty)
        {
            Take(unconsumed, output);
        }
        return NextStep.CloseAfterSending;
    }

    private bool Take(ReadOnlySequence<byte> line, IBufferWriter<byte> output)
    {
        if (line.Length > ChatProtocol.MaxLineBytes)
        {
            output.Write(s_lineTooLong);
            return false;
        }
        string text = ChatProtocol.Text(line);
        if (_name is null)
        {
            string name = text.Trim();
            if (name.Length is 0 or > ChatProtocol.MaxNameLength)
            {
                output.Write(s_nameNeeded);
                return false;
            }
            _name = name;
            room.Join(name, info);
        }
        else if (text.Length > 0)
        {
            room.Say(_name, text, info.Connection);
        }
        return true;
    }
}
