using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketKit.Logging;

namespace SocketKit.Transport;

/// <summary>
/// Asynchronous sockets on the thread pool. A connection waits for data with a zero-byte receive, so an
/// idle connection holds no buffer; it borrows one from the pool only while bytes are arriving, and its
/// output buffer only until the bytes are sent.
/// </summary>
internal sealed class AsyncEngine : ServerEngine
{
    // Large enough to take a 64 KiB message in one receive: fewer system calls per byte on bulk transfers.
    private const int ReceiveSize = 64 * 1024;
    private readonly ConcurrentDictionary<long, Task> _connections = new();

    public AsyncEngine(Socket listener, ServerOptions options, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger logger)
        : base(listener, options, handlerFactory, logger)
    {
    }

    public override async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await Listener.AcceptAsync(stopping);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
                {
                    continue;
                }
                socket.NoDelay = true;
                ConnectionInfo info = Describe(socket);
                _connections[info.Id] = ServeAsync(socket, info, stopping);
                if (AcceptedAll)
                {
                    break;
                }
            }
        }
        finally
        {
            Listener.Dispose();
            await Task.WhenAll(_connections.Values);
        }
    }

    private async Task ServeAsync(Socket socket, ConnectionInfo connection, CancellationToken stopping)
    {
        await Task.Yield(); // Let the accept loop go on at once.
        OnAccepted(connection);
        string reason = "peer closed";
        try
        {
            IConnectionHandler handler = HandlerFactory(connection);
            var input = new ReceiveBuffer();
            var output = new PooledBufferWriter();
            bool moreLikely = false;
            while (true)
            {
                if (!moreLikely)
                {
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, stopping);
                }
                byte[] buffer = ArrayPool<byte>.Shared.Rent(ReceiveSize);
                NextStep step;
                int n;
                try
                {
                    n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, stopping);
                    // A full buffer means the peer is streaming: read again at once rather than wait with a zero-byte read.
                    moreLikely = n == buffer.Length;
                    if (n == 0)
                    {
                        step = input.Finish(handler, output);
                    }
                    else
                    {
                        LogReceived(connection, buffer.AsSpan(0, n));
                        step = input.Feed(handler, buffer.AsMemory(0, n), output);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                if (output.WrittenCount > 0)
                {
                    LogSending(connection, output.WrittenSpan);
                    await socket.SendAsync(output.WrittenMemory, SocketFlags.None, stopping);
                }
                output.Release();
                if (n == 0)
                {
                    break;
                }
                if (step == NextStep.CloseAfterSending)
                {
                    reason = "done";
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            reason = "server stopped";
        }
        catch (SocketException ex)
        {
            reason = ex.SocketErrorCode.ToString();
            LogFailure(connection, ex);
        }
        finally
        {
            CloseGracefully(socket);
            OnClosed(connection, reason);
            _connections.TryRemove(connection.Id, out _);
        }
    }
}
