using System.Runtime.InteropServices;
using SocketKit.Transport.Connections;
using static SocketKit.Transport.Readiness.NativeReadiness;

namespace SocketKit.Transport.Readiness;

/// <summary>
/// An accepted connection's socket as a server holds it: on Linux the readiness loops accept with accept4 and keep
/// only the descriptor (no <see cref="Socket"/>, its handle, its async context and its cached endpoints: about 450
/// bytes per connection, and two fcntl calls and two address reads per accept); elsewhere, and for the engines that
/// block or await on their sockets, a <see cref="Socket"/>. One set of operations over both.
/// </summary>
internal readonly struct ConnectionSocket
{
    /// <summary>Whether <see cref="TryAccept"/> works here: Linux, whose accept4 and constants this uses.</summary>
    public static readonly bool Native = OperatingSystem.IsLinux();

    public ConnectionSocket(Socket socket) => (Socket, Descriptor) = (socket, (int)socket.Handle);

    private ConnectionSocket(int descriptor) => Descriptor = descriptor;

    /// <summary>The socket; null for a bare descriptor.</summary>
    public Socket? Socket { get; }

    /// <summary>The descriptor (the socket's handle), read once: only the connection's owner uses and closes it.</summary>
    public int Descriptor { get; }

    /// <summary>
    /// accept4 on <paramref name="listener"/>, non-blocking and close-on-exec at once: false when no connection waits
    /// (or another loop took it, or the client gave up first); otherwise the connection and its peer's sockaddr,
    /// written into <paramref name="address"/> (128 bytes at least), of <paramref name="addressLength"/> bytes.
    /// </summary>
    /// <exception cref="SocketException">Accepting failed: out of descriptors or memory, named as .NET names them.</exception>
    public static unsafe bool TryAccept(Socket listener, Span<byte> address, out ConnectionSocket accepted, out int addressLength)
    {
        int fd = (int)listener.Handle;
        while (true)
        {
            uint length = (uint)address.Length;
            int socket;
            fixed (byte* p = address) socket = accept4(fd, p, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (socket >= 0)
            {
                (accepted, addressLength) = (new ConnectionSocket(socket), (int)Math.Min(length, (uint)address.Length));
                return true;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR)
            {
                continue;
            }
            (accepted, addressLength) = (default, 0);
            // EAGAIN: none waits (another loop took it); ECONNABORTED, EPROTO: the client gave up before we took it.
            if (errno is EAGAIN or ECONNABORTED or EPROTO)
            {
                return false;
            }
            throw NonBlockingIo.Failure(errno);
        }
    }

    /// <summary>
    /// The local end of a bare descriptor (getsockname): for a listener bound to a wildcard address, whose connections'
    /// local ends differ; asked while the descriptor is surely this connection's, at its accept.
    /// </summary>
    public unsafe IPEndPoint? LocalEndPoint()
    {
        Span<byte> address = stackalloc byte[128];
        uint length = (uint)address.Length;
        int result;
        fixed (byte* p = address) result = getsockname(Descriptor, p, &length);
        return result == 0 && PeerAddress.TryRead(address[..(int)Math.Min(length, (uint)address.Length)], out PeerAddress local) ? local.ToEndPoint() : null;
    }

    /// <summary>Bytes read (0: the peer finished), or -1 when nothing is there yet.</summary>
    /// <exception cref="SocketException">The connection failed.</exception>
    public int Receive(Span<byte> buffer) => NonBlockingIo.Receive(Socket, Descriptor, buffer);

    /// <summary>Bytes the socket took (0 when its buffer is full).</summary>
    /// <exception cref="SocketException">The connection failed.</exception>
    public int Send(ReadOnlySpan<byte> bytes) => NonBlockingIo.Send(Socket, Descriptor, bytes);

    /// <summary>Nagle off, for a TCP connection (<paramref name="family"/> is its listener's).</summary>
    public unsafe void SetNoDelay(AddressFamily family)
    {
        if (Socket is { } socket)
        {
            Listening.Listeners.SetNoDelay(socket);
        }
        else if (family is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
        {
            int on = 1;
            setsockopt(Descriptor, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(int)); // A reset connection fails here and at its first read.
        }
    }

    /// <summary>Says goodbye the orderly way: FIN after the last byte, then releases the descriptor.</summary>
    public void CloseGracefully()
    {
        if (Socket is { } socket)
        {
            try { socket.Shutdown(SocketShutdown.Send); } catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
            socket.Dispose();
            return;
        }
        // No shutdown(SHUT_WR) first: the close alone queues the FIN after the last byte (and with bytes left unread,
        // a reset either way), so a one-shot connection is spared a system call.
        close(Descriptor);
    }

    /// <summary>RST rather than FIN: the peer learns at once, and no TIME_WAIT is left on the server.</summary>
    public unsafe void Reset()
    {
        if (Socket is { } socket)
        {
            try { socket.LingerState = new LingerOption(true, 0); } catch (SocketException) { }
            socket.Dispose();
            return;
        }
        // struct linger { int l_onoff; int l_linger; }: on, zero seconds.
        long linger = BitConverter.IsLittleEndian ? 1L : 1L << 32;
        setsockopt(Descriptor, SOL_SOCKET, SO_LINGER, &linger, sizeof(long));
        close(Descriptor);
    }
}
