using SocketKit.Transport.Connections;

namespace SocketKit.Transport.Engines;

/// <summary>
/// Blocking sockets and a thread per connection, as the tutorial's echo server is written: recv waits
/// for data, sendall waits until every byte is out. Simple to follow; a thread's stack for every client.
/// The heartbeat and the drain wake a blocked thread by shutting its socket down.
/// </summary>
internal sealed class BlockingEngine : ServerEngine
{
    private const int ReceiveSize = 64 * 1024;
    // Sent in pieces so the heartbeat sees a slow reader's progress between them.
    private const int SendPiece = 64 * 1024;
    private readonly CountdownEvent _running = new(1);

    public BlockingEngine(Socket listener, ServerOptions options, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger logger)
        : base(listener, options, handlerFactory, logger)
    {
    }

    protected override Task RunCoreAsync(CancellationToken stopping) => DedicatedThread.Run("socketkit-accept", () =>
    {
        AcceptLoop(stopping);
        _running.Signal();
        _running.Wait();
    });

    // Accept blocks; closing the listener is what wakes it when the server stops.
    protected override void StopAccepting() => Listener.Dispose();

    private void AcceptLoop(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = Listener.Accept();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException && stopping.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                continue; // The client gave up before we accepted it.
            }
            catch (SocketException ex) when (ExhaustionKind(ex) is { } kind)
            {
                // Out of descriptors: the threads go on serving what is held; accept again shortly, as connections close.
                AcceptPaused(kind);
                stopping.WaitHandle.WaitOne(AcceptPause);
                continue;
            }
            if (Adopt(socket) is not { } connection)
            {
                continue;
            }
            connection.Wake = () => ShutdownBoth(socket);
            _running.AddCount();
            try
            {
                new Thread(() => Serve(socket, connection)) { IsBackground = true, Name = $"socketkit-conn-{connection.Info.Id}" }.Start();
            }
            catch (Exception ex) when (ExhaustionKind(ex) is { } kind)
            {
                // No thread for it: refuse this one as if over the limit, and pause as for descriptors.
                _running.Signal();
                Abandon(connection, socket);
                AcceptPaused(kind);
                stopping.WaitHandle.WaitOne(AcceptPause);
                continue;
            }
            if (AcceptedAll)
            {
                Listener.Dispose();
                break;
            }
        }
    }

    private void Serve(Socket socket, ServerConnection connection)
    {
        var driver = CreateDriver(connection);
        // Posted work sends without blocking a pool thread. Once it ends the conversation, shutting the receiving side
        // wakes this thread's receive (it returns 0) without a FIN: the peer learns of the close only after it is counted.
        var gate = new ConnectionGate(driver, (piece, t) => socket.SendAsync(piece, SocketFlags.None, t), () => ShutdownReceive(socket), CancellationToken.None);
        connection.Handle.Owner = gate; // Before anyone can find it (the registry) or post to it.
        Opened(connection.Info);
        connection.Wake = () =>
        {
            ShutdownBoth(socket);
            gate.ReleaseReader();
        };
        if (connection.AbortReason is not null) ShutdownBoth(socket); // Aborted before Wake was set.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReceiveSize);
        try
        {
            gate.Enter();
            try
            {
                driver.Open();
            }
            finally
            {
                gate.Exit();
            }
            while (true)
            {
                while (driver.ReadPaused && connection.AbortReason is null)
                {
                    gate.WaitToRead(); // A handler at work, and the requests waiting for it at their limit.
                }
                int n = socket.Receive(buffer);
                gate.Enter();
                try
                {
                    if (driver.IsDone)
                    {
                        break; // Posted work ended the conversation, and woke this thread.
                    }
                    if (connection.AbortReason is { } aborted)
                    {
                        driver.Finish(aborted);
                        break;
                    }
                    if (n == 0) driver.PeerFinished(); else driver.Received(buffer.AsMemory(0, n));
                    SendAll(socket, driver);
                    if (!driver.IsDone && (CloseIfDrained(connection) || connection.AbortReason is not null))
                    {
                        driver.Finish(connection.AbortReason!.Value);
                    }
                    if (driver.IsDone)
                    {
                        if (connection.AbortReason is null && driver.SayGoodbye())
                        {
                            SendAll(socket, driver);
                        }
                        break;
                    }
                }
                finally
                {
                    gate.Exit();
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (!(driver.IsDone && connection.AbortReason is null))
            {
                driver.Fail(ex);
            }
        }
        finally
        {
            gate.Enter();
            gate.Close();
            gate.Exit();
            ArrayPool<byte>.Shared.Return(buffer);
            driver.Dispose();
            Closed(connection, driver.CloseReason);
            CloseGracefully(socket);
            _running.Signal();
        }
    }

    /// <summary>sendall: a piece at a time, so the heartbeat sees a slow reader's progress between them.</summary>
    private static void SendAll(Socket socket, ConnectionDriver driver)
    {
        while (driver.HasPending)
        {
            ReadOnlyMemory<byte> pending = driver.Pending();
            driver.Sending();
            driver.Sent(socket.Send(pending.Span[..Math.Min(SendPiece, pending.Length)]));
        }
    }

    private static void ShutdownReceive(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Receive);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}
