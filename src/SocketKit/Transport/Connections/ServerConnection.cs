namespace SocketKit.Transport.Connections;

/// <summary>
/// What the heartbeat needs to know about a connection on any engine: who it is, its deadlines, and how to stop it.
/// The first reason to close it wins; the engine's own loop notices and closes the socket.
/// </summary>
internal class ServerConnection(ConnectionInfo info, ConnectionClock clock)
{
    private int _abortReason = -1;

    public ConnectionInfo Info { get; } = info;

    /// <summary>The connection as handlers and pushers see it (the same as <see cref="ConnectionInfo.Connection"/>).</summary>
    public ConnectionHandle Handle => Info.Connection!;

    /// <summary>True once the handler's timeout has been posted to the connection's owner (the heartbeat engines post it once).</summary>
    public bool HandlerTimeoutPosted { get; set; }

    public ConnectionClock Clock { get; } = clock;

    private int _turns;

    /// <summary>
    /// Odd while a thread has the connection's driver (on the engines whose serving thread and posted work take turns
    /// under a gate), and counting up: the heartbeat, on a thread of its own, judges a connection idle only when no
    /// turn began or ended while it looked, so it never closes a request between its bytes arriving and its clock
    /// being told.
    /// </summary>
    public int Turns => Volatile.Read(ref _turns);

    public void BeginTurn() => Interlocked.Increment(ref _turns);

    public void EndTurn() => Interlocked.Increment(ref _turns);

    /// <summary>Why the server decided to close it, once it has.</summary>
    public ConnectionCloseReason? AbortReason => Volatile.Read(ref _abortReason) is int r and >= 0 ? (ConnectionCloseReason)r : null;

    /// <summary>The client address counted against the per-address limit while it is open, to release at its close.</summary>
    public IPAddress? CountedAddress { get; set; }

    /// <summary>Wakes the engine's work on this connection (shuts the socket, cancels its operations, ...).</summary>
    public Action? Wake { get; set; }

    /// <summary>Records why it must close and wakes the engine; false when a reason was already recorded.</summary>
    public bool Abort(ConnectionCloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _abortReason, (int)reason, -1) != -1)
        {
            return false;
        }
        Wake?.Invoke();
        return true;
    }
}
