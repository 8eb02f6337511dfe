namespace SocketKit.Tests.Support;

/// <summary>Loopback ports for tests that need a number rather than a listener.</summary>
public static class Ports
{
    /// <summary>
    /// A port free at the moment of asking: for programs that cannot be told to bind port 0 and say which they got,
    /// and for a port nothing listens on.
    /// </summary>
    public static int Free()
    {
        using HeldPort held = Hold();
        return held.Port;
    }

    /// <summary>
    /// A loopback port bound and never listening: while it is held, connections to it are refused and no other
    /// socket takes it.
    /// </summary>
    public static HeldPort Hold()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return new HeldPort(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A loopback port held by a socket bound to it that never listens; released on dispose.</summary>
public sealed class HeldPort(Socket socket) : IDisposable
{
    public IPEndPoint EndPoint { get; } = (IPEndPoint)socket.LocalEndPoint!;

    public int Port => EndPoint.Port;

    public void Dispose() => socket.Dispose();
}
