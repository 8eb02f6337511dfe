using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketKit.Logging;

namespace SocketKit.Transport;

/// <summary>
/// Asynchronous sockets on the thread pool. A connection waits for data with a zero-byte receive, so an
/// idle connection holds no buffer; it borrows one from the pool only while bytes are arriving, and its
/// output buffer only until the bytes are sent. The heartbeat and the drain end a connection by cancelling its operations.
/// </summary>
internal sealed class AsyncEngine : ServerEngine
{
    // Large enough to take a 64 KiB message in one receive: fewer system calls per byte on bulk transfers.
    private const int ReceiveSize = 64 * 1024;
    // Sent in pieces so the heartbeat sees a slow reader's progress between them.
    private const int SendPiece = 64 * 1024;
    private readonly ConcurrentDictionary<long, Task> _connections = new();

    public AsyncEngine(Socket listener, ServerOptions options, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger logger)
        : base(listener, options, handlerFactory, logger)
    {
    }

    // The accept loop ends on the stopping token itself.
    protected override void StopAccepting()
    {
    }

    protected override async Task RunCoreAsync(CancellationToken stopping)
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
                if (!Admit(socket))
                {
                    continue;
                }
                Listeners.SetNoDelay(socket);
                ServerConnection connection = Track(Describe(socket));
                _connections[connection.Info.Id] = ServeAsync(socket, connection);
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

    private async Task ServeAsync(Socket socket, ServerConnection connection)
    {
        await Task.Yield(); // Let the accept loop go on at once.
        ConnectionInfo info = connection.Info;
        using var cancel = new CancellationTokenSource();
        connection.Wake = () =>
        {
            try { cancel.Cancel(); } catch (ObjectDisposedException) { }
        };
        if (connection.AbortReason is not null) cancel.Cancel(); // Aborted before Wake was set.
        CancellationToken token = cancel.Token;
        OnAccepted(info);
        ConnectionCloseReason reason = ConnectionCloseReason.PeerClosed;
        try
        {
            IConnectionHandler handler = HandlerFactory(info);
            var input = new ReceiveBuffer();
            var output = new SendBuffer(Limits.MaxSendBufferBytes);
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
                        LogReceived(info, buffer.AsSpan(0, n));
                        step = input.Feed(handler, buffer.AsMemory(0, n), output);
                        Timed(connection, handler, input, n);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                if (output.WrittenCount > 0)
                {
                    await SendAllAsync(socket, connection, output, token);
                }
                if (n == 0)
                {
                    break;
                }
                if (step == NextStep.CloseAfterSending)
                {
                    reason = ConnectionCloseReason.Done;
                    break;
                }
                if (CloseIfDrained(connection, Draining))
                {
                    reason = ConnectionCloseReason.ServerStopping;
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            reason = connection.AbortReason ?? ConnectionCloseReason.ServerStopping;
        }
        catch (SendBufferFullException)
        {
            reason = ConnectionCloseReason.SendBufferFull;
        }
        catch (SocketException ex)
        {
            reason = connection.AbortReason ?? ConnectionCloseReason.Failed;
            if (connection.AbortReason is null) LogFailure(info, ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A handler's bug ends its own connection, never the server.
            reason = ConnectionCloseReason.Failed;
            Log.HandlerFailed(Logger, info.Id, info.Remote, $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            connection.Wake = null;
            Closed(connection, reason);
            CloseGracefully(socket);
            _connections.TryRemove(info.Id, out _);
        }
    }

    private async Task SendAllAsync(Socket socket, ServerConnection connection, SendBuffer output, CancellationToken token)
    {
        Counters.Buffered(output.WrittenCount);
        LogSending(connection.Info, output.WrittenSpan);
        connection.Clock.SendStarted();
        ReadOnlyMemory<byte> pending = output.WrittenMemory;
        while (!pending.IsEmpty)
        {
            int sent = await socket.SendAsync(pending[..Math.Min(SendPiece, pending.Length)], SocketFlags.None, token);
            connection.Clock.Sent(sent);
            pending = pending[sent..];
        }
        output.Reset();
        connection.Clock.SendDone();
    }
}
