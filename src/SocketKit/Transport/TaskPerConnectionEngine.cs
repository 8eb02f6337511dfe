using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketKit.Logging;

namespace SocketKit.Transport;

/// <summary>
/// An engine that accepts asynchronously and serves each connection as a task of its own: the accept loop, how a
/// connection is woken (its operations are cancelled), how its failures are told apart, and how it ends. The async
/// engine serves a socket this way, the TLS engine an <see cref="System.Net.Security.SslStream"/>.
/// </summary>
internal abstract class TaskPerConnectionEngine : ServerEngine
{
    // Sent in pieces so the heartbeat sees a slow reader's progress between them.
    private const int SendPiece = 64 * 1024;
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
                if (!Admit(socket))
                {
                    continue;
                }
                Listeners.SetNoDelay(socket);
                if (Track(socket) is not { } connection)
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
    /// Serves one connection until it ends, returning why it ended in an orderly way; the connection's operations take
    /// <paramref name="token"/>, which is cancelled when the heartbeat or the drain closes it. Failures are thrown.
    /// </summary>
    protected abstract Task<ConnectionCloseReason> ServeConnectionAsync(Socket socket, ServerConnection connection, CancellationToken token);

    /// <summary>
    /// Sends what the handler wrote, a piece at a time so the connection's clock sees the reader's progress;
    /// <paramref name="send"/> sends one piece and says how many bytes of it went.
    /// </summary>
    protected async Task SendAllAsync(ServerConnection connection, SendBuffer output, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<int>> send, CancellationToken token)
    {
        Counters.Buffered(output.WrittenCount);
        LogSending(connection.Info, output.WrittenSpan);
        connection.Clock.SendStarted();
        ReadOnlyMemory<byte> pending = output.WrittenMemory;
        while (!pending.IsEmpty)
        {
            int sent = await send(pending[..Math.Min(SendPiece, pending.Length)], token);
            connection.Clock.Sent(sent);
            pending = pending[sent..];
        }
        output.Reset();
        connection.Clock.SendDone();
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
        OnAccepted(info);
        ConnectionCloseReason reason = ConnectionCloseReason.Failed; // What only an OutOfMemoryException leaves.
        try
        {
            reason = await ServeConnectionAsync(socket, connection, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            reason = connection.AbortReason ?? ConnectionCloseReason.ServerStopping;
        }
        catch (SendBufferFullException)
        {
            reason = ConnectionCloseReason.SendBufferFull;
        }
        catch (Exception ex) when (ex is SocketException or IOException { InnerException: SocketException })
        {
            reason = connection.AbortReason ?? ConnectionCloseReason.Failed;
            if (connection.AbortReason is null) LogFailure(info, ex as SocketException ?? (SocketException)ex.InnerException!);
        }
        catch (IOException ex)
        {
            // A stream's own failure, such as a TLS record that does not decrypt.
            reason = ConnectionCloseReason.Failed;
            Log.ConnectionFailed(Logger, info.Id, info.Remote, ex.Message);
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
}
