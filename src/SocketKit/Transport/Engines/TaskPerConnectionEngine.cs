using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SocketKit.Transport.Connections;

namespace SocketKit.Transport.Engines;

/// <summary>
/// An engine that accepts asynchronously and serves each connection as a task of its own: the accept loop, how a
/// connection is woken (its operations are cancelled), and how it ends; its bytes go through a
/// <see cref="ConnectionDriver"/>, TLS included.
/// </summary>
internal abstract class TaskPerConnectionEngine : ServerEngine
{
    private readonly ConcurrentDictionary<long, Task> _connections = new();

    protected TaskPerConnectionEngine(Socket listener, ServerOptions options, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger logger)
        : base(listener, options, handlerFactory, logger)
    {
    }

    // The accept loop ends on the stopping token itself.
    protected sealed override void StopAccepting()
    {
    }

    protected sealed override async Task RunCoreAsync(CancellationToken stopping)
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

    /// <summary>
    /// Serves one connection through <paramref name="driver"/> until it is done (why is the driver's to say); the
    /// connection's operations take <paramref name="token"/>, which is cancelled when the heartbeat or the drain closes
    /// it, or when posted work ended the conversation. Every turn with the driver is taken under
    /// <paramref name="gate"/>, which posted work shares. Failures are thrown.
    /// </summary>
    protected abstract Task ServeConnectionAsync(Socket socket, ConnectionDriver driver, ConnectionGate gate, CancellationToken token);

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
        var driver = new ConnectionDriver(this, connection);
        var gate = new ConnectionGate(driver, (piece, t) => socket.SendAsync(piece, SocketFlags.None, t), wake, cancel.Token);
        connection.Handle.Owner = gate; // Before anyone can find it (the registry) or post to it.
        OnAccepted(connection.Info);
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
}
