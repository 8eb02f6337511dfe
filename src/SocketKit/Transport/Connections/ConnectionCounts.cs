namespace SocketKit.Transport.Connections;

/// <summary>
/// What one connection carried, for its close line (<see cref="ServerOptions.LogCloseCounts"/>): bytes received and
/// handed to be sent (the conversation's, before TLS), and the requests its handler read. Shared by the copies of its
/// <see cref="ConnectionInfo"/> (PROXY); updated from the connection's loop and read as it closes.
/// </summary>
internal sealed class ConnectionCounts
{
    private long _bytesIn;
    private long _bytesOut;
    private long _requests;

    public long BytesIn => Interlocked.Read(ref _bytesIn);

    public long BytesOut => Interlocked.Read(ref _bytesOut);

    public long Requests => Interlocked.Read(ref _requests);

    public void Received(int bytes) => Interlocked.Add(ref _bytesIn, bytes);

    public void Sending(int bytes) => Interlocked.Add(ref _bytesOut, bytes);

    public void Request() => Interlocked.Increment(ref _requests);
}
