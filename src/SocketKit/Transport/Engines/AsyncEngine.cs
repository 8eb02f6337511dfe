using Microsoft.Extensions.Logging;
using SocketKit.Transport.Connections;

namespace SocketKit.Transport.Engines;

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

    protected override async Task ServeConnectionAsync(Socket socket, ConnectionDriver driver, ConnectionGate gate, CancellationToken token)
    {
        await gate.EnterAsync(token);
        try
        {
            driver.Open();
        }
        finally
        {
            gate.Exit();
        }
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<int>> send = (piece, t) => socket.SendAsync(piece, SocketFlags.None, t);
        bool moreLikely = false;
        while (true)
        {
            while (driver.ReadPaused)
            {
                // A handler at work, and the requests waiting for it at their limit: read again once it answers.
                await gate.WaitToReadAsync(token);
            }
            if (!moreLikely)
            {
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, token);
            }
            byte[] buffer = ArrayPool<byte>.Shared.Rent(ReceiveSize);
            try
            {
                int n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, token);
                // A full buffer means the peer is streaming: read again at once rather than wait with a zero-byte read.
                moreLikely = n == buffer.Length;
                await gate.EnterAsync(token);
                try
                {
                    if (driver.IsDone)
                    {
                        return; // Posted work ended the conversation while this task waited.
                    }
                    if (n == 0) driver.PeerFinished(); else driver.Received(buffer.AsMemory(0, n));
                    await ConnectionGate.SendAllAsync(driver, send, token);
                    if (!driver.IsDone && CloseIfDrained(driver.Tracked))
                    {
                        driver.Finish(ConnectionCloseReason.ServerStopping);
                    }
                    if (driver.IsDone)
                    {
                        if (driver.SayGoodbye())
                        {
                            await ConnectionGate.SendAllAsync(driver, send, token);
                        }
                        return;
                    }
                }
                finally
                {
                    gate.Exit();
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
