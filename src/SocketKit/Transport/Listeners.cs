using System.Net;
using System.Net.Sockets;

namespace SocketKit.Transport;

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
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (reusePort)
            {
                SetReusePort(socket);
            }
            socket.Bind(endPoint);
            socket.Listen(backlog);
            return socket;
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
    public static async Task<Socket> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        IPAddress[] addresses = await EndPoints.ResolveAsync(host, cancellationToken);
        NetworkException? last = null;
        foreach (IPAddress address in addresses)
        {
            try
            {
                return await ConnectAsync(new IPEndPoint(address, port), timeout, cancellationToken);
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
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endPoint, timer.Token);
            return socket;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw NetworkException.Timeout("connect to", EndPoints.Format(endPoint), timeout);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw NetworkException.From(ex, "connect to", endPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
