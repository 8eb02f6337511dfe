using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using SocketKit.Logging;

namespace SocketKit.Transport.Tls;

/// <summary>
/// Serves connections over TLS. TLS is a stream (records, handshakes, renegotiation), not a socket that reports
/// readiness, so this engine reads and writes an <see cref="SslStream"/> asynchronously, whichever of blocking or
/// async was asked for; the select engine cannot serve TLS (a readable socket does not mean a readable record).
/// Each connection must finish its handshake within <see cref="TlsServerOptions.HandshakeTimeout"/> or is closed.
/// </summary>
internal sealed class TlsEngine : ServerEngine
{
    private const int ReceiveSize = 64 * 1024;
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private readonly TlsServerOptions _tls;

    public TlsEngine(Socket listener, ServerOptions options, TlsServerOptions tls, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger logger)
        : base(listener, options, handlerFactory, logger)
    {
        _tls = tls;
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
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: false));
        try
        {
            if (!await HandshakeAsync(stream, info, token))
            {
                reason = ConnectionCloseReason.Failed;
                return;
            }
            IConnectionHandler handler = HandlerFactory(info);
            var input = new ReceiveBuffer();
            var output = new SendBuffer(Limits.MaxSendBufferBytes);
            byte[] buffer = new byte[ReceiveSize];
            while (true)
            {
                int n = await stream.ReadAsync(buffer, token);
                NextStep step;
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
                if (output.WrittenCount > 0)
                {
                    Counters.Buffered(output.WrittenCount);
                    LogSending(info, output.WrittenSpan);
                    connection.Clock.SendStarted();
                    await stream.WriteAsync(output.WrittenMemory, token);
                    connection.Clock.Sent(output.WrittenCount);
                    output.Reset();
                    connection.Clock.SendDone();
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
            // close_notify first, then FIN after the last byte, as a plain connection would end.
            await stream.ShutdownAsync();
        }
        catch (OperationCanceledException)
        {
            reason = connection.AbortReason ?? ConnectionCloseReason.ServerStopping;
        }
        catch (SendBufferFullException)
        {
            reason = ConnectionCloseReason.SendBufferFull;
        }
        catch (IOException ex) when (ex.InnerException is SocketException socketError)
        {
            reason = connection.AbortReason ?? ConnectionCloseReason.Failed;
            if (connection.AbortReason is null) LogFailure(info, socketError);
        }
        catch (IOException ex)
        {
            reason = ConnectionCloseReason.Failed;
            Log.ConnectionFailed(Logger, info.Id, info.Remote, ex.Message);
        }
        finally
        {
            connection.Wake = null;
            Closed(connection, reason);
            CloseGracefully(socket);
            await stream.DisposeAsync();
            _connections.TryRemove(info.Id, out _);
        }
    }

    private async Task<bool> HandshakeAsync(SslStream stream, ConnectionInfo connection, CancellationToken token)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(token);
        timer.CancelAfter(_tls.HandshakeTimeout);
        try
        {
            await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _tls.Certificate }, timer.Token);
            return true;
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            Log.ConnectionFailed(Logger, connection.Id, connection.Remote, $"no TLS handshake within {Durations.Format(_tls.HandshakeTimeout)}");
            return false;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            Log.ConnectionFailed(Logger, connection.Id, connection.Remote, $"TLS handshake failed: {ex.Message.TrimEnd('.')}");
            return false;
        }
    }
}
