using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SocketKit.Transport.Connections;

namespace SocketKit.Transport.Engines;

/// <summary>
/// Asynchronous sockets on the thread pool: an accept loop, and each connection a task of its own, its bytes through a
/// <see cref="ConnectionDriver"/>. A connection waits for data with a zero-byte receive, so an idle connection holds
/// no buffer; it borrows one from the pool only while bytes are arriving, and its output buffer only until the bytes
/// are sent. The heartbeat and the drain end a connection by cancelling its operations.
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
                catch (SocketException ex) when (ExhaustionKind(ex) is { } kind)
                {
                    // Out of descriptors: serve what is held, and try again shortly, as connections close.
                    AcceptPaused(kind);
                    try
                    {
                        await Task.Delay(AcceptPause, Options.TimeProvider, stopping);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                    continue;
                }
                if (Adopt(socket) is not { } connection)
                {
                    continue;
                }
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
        using var cancel = new CancellationTokenSource();
        Action wake = () =>
        {
            try { cancel.Cancel(); } catch (ObjectDisposedException) { }
        };
        connection.Wake = wake;
        if (connection.AbortReason is not null) cancel.Cancel(); // Aborted before Wake was set.
        var driver = CreateDriver(connection);
        var gate = new ConnectionGate(driver, (piece, t) => socket.SendAsync(piece, SocketFlags.None, t), wake, cancel.Token);
        connection.Handle.Owner = gate; // Before anyone can find it (the registry) or post to it.
        Opened(connection.Info);
        try
        {
            await ServeConnectionAsync(socket, driver, gate, cancel.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Posted work that ended the conversation wakes the serving task out of its receive: that is no failure.
            if (!(driver.IsDone && connection.AbortReason is null && ex is OperationCanceledException))
            {
                driver.Fail(ex);
            }
        }
        finally
        {
            connection.Wake = null;
            await gate.EnterAsync(CancellationToken.None);
            gate.Close();
            gate.Exit();
            driver.Dispose();
            Closed(connection, driver.CloseReason);
            CloseGracefully(socket);
            _connections.TryRemove(connection.Info.Id, out _);
        }
    }
    /// <summary>
    /// Serves one connection through <paramref name="driver"/> until it is done (why is the driver's to say); the
    /// connection's operations take <paramref name="token"/>, which is cancelled when the heartbeat or the drain closes
    /// it, or when posted work ended the conversation. Every turn with the driver is taken under
    /// <paramref name="gate"/>, which posted work shares. Failures are thrown.
    /// </summary>
    private async Task ServeConnectionAsync(Socket socket, ConnectionDriver driver, ConnectionGate gate, CancellationToken token)
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
