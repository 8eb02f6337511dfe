using System.Net.Sockets;
using System.Runtime.InteropServices;
using static SocketKit.Transport.NativeReadiness;

namespace SocketKit.Transport;

/// <summary>
/// accept4(2) on a non-blocking listener (Linux): "no connection waiting" is a return value, not an exception, which a
/// readiness loop meets at the end of every batch of accepts. The socket comes back non-blocking and close-on-exec.
/// </summary>
internal static class NonBlockingAccept
{
    private const int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    private const int EAGAIN = 11;

    /// <summary>The next waiting connection, or null when none is waiting.</summary>
    /// <exception cref="SocketException">accept failed (out of descriptors, a connection aborted before it was taken, ...).</exception>
    public static Socket? Accept(Socket listener)
    {
        int fd;
        bool added = false;
        SafeSocketHandle handle = listener.SafeHandle;
        try
        {
            handle.DangerousAddRef(ref added);
            fd = accept4((int)handle.DangerousGetHandle(), 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
        if (fd >= 0)
        {
            return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EAGAIN || errno == EINTR)
        {
            return null;
        }
        throw new SocketException(SocketErrorOf(errno));
    }

    /// <summary>The errors accept reports, as .NET names them, so one classifier serves every engine.</summary>
    private static int SocketErrorOf(int errno) => (int)(errno switch
    {
        24 or 23 => SocketError.TooManyOpenSockets,          // EMFILE, ENFILE
        105 or 12 => SocketError.NoBufferSpaceAvailable,     // ENOBUFS, ENOMEM
        103 or 71 => SocketError.ConnectionAborted,          // ECONNABORTED, EPROTO
        104 => SocketError.ConnectionReset,                  // ECONNRESET
        _ => SocketError.SocketError,
    });
}
