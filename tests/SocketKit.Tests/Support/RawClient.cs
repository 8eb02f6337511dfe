namespace SocketKit.Tests.Support;

/// <summary>A plain socket client for tests: sends bytes as given, reads until the server closes, every wait bounded.</summary>
public static class RawClient
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task<Socket> ConnectAsync(EndPoint endPoint)
    {
        Socket socket = Listeners.CreateStreamSocket(endPoint);
        Listeners.SetNoDelay(socket);
        using var cts = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(endPoint, cts.Token);
        return socket;
    }

    /// <summary>Sends <paramref name="request"/> (in pieces of <paramref name="pieceSize"/> when given) and returns all the server sent before closing.</summary>
    public static async Task<byte[]> ExchangeUntilCloseAsync(EndPoint endPoint, byte[] request, int pieceSize = int.MaxValue, bool halfClose = false)
    {
        using Socket socket = await ConnectAsync(endPoint);
        using var cts = new CancellationTokenSource(Timeout);
        for (int i = 0; i < request.Length; i += pieceSize)
        {
            await socket.SendAsync(request.AsMemory(i, Math.Min(pieceSize, request.Length - i)), SocketFlags.None, cts.Token);
        }
        if (halfClose)
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        return await ReadToEndAsync(socket, cts.Token);
    }

    public static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (n == 0) return received.ToArray();
            received.Write(buffer, 0, n);
        }
    }

    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            if (n == 0) throw new EndOfStreamException($"closed after {filled} of {count} bytes");
            filled += n;
        }
        return buffer;
    }
}
