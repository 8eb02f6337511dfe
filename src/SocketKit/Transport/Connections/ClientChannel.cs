using SocketKit.Transport.Readiness;
using SocketKit.Transport.Tls;

namespace SocketKit.Transport.Connections;

/// <summary>What <see cref="ClientChannel.Receive{TState}"/> found on the socket.</summary>
internal enum ChannelRead
{
    /// <summary>Nothing was there yet.</summary>
    WouldBlock,

    /// <summary>Bytes came (with TLS they may have been handshake or a part of a record: no plaintext yet).</summary>
    Data,

    /// <summary>The server's stream ended: its FIN, or with TLS its close_notify.</summary>
    Ended,

    /// <summary>The TLS handshake failed (<see cref="ClientChannel.HandshakeFailure"/> says why).</summary>
    HandshakeFailed,
}

/// <summary>
/// One client connection's bytes on a readiness loop: a non-blocking socket and, with TLS, the same byte layer a
/// server's connections use (<see cref="TlsLayer"/> over a <see cref="TlsPump"/>), here in the client role, with this
/// channel as the layer's host. The loop reads and writes plaintext the same way over plain TCP and over TLS; which of
/// the two carries it is this type's business, and nothing else of a client loop's.
/// </summary>
/// <remarks>
/// <para>
/// Two ways to move its wire bytes. A readiness loop lets the channel do the non-blocking I/O itself
/// (<see cref="Receive{TState}"/>, <see cref="Flush"/>). A caller that awaits .NET's asynchronous socket calls
/// (<c>AppClient</c>) reads and writes the socket itself and passes the wire bytes through
/// (<see cref="ReceiveWire{TState}"/>, <see cref="NextWire"/>, <see cref="WireSent"/>): the bytes take the same layer
/// either way.
/// </para>
/// <para>Not thread-safe: one call at a time (a loop's thread, or one awaited operation after another, the pump
/// handed to each caller's thread by its layer).</para>
/// </remarks>
internal sealed class ClientChannel : IDisposable, IByteLayerHost
{
    // Enough of the server's first bytes to tell a plain server from a TLS one when the handshake fails.
    private const int FirstBytesKept = 16;

    private readonly Queue<ReadOnlyMemory<byte>> _waiting = new(); // Plaintext written and not yet taken by the socket (plain) or the pump (TLS).
    private ReadOnlyMemory<byte> _current; // Plain: the part of a write the socket has not taken yet.
    private byte[] _first = [];
    private readonly TlsLayer? _layer;
    private readonly ArrayBufferWriter<byte> _plaintext = new(); // What the layer passed up during one Receive.
    private bool _ended; // The layer ended the stream (close_notify, or the FIN during the handshake).
    private ConnectionInfo? _info;
    private readonly EndPoint? _remote;
    private int _fd = -1; // Asked of the socket only when the channel does the I/O itself.

    /// <summary>
    /// A channel over a connected (or connecting) non-blocking socket; with <paramref name="tls"/>, TLS in the client role.
    /// <paramref name="remote"/> is the server's address when the socket was connected without .NET knowing (a client
    /// loop's connect); null: the socket's own.
    /// </summary>
    public ClientChannel(Socket socket, TlsPump? tls, EndPoint? remote = null)
    {
        Socket = socket;
        Tls = tls;
        _remote = remote;
        if (tls is not null)
        {
            _layer = new TlsLayer(tls);
            _layer.Attach(this, above: null);
        }
    }

    public Socket Socket { get; }

    /// <summary>The client's TLS, or null over plain TCP.</summary>
    public TlsPump? Tls { get; }

    /// <summary>True once plaintext flows: at once over plain TCP, once the handshake is done with TLS.</summary>
    public bool IsOpen => Tls is null || Tls.IsAuthenticated;

    /// <summary>True while a TLS handshake is in progress.</summary>
    public bool IsHandshaking => Tls is { IsHandshaking: true };

    /// <summary>Why the TLS handshake failed, or null.</summary>
    public Exception? HandshakeFailure => Tls?.HandshakeFailure;

    /// <summary>With TLS, the first bytes the server sent (at most 16).</summary>
    public ReadOnlySpan<byte> FirstReceived => _first;

    /// <summary>True while bytes wait for the socket to take them: the loop should wait for writability.</summary>
    public bool HasPending => !_current.IsEmpty || _layer is { OutgoingCount: > 0 } || (_waiting.Count > 0 && IsOpen);

    /// <summary>
    /// Reads what the socket holds into <paramref name="buffer"/> and hands every piece of plaintext it makes to
    /// <paramref name="received"/> (with TLS, after the pump has decrypted it).
    /// </summary>
    /// <exception cref="SocketException">The connection failed.</exception>
    /// <exception cref="IOException">A TLS record could not be read (corrupt, cut by the server's FIN, or an alert).</exception>
    public ChannelRead Receive<TState>(byte[] buffer, TState state, ReadOnlySpanAction<byte, TState> received)
    {
        int n = NonBlockingIo.Receive(Socket, Fd, buffer);
        return n < 0 ? ChannelRead.WouldBlock : ReceiveWire(buffer.AsMemory(0, n), state, received);
    }

