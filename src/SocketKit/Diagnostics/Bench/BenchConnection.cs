using SocketKit.Transport.Errors;
using SocketKit.Transport.Listening;
using SocketKit.Transport.Tls;

namespace SocketKit.Diagnostics.Bench;

/// <summary>
/// One load connection: a plain socket, read and written directly so plain runs measure no stream layer, or an
/// TLS stream over it (<see cref="TlsStreams"/>) when the run speaks TLS.
/// </summary>
internal sealed class BenchConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly Stream? _tls;

    private BenchConnection(Socket socket, Stream? tls)
    {
        _socket = socket;
        _tls = tls;
    }

    /// <summary>Connects (and with TLS, runs the handshake, bounded by <see cref="BenchOptions.HandshakeTimeout"/>).</summary>
    /// <exception cref="SocketException">The connect failed.</exception>
    /// <exception cref="NetworkException">The TLS handshake failed or timed out.</exception>
    /// <param name="options">The run's.</param>
    /// <param name="logger">Where to say (at Debug) what this connection's TLS handshake negotiated; null for nothing.</param>
    /// <param name="cancellationToken">Cancels the connect and the handshake.</param>
    public static async Task<BenchConnection> OpenAsync(BenchOptions options, Microsoft.Extensions.Logging.ILogger? logger, CancellationToken cancellationToken)
    {
        Socket socket = Listeners.CreateStreamSocket(options.EndPoint);
        try
        {
            Listeners.SetNoDelay(socket);
            await socket.ConnectAsync(options.EndPoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        if (options.Tls is not { } tls)
        {
            return new BenchConnection(socket, null);
        }
        // The name the certificate must carry when no ServerName says otherwise: the address itself (a certificate
        // may name an IP), never "address:port"; a Unix socket has no host, so the local one is meant.
        string host = options.EndPoint is IPEndPoint ip ? ip.Address.ToString() : "localhost";
        Stream stream = await TlsStreams.AuthenticateAsClientAsync(socket, host, tls, options.HandshakeTimeout, cancellationToken, logger);
        return new BenchConnection(socket, stream);
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        _tls is null ? SendPlainAsync(bytes, cancellationToken) : _tls.WriteAsync(bytes, cancellationToken);

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _tls is null ? _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken) : _tls.ReadAsync(buffer, cancellationToken);

    private async ValueTask SendPlainAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken);

    public void Dispose()
    {
        _tls?.Dispose();
        _socket.Dispose();
    }
}
