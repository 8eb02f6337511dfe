namespace SocketKit.Transport.Connections;

/// <summary>
/// Hands out connection ids, 1, 2, 3, ... Each server has its own; a <see cref="ServerGroup"/> hands one to all its
/// listeners, so that an id names one connection in the whole process's logs and metrics, whichever listener took it.
/// </summary>
internal sealed class ConnectionIds
{
    private long _last;

    /// <summary>The next id; safe to call from any thread.</summary>
    public long Next() => Interlocked.Increment(ref _last);
}
