using System.Runtime.InteropServices;
using static SocketKit.Transport.Readiness.NativeReadiness;

namespace SocketKit.Transport.Readiness;

/// <summary>
/// recv(2) and send(2) on a non-blocking socket's descriptor, for the readiness loops on Linux: the loop that owns a
/// socket is the only one to use or close it, so the descriptor is read once and used without the per-call handle
/// reference counting of <see cref="Socket.Receive(Span{byte}, SocketFlags, out SocketError)"/>; "would block" is a
/// result, not an exception. Elsewhere the Socket methods do the same.
/// </summary>
internal static unsafe class NonBlockingIo
{
    private const int MSG_NOSIGNAL = 0x4000; // A peer gone is EPIPE, not a signal.
    private const int EINPROGRESS = 115;

    public static readonly bool Direct = OperatingSystem.IsLinux();

    /// <summary>Bytes read (0: the peer finished), or -1 when nothing is there yet.</summary>
    /// <exception cref="SocketException">The connection failed.</exception>
    public static int Receive(Socket? socket, int fd, Span<byte> buffer)
    {
        if (!Direct) // Off Linux every connection has its Socket.
        {
            int got = socket!.Receive(buffer, SocketFlags.None, out SocketError error);
            return error == SocketError.WouldBlock ? -1 : error == SocketError.Success ? got : throw new SocketException((int)error);
        }
        while (true)
        {
            nint n;
            fixed (byte* p = buffer) n = recv(fd, p, buffer.Length, 0);
            if (n >= 0) return (int)n;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EAGAIN) return -1;
            if (errno != EINTR) throw Failure(errno);
        }
    }

    /// <summary>Bytes the socket took (0 when its buffer is full).</summary>
    /// <exception cref="SocketException">The connection failed.</exception>
    public static int Send(Socket? socket, int fd, ReadOnlySpan<byte> bytes)
    {
        if (!Direct)
        {
            int sent = socket!.Send(bytes, SocketFlags.None, out SocketError error);
            return error is SocketError.Success or SocketError.WouldBlock ? sent : throw new SocketException((int)error);
        }
        while (true)
        {
            nint n;
            fixed (byte* p = bytes) n = send(fd, p, bytes.Length, MSG_NOSIGNAL);
            if (n >= 0) return (int)n;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EAGAIN) return 0;
            if (errno != EINTR) throw Failure(errno);
        }
    }

    /// <summary>
    /// Starts a non-blocking connect to <paramref name="address"/> (<paramref name="endPoint"/> serialized once by the
    /// caller): true when it finished at once, false while in progress (writable once done). "In progress" is a result,
    /// not the exception <see cref="Socket.Connect(EndPoint)"/> throws for it, which costs a client loop making thousands
    /// of connections a second more than the connect itself. .NET does not learn of a connect made so: the caller keeps
    /// the endpoint.
    /// </summary>
    /// <exception cref="SocketException">The connect failed at once (a Unix socket's path with no listener, for one).</exception>
    public static bool Connect(Socket socket, int fd, EndPoint endPoint, ReadOnlySpan<byte> address)
    {
        if (Direct)
        {
            int result;
            fixed (byte* p = address) result = connect(fd, p, address.Length);
            if (result == 0) return true;
            if (Marshal.GetLastPInvokeError() == EINPROGRESS) return false;
            // A rare failure at once: asked again through .NET, which says it in its own words.
        }
        try
        {
            socket.Connect(endPoint);
            return true;
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            return false;
        }
    }

    /// <summary>A Linux errno as the SocketError .NET would have named it, so one classifier serves every engine.</summary>
    public static SocketException Failure(int errno) => new((int)(errno switch
    {
        24 or 23 => SocketError.TooManyOpenSockets,      // EMFILE, ENFILE
        105 or 12 => SocketError.NoBufferSpaceAvailable, // ENOBUFS, ENOMEM
        103 or 71 => SocketError.ConnectionAborted,      // ECONNABORTED, EPROTO
        104 => SocketError.ConnectionReset,              // ECONNRESET
        32 => SocketError.Shutdown,                      // EPIPE
        110 => SocketError.TimedOut,                     // ETIMEDOUT
        113 => SocketError.HostUnreachable,              // EHOSTUNREACH
        101 => SocketError.NetworkUnreachable,           // ENETUNREACH
        _ => SocketError.SocketError,
    }));
}
