using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace SocketKit.Transport;

/// <summary>
/// Asynchronous sockets on the thread pool. A connection waits for data with a zero-byte receive, so an
/// idle connection holds no buffer; it borrows one from the pool only while bytes are arriving, and its
/// output buffer only until the bytes are sent. The heartbeat and the drain end a connection by cancelling its operations.
/// </summary>
internal sealed class AsyncEngine : TaskPerConnectionEngine
{
    // Large enough to take a 64 KiB message in one receive: fewer system calls per byte on bulk transfers.
    private const int ReceiveSize = 64 * 1024;

    public AsyncEngine(Socket listener, ServerOptions options, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger logger)
        : base(listener, options, handlerFactory, logger)
    {
    }

    protected override async Task<ConnectionCloseReason> ServeConnectionAsync(Socket socket, ServerConnection connection, CancellationToken token)
    {
        IConnectionHandler handler = HandlerFactory(connection.Info);
        var input = new ReceiveBuffer();
        var output = new SendBuffer(Limits.MaxSendBufferBytes);
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<int>> send = (piece, t) => socket.SendAsync(piece, SocketFlags.None, t);
        bool moreLikely = false;
        while (true)
        {
            if (!moreLikely)
            {
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, token);
            }
            byte[] buffer = ArrayPool<byte>.Shared.Rent(ReceiveSize);
            NextStep step;
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, token);
                // A full buffer means the peer is streaming: read again at once rather than wait with a zero-byte read.
                moreLikely = n == buffer.Length;
                if (n == 0)
                {
                    step = input.Finish(handler, output);
                }
                else
                {
                    step = Deliver(connection, handler, input, buffer.AsMemory(0, n), output);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            if (output.WrittenCount > 0)
            {
                await SendAllAsync(connection, output, send, token);
            }
            if (n == 0)
            {
                return ConnectionCloseReason.PeerClosed;
            }
            if (step == NextStep.CloseAfterSending)
            {
                return ConnectionCloseReason.Done;
            }
            if (CloseIfDrained(connection))
            {
                return ConnectionCloseReason.ServerStopping;
            }
        }
    }
}
