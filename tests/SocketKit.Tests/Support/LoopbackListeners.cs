namespace SocketKit.Tests.Support;

/// <summary>
/// Plain TCP listeners on 127.0.0.1, port 0, for tests that play the server's side by hand: accept or not, stall,
/// answer wrongly. Nothing is accepted unless the test accepts it.
/// </summary>
public static class LoopbackListeners
{
    /// <summary>A listening socket whose accept queue holds <paramref name="backlog"/> connections (the system's maximum when not given).</summary>
    public static Socket Start(int? backlog = null)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            if (backlog is int queue)
            {
                listener.Listen(queue);
            }
            else
            {
                listener.Listen();
            }
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>The port <paramref name="socket"/> is bound to.</summary>
    public static int Port(this Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;
}
