using SocketKit.Metrics;
using SocketKit.Transport.Connections;
namespace SocketKit.Transport;

/// <summary>
/// What a server has done so far, readable while it runs. Counts since start; safe to read from any thread. Which close
/// reason adds to which count is <see cref="ConnectionCloseReasons"/>' table.
/// </summary>
public sealed class ServerCounters
{
    private long _accepted;
    private long _rejected;
    private long _timedOut;
    private long _cutOff;
    private long _forcedAtStop;
    private long _peakSendBufferBytes;
    private readonly StripedCounter _bytesReceived = new(); // Added to per message by every loop.
    private long _closed;
    private long _acceptPauses;
    private long _peakOpen;

    /// <summary>Connections accepted and served.</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    /// <summary>Connections open now: accepted and not yet closed.</summary>
    public long ConnectionsOpen => Interlocked.Read(ref _accepted) - Interlocked.Read(ref _closed);

    /// <summary>Connections closed at once because <see cref="ServerLimits.MaxConnections"/> were open.</summary>
    public long ConnectionsRejected => Interlocked.Read(ref _rejected);

    /// <summary>Connections closed by a timeout: the TLS handshake's, the request's, the idle one, or a request's content slower than the minimum rate.</summary>
    public long ConnectionsTimedOut => Interlocked.Read(ref _timedOut);

    /// <summary>Connections cut off for reading too slowly or for a full send buffer.</summary>
    public long ConnectionsCutOff => Interlocked.Read(ref _cutOff);

    /// <summary>Connections still busy when the drain timeout ran out, closed by force.</summary>
    public long ConnectionsForcedAtStop => Interlocked.Read(ref _forcedAtStop);

    /// <summary>The most bytes any one connection has had waiting to be sent, in bytes.</summary>
    public long PeakSendBufferBytes => Interlocked.Read(ref _peakSendBufferBytes);

    /// <summary>Bytes received on every connection, in bytes.</summary>
    public long BytesReceived => _bytesReceived.Sum();

    /// <summary>Times accepting paused because descriptors, kernel memory or threads ran out.</summary>
    public long AcceptPauses => Interlocked.Read(ref _acceptPauses);

    internal void AcceptPaused() => Interlocked.Increment(ref _acceptPauses);

    internal void Received(int bytes) => _bytesReceived.Add(bytes);

    /// <summary>The most connections that were open at once.</summary>
    public long PeakConnectionsOpen => Interlocked.Read(ref _peakOpen);

    internal void Accepted()
    {
        long open = Interlocked.Increment(ref _accepted) - Interlocked.Read(ref _closed);
        InterlockedExtremes.Max(ref _peakOpen, open);
    }

    internal void Rejected() => Interlocked.Increment(ref _rejected);

    internal void Closed(ConnectionCloseReason reason)
    {
        Interlocked.Increment(ref _closed);
        switch (reason.Counter())
        {
            case ConnectionCloseReasons.Count.TimedOut:
                Interlocked.Increment(ref _timedOut);
                break;
            case ConnectionCloseReasons.Count.CutOff:
                Interlocked.Increment(ref _cutOff);
                break;
            case ConnectionCloseReasons.Count.ForcedAtStop:
                Interlocked.Increment(ref _forcedAtStop);
                break;
        }
    }

    internal void Buffered(long bytes) => InterlockedExtremes.Max(ref _peakSendBufferBytes, bytes);
}
