using SocketKit.Applications;
using SocketKit.Transport;
using SocketKit.Transport.Tls;

namespace SocketKit.Diagnostics.Netcat;

/// <summary>
/// One connection of a raw relay, made as ncat makes it: connected as the clients connect (a host, an IP
/// address or unix:PATH, TLS when asked), or the first accepted on a listener. <see cref="RelayAsync"/> then moves
/// raw bytes both ways, untouched.
/// </summary>
public sealed class NetcatConnection : IAsyncDisposable
{
    private const int ChunkBytes = 64 * 1024;
    private readonly Socket _socket;
    private readonly Stream _stream;

    private NetcatConnection(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
        Remote = socket.RemoteEndPoint is { } remote ? EndPoints.Format(remote) : "unix:";
    }

    /// <summary>The peer, as HOST:PORT (a Unix socket's peer has no name: "unix:").</summary>
    public string Remote { get; }

    /// <summary>Whether the bytes go through TLS.</summary>
    public bool Tls => TlsStreams.IsTls(_stream);

    /// <summary>Connects as the clients do (<see cref="ClientOptions.ConnectTimeout"/>, <see cref="ClientOptions.Tls"/>).</summary>
    /// <exception cref="NetworkException">The connect or the TLS handshake failed.</exception>
    public static async Task<NetcatConnection> ConnectAsync(string host, int port, ClientOptions options, CancellationToken cancellationToken = default)
    {
        (Socket socket, Stream stream) = await ClientStreams.ConnectAsync(host, port, options, cancellationToken);
        return new NetcatConnection(socket, stream);
    }

    /// <summary>
    /// Listens on <paramref name="endPoint"/>, says where through <paramref name="listening"/> (port 0 is the port the
    /// system picked), accepts one connection, closes the listener (as ncat without -k), and with
    /// <paramref name="tls"/> runs the server's handshake, bounded by its <see cref="ServerTimeouts.HandshakeTimeout"/> (its default).
    /// </summary>
    /// <exception cref="SocketException">The address cannot be listened on.</exception>
    /// <exception cref="NetworkException">The TLS handshake failed or timed out.</exception>
    public static async Task<NetcatConnection> AcceptAsync(EndPoint endPoint, TlsServerOptions? tls, Action<EndPoint> listening, CancellationToken cancellationToken = default)
    {
        Socket accepted;
        using (Socket listener = Listeners.Listen(endPoint, 1))
        {
            listening(listener.LocalEndPoint!);
            accepted = await listener.AcceptAsync(cancellationToken);
        }
        if (endPoint is UnixDomainSocketEndPoint unix && unix.ToString() is { Length: > 0 } path && !path.StartsWith('\0'))
        {
            File.Delete(path); // The listener is gone: its file would only be stale.
        }
        if (tls is null)
        {
            return new NetcatConnection(accepted, new NetworkStream(accepted, ownsSocket: true));
        }
        Stream ssl = await TlsStreams.AuthenticateAsServerAsync(accepted, tls, ServerTimeouts.Default.HandshakeTimeout, cancellationToken);
        return new NetcatConnection(accepted, ssl);
    }

    /// <summary>
    /// Copies <paramref name="input"/> to the peer and the peer to <paramref name="output"/> at once, byte for byte.
    /// At the end of the input it half-closes (TLS: close_notify, then FIN) and goes on reading; it returns when the
    /// peer has closed its side and everything it sent is written and flushed. <paramref name="tap"/> sees every
    /// chunk as it passes, with its offset in its direction.
    /// </summary>
    /// <exception cref="NetworkException">The connection failed (reset, or TLS broke).</exception>
    public async Task<NetcatResult> RelayAsync(Stream input, Stream output, Action<NetcatDirection, long, ReadOnlyMemory<byte>>? tap = null, CancellationToken cancellationToken = default)
    {
        long[] moved = new long[2]; // bytes so far, by NetcatDirection
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // One copy loop for each direction; only what is received is flushed chunk by chunk, for the terminal.
        async Task CopyAsync(Stream from, Stream to, NetcatDirection direction, bool flushEach)
        {
            byte[] buffer = new byte[ChunkBytes];
            int n;
            while ((n = await from.ReadAsync(buffer, stop.Token)) > 0)
            {
                ReadOnlyMemory<byte> chunk = buffer.AsMemory(0, n);
                tap?.Invoke(direction, moved[(int)direction], chunk);
                await to.WriteAsync(chunk, stop.Token);
                if (flushEach)
                {
                    await to.FlushAsync(stop.Token);
                }
                moved[(int)direction] += n;
            }
        }
        async Task SendAsync()
        {
            await CopyAsync(input, _stream, NetcatDirection.Sent, flushEach: false);
            await _stream.FlushAsync(stop.Token);
            await TlsStreams.ShutdownAsync(_stream);
            _socket.Shutdown(SocketShutdown.Send);
        }
        Task ReceiveAsync() => CopyAsync(_stream, output, NetcatDirection.Received, flushEach: true);
        Task sending = SendAsync();
        Task receiving = ReceiveAsync();
        try
        {
            // The peer's close ends the session, as ncat's; a failed send ends it too, with its error.
            Task first = await Task.WhenAny(sending, receiving);
            if (first == sending && sending.IsFaulted)
            {
                await sending;
            }
            await receiving;
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw ClientStreams.Translate(ex, "relay with", Remote);
        }
        catch (SocketException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw NetworkException.From(ex, "relay with", Remote);
        }
        finally
        {
            await stop.CancelAsync();
        }
        return new NetcatResult(moved[(int)NetcatDirection.Sent], moved[(int)NetcatDirection.Received]);
    }

    /// <summary>Closes the connection (and its TLS session).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