    /// <summary>
    /// Takes <paramref name="wire"/>, bytes the caller read from the socket (empty: the server's FIN), and hands every
    /// piece of plaintext it makes to <paramref name="received"/>, as <see cref="Receive{TState}"/> does.
    /// </summary>
    /// <exception cref="IOException">A TLS record could not be read (corrupt, cut by the server's FIN, or an alert).</exception>
    public ChannelRead ReceiveWire<TState>(ReadOnlyMemory<byte> wire, TState state, ReadOnlySpanAction<byte, TState> received)
    {
        int n = wire.Length;
        if (_layer is null)
        {
            if (n == 0)
            {
                return ChannelRead.Ended;
            }
            received(wire.Span, state);
            return ChannelRead.Data;
        }
        if (_first.Length < FirstBytesKept && n > 0)
        {
            _first = [.. _first, .. wire.Span[..Math.Min(n, FirstBytesKept - _first.Length)]];
        }
        _plaintext.ResetWrittenCount();
        if (n == 0)
        {
            _layer.ReceiveEnd();
        }
        else
        {
            _layer.Receive(wire);
        }
        if (HandshakeFailure is not null)
        {
            return ChannelRead.HandshakeFailed;
        }
        if (_plaintext.WrittenCount > 0)
        {
            received(_plaintext.WrittenSpan, state);
        }
        return n == 0 || _ended ? ChannelRead.Ended : ChannelRead.Data;
    }

    /// <summary>Queues plaintext to send; it goes out with <see cref="Flush"/> (with TLS, once the handshake is done). The bytes must stay unchanged until sent.</summary>
    public void Write(ReadOnlyMemory<byte> plaintext)
    {
        if (!plaintext.IsEmpty)
        {
            _waiting.Enqueue(plaintext);
        }
    }

    /// <summary>Sends what the socket takes now (the TLS handshake's records too); returns <see cref="HasPending"/>.</summary>
    /// <exception cref="SocketException">The connection failed.</exception>
    public bool Flush()
    {
        while (NextWire() is { IsEmpty: false } next)
        {
            int sent = Send(next.Span);
            WireSent(sent);
            if (sent < next.Length)
            {
                break; // The socket's buffer is full: the rest when it is writable.
            }
        }
        return HasPending;
    }

    /// <summary>
    /// The wire bytes to send next (the TLS handshake's records, or plaintext written, encrypted with TLS once the
    /// handshake is done); empty when nothing can go now. Say what the socket took with <see cref="WireSent"/>; the
    /// bytes stay valid until then.
    /// </summary>
    public ReadOnlyMemory<byte> NextWire()
    {
        if (_layer is { } layer)
        {
            if (IsOpen)
            {
                while (_waiting.TryDequeue(out ReadOnlyMemory<byte> plaintext))
                {
                    layer.Write(plaintext);
                }
            }
            return layer.OutgoingCount > 0 ? layer.Outgoing : ReadOnlyMemory<byte>.Empty;
        }
        if (_current.IsEmpty)
        {
            _waiting.TryDequeue(out _current);
        }
        return _current;
    }

    /// <summary>The socket took the first <paramref name="count"/> bytes of <see cref="NextWire"/>.</summary>
    public void WireSent(int count)
    {
        if (_layer is { } layer)
        {
            layer.Consume(count);
        }
        else
        {
            _current = _current[count..];
        }
    }

    /// <summary>With TLS after a handshake, close_notify, sent if the socket takes it now: the server learns the end was meant, not a cut.</summary>
    public void Close()
    {
        if (_layer is { } layer && IsOpen)
        {
            layer.Close();
            Socket.Send(layer.Outgoing.Span, SocketFlags.None, out _);
        }
    }

    public void Dispose()
    {
        Socket.Dispose();
        _layer?.Dispose();
    }

    // The layer's host: plaintext is gathered for the caller of Receive; the rest a client has no use for.
    ConnectionInfo IByteLayerHost.Info => _info ??= new ConnectionInfo(0, Socket.LocalEndPoint ?? _remote!, _remote ?? Socket.RemoteEndPoint!);

    bool IByteLayerHost.IsDone => _ended;

    void IByteLayerHost.Deliver(ReadOnlyMemory<byte> bytes) => _plaintext.Write(bytes.Span);

    void IByteLayerHost.DeliverEnd() => _ended = true;

    void IByteLayerHost.ReceivedOwn(ReadOnlySpan<byte> bytes)
    {
    }

    bool IByteLayerHost.NameClient(ConnectionInfo client) => true;

    void IByteLayerHost.HandshakeDone(System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate, Exception? failure)
    {
    }

    void IByteLayerHost.End(ConnectionCloseReason reason) => _ended = true;

    private int Send(ReadOnlySpan<byte> bytes) => NonBlockingIo.Send(Socket, Fd, bytes);

    private int Fd => _fd >= 0 ? _fd : _fd = (int)Socket.Handle;
}
