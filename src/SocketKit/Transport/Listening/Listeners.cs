namespace SocketKit.Transport.Listening;

/// <summary>Creates listening and connecting sockets, turning their failures into <see cref="NetworkException"/>.</summary>
public static class Listeners
{
    /// <summary>
    /// Binds and listens. No ReuseAddress option here: on Linux .NET maps it to SO_REUSEPORT as well, which would let
    /// a second server bind the same port silently; .NET already sets SO_REUSEADDR, so a restart does not wait out TIME_WAIT.
    /// </summary>
    /// <param name="endPoint">The address and port to bind.</param>
    /// <param name="backlog">The accept queue length.</param>
    /// <param name="reusePort">Set SO_REUSEPORT (Linux only) so that other listeners with it set may bind the same address.</param>
    /// <exception cref="NetworkException">The address is in use, not this machine's, or needs privileges.</exception>
    public static Socket Listen(EndPoint endPoint, int backlog, bool reusePort = false)
    {
        if (endPoint is UnixDomainSocketEndPoint unix)
        {
            RemoveStaleSocketFile(unix);
        }
        Socket socket = CreateStreamSocket(endPoint);
        try
        {
            if (reusePort)
            {
                SetReusePort(socket);
            }
            if (endPoint is IPEndPoint { Address: var any } && any.Equals(IPAddress.IPv6Any))
            {
                // "::" serves IPv4 too (as a Python socket on Linux does); IPv4 peers then appear as ::ffff:a.b.c.d.
                socket.DualMode = true;
            }
            socket.Bind(endPoint);
            socket.Listen(backlog);
            return socket;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && endPoint is UnixDomainSocketEndPoint
            && endPoint.ToString() is { } path && File.Exists(path) && !IsSocketFile(path))
        {
            socket.Dispose();
            throw new NetworkException(SocketErrorKind.AddressInUse, "bind", EndPoints.Format(endPoint),
                $"cannot listen on {EndPoints.Format(endPoint)}: {path} exists and is not a socket; remove it or pick another path", ex);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw NetworkException.From(ex, "bind", endPoint);
        }
    }

    private static void SetReusePort(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            socket.Dispose();
            throw new PlatformNotSupportedException("Sharing a port among workers (SO_REUSEPORT) is supported on Linux only.");
        }
        const int SolSocket = 1, SoReusePort = 15; // <asm-generic/socket.h>
        socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
    }

    /// <summary>Connects to the first address of <paramref name="host"/> that answers, within <paramref name="timeout"/> for each.</summary>
    /// <exception cref="NetworkException">The name does not resolve, or no address accepted the connection.</exception>
    public static async Task<Socket> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        await ConnectAsync(await EndPoints.ResolveAllAsync(host, port, cancellationToken), timeout, cancellationToken);

    /// <summary>Connects to the first of <paramref name="endPoints"/> that answers, within <paramref name="timeout"/> for each.</summary>
    /// <exception cref="NetworkException">No endpoint accepted the connection; the error is the last one's.</exception>
    public static async Task<Socket> ConnectAsync(IReadOnlyList<EndPoint> endPoints, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(endPoints.Count);
        NetworkException? last = null;
        foreach (EndPoint endPoint in endPoints)
        {
            try
            {
                return await ConnectAsync(endPoint, timeout, cancellationToken);
            }
            catch (NetworkException ex)
            {
                last = ex;
            }
        }
        throw last!;
    }

    /// <summary>Connects to one endpoint within <paramref name="timeout"/>.</summary>
    /// <exception cref="NetworkException">Refused, unreachable, or no answer in time.</exception>
    public static async Task<Socket> ConnectAsync(EndPoint endPoint, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Socket socket = CreateStreamSocket(endPoint);
        SetNoDelay(socket);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endPoint, timer.Token);
            // A server that refuses at once (an address rule, a per-address limit) resets the connection as it is
            // made, and asking the socket for its peer then fails (ENOTCONN). Ask here, where that reads as the reset
            // it is; the socket keeps the answer for its users.
            _ = socket.RemoteEndPoint;
            return socket;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.NotConnected)
        {
            socket.Dispose();
            throw NetworkException.FromConnect(new SocketException((int)SocketError.ConnectionReset), endPoint);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw NetworkException.Timeout("connect to", EndPoints.Format(endPoint), timeout);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw NetworkException.FromConnect(ex, endPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Accepts on <paramref name="listener"/> until <paramref name="stop"/> is cancelled or the listener is closed, and
    /// hands each connection to <paramref name="accepted"/>, which owns it from then on: the accept loop of a relay or
    /// of a server played by hand (the engines accept in their own loops).
    /// </summary>
    /// <returns>A task that completes, never faulted, when accepting has stopped.</returns>
    internal static async Task AcceptUntilStoppedAsync(Socket listener, Action<Socket> accepted, CancellationToken stop)
    {
        await Task.Yield(); // The caller, often a constructor, goes on at once.
        while (!stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            accepted(connection);
        }
    }

    /// <summary>A stream socket for the endpoint's family: TCP for IP, the default protocol for Unix sockets.</summary>
    public static Socket CreateStreamSocket(EndPoint endPoint) =>
        new(endPoint.AddressFamily, SocketType.Stream, endPoint.AddressFamily == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp);

    /// <summary>
    /// Turns off Nagle's algorithm on TCP sockets so small messages leave at once. Unix sockets have no Nagle, and
    /// setting TCP_NODELAY on one fails, so they are left alone.
    /// </summary>
    public static void SetNoDelay(Socket socket)
    {
        if (socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
        {
            socket.NoDelay = true;
        }
    }

    /// <summary>
    /// A socket file left by a server that died is replaced; one a live server still answers on is not (binding then
    /// fails with "address in use"), and a file that is not a socket is never removed.
    /// </summary>
    private static void RemoveStaleSocketFile(UnixDomainSocketEndPoint endPoint)
    {
        string path = endPoint.ToString();
        if (!IsSocketFile(path))
        {
            return;
        }
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(endPoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // Nobody accepts on it: the server that made it is gone.
            File.Delete(path);
        }
        catch (SocketException)
        {
            // Anything else (a full backlog, no permission): leave it, and let bind say what is wrong.
        }
    }

    private static bool IsSocketFile(string path)
    {
        // .NET tells no socket file from a regular one, and connect() to a regular file is refused just like a stale
        // socket: ask the kernel for the file type (statx's layout is the same on every architecture).
        byte[] statx = new byte[256];
        if (!OperatingSystem.IsLinux() || NativeMethods.statx(-100 /* AT_FDCWD */, path, 0x100 /* AT_SYMLINK_NOFOLLOW */, 1 /* STATX_TYPE */, statx) != 0)
        {
            return false;
        }
        int mode = BitConverter.ToUInt16(statx, 28);
        return (mode & 0xF000) == 0xC000; // S_IFSOCK
    }

    private static class NativeMethods
    {
        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054, CA2101 // A plain ANSI path is what statx takes.
        internal static extern int statx(int dirfd, string path, int flags, uint mask, byte[] buffer);
#pragma warning restore SYSLIB1054, CA2101
    }
}
