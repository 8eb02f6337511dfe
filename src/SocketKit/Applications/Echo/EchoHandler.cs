using SocketKit.Transport.Connections;

namespace SocketKit.Applications.Echo;

/// <summary>Sends back every byte it receives until the peer closes: the tutorial's echo server and multiconn server.</summary>
public sealed class EchoHandler : IConnectionHandler
{
    /// <summary>One instance for every connection: the handler keeps no state, so a connection need not hold one of its own.</summary>
    public static EchoHandler Shared { get; } = new();

    /// <inheritdoc />
    public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
    {
        foreach (ReadOnlyMemory<byte> segment in data)
        {
            output.Write(segment.Span);
        }
        data = data.Slice(data.End);
        return NextStep.Receive;
    }

    /// <inheritdoc />
    public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output) => NextStep.CloseAfterSending;
}
