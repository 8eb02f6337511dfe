using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace SocketKit.Transport.Tls;

/// <summary>
/// Serves connections over TLS. TLS is a stream (records, handshakes, renegotiation), not a socket that reports
/// readiness, so this engine reads and writes an <see cref="SslStream"/> asynchronously, whichever of blocking or
/// async was asked for. The select engine serves TLS on its own loop instead, through a <see cref="TlsPump"/> per
/// connection (a readable socket does not mean a readable record, so the pump turns ciphertext into records).
/// Each connection must finish its handshake within <see cref="TlsServerOptions.HandshakeTimeout"/> or is closed.
/// </summary>
internal sealed class TlsEngine : TaskPerConnectionEngine
{
    private const int ReceiveSize = 64 * 1024;
    private readonly TlsServerOptions _tls;

    public TlsEngine(Socket listener, ServerOptions options, TlsServerOptions tls, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger logger)
        : base(listener, options, handlerFactory, logger)
    {
        _tls = tls;
    }

    protected override async Task ServeConnectionAsync(Socket socket, ConnectionDriver driver, CancellationToken token)
    {
        await using var stream = new SslStream(new NetworkStream(socket, ownsSocket: false));
        if (!await HandshakeAsync(stream, driver.Info, token))
        {
            driver.Finish(ConnectionCloseReason.Failed);
            return;
        }
        // The stream below does TLS: the driver sees plaintext only.
        driver.Open();
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<int>> send = async (piece, t) =>
        {
            await stream.WriteAsync(piece, t);
            return piece.Length;
        };
        byte[] buffer = new byte[ReceiveSize];
        while (true)
        {
            int n = await stream.ReadAsync(buffer, token);
            if (n == 0) driver.PeerFinished(); else driver.Received(buffer.AsMemory(0, n));
            await SendAllAsync(driver, send, token);
            if (!driver.IsDone && CloseIfDrained(driver.Tracked))
            {
                driver.Finish(ConnectionCloseReason.ServerStopping);
            }
            if (driver.IsDone)
            {
                // close_notify first, then FIN after the last byte, as a plain connection would end.
                await stream.ShutdownAsync();
                return;
            }
        }
    }

    private async Task<bool> HandshakeAsync(SslStream stream, ConnectionInfo connection, CancellationToken token)
    {
        // On the server's clock, as every other timeout, so a fake clock in tests moves this one too.
        using var deadline = new CancellationTokenSource(_tls.HandshakeTimeout, Options.TimeProvider);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(token, deadline.Token);
        try
        {
            await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _tls.Certificate }, timer.Token);
            return true;
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            LogHandshakeTimedOut(connection, _tls.HandshakeTimeout);
            return false;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            LogHandshakeFailed(connection, ex);
            return false;
        }
    }
}
