using System.Net.Security;

namespace SocketKit.Tests.Support;

/// <summary>
/// A raw client connection of a <see cref="TestTransport"/>: bytes exactly as given, over a plain socket or inside
/// TLS, so the same byte-for-byte tests run over both. Every wait is bounded by the caller's token.
/// </summary>
public sealed class RawConnection : IAsyncDisposable, IDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;

    public RawConnection(Socket socket, SslStream? tls = null)
    {
        _socket = socket;
        _stream = tls ?? (Stream)new NetworkStream(socket, ownsSocket: false);
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(bytes, cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Ends the client's sending: a TCP half-close, and over TLS a close_notify first (what a TLS peer reads as the
    /// end of the stream); the server may still answer.
    /// </summary>
    public async Task ShutdownSendAsync()
    {
        if (_stream is SslStream tls)
        {
            await tls.ShutdownAsync();
        }
        _socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>All the server sends until it closes.</summary>
    public async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            int n = await _stream.ReadAsync(buffer, cancellationToken);
            if (n == 0) return received.ToArray();
            received.Write(buffer, 0, n);
        }
    }

    public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            int n = await _stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (n == 0) throw new EndOfStreamException($"closed after {filled} of {count} bytes");
            filled += n;
        }
        return buffer;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
