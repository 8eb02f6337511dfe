using SocketKit.Transport.Connections;

namespace SocketKit.Transport.Engines;

/// <summary>
/// Non-blocking sockets served by readiness loops: the tutorial's multiconn-server, as many times as there are cores.
/// Each loop (<see cref="Loop"/>) is one thread with its own selector (epoll on Linux), its own receive buffer and
/// timer wheel, and accepts from the one listener they share (with epoll, only one loop is woken per connection),
/// so a connection lives on the loop that accepted it and no lock is taken on its path. With one loop this is the
/// tutorial's program exactly: one thread, one selector.
/// </summary>
internal sealed partial class SelectEngine : ServerEngine
{
    private readonly Loop[] _loops;
    private readonly ITimer _wakeUp; // Armed for the earliest deadline any loop holds; off while none has one.
    private readonly Lock _wakeUpGate = new();
    private long _wakeUpAt = long.MaxValue; // The timestamp it is armed for, under the gate.
    private int _listening;

    public SelectEngine(Socket listener, ServerOptions options, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger logger)
        : base(listener, options, handlerFactory, logger)
    {
        // A server that stops after N connections counts them on one loop, so no loop accepts one too many.
        int loops = options.StopAfterConnections is not null ? 1 : options.Loops ?? Environment.ProcessorCount;
        Listener.Blocking = false;
        _loops = new Loop[loops];
        for (int i = 0; i < loops; i++)
        {
            _loops[i] = new Loop(this, i, exclusive: loops > 1);
        }
        _listening = loops;
        _wakeUp = options.TimeProvider.CreateTimer(_ => WokenUp(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    protected override bool BeatsEvenWhenIdle => false;

    /// <summary>How many loops serve.</summary>
    public int LoopCount => _loops.Length;

    protected override async Task RunCoreAsync(CancellationToken stopping)
    {
        try
        {
            await Task.WhenAll(_loops.Select(loop => loop.Start()));
        }
        finally
        {
            await _wakeUp.DisposeAsync();
        }
    }

    /// <summary>
    /// A loop has a deadline at <paramref name="timestamp"/>: the wake-up is armed for it unless it is armed sooner.
    /// Every loop looks at its wheel when it fires and asks again for its next deadline, so a request that races with
    /// a firing is not lost.
    /// </summary>
    private void WakeAt(long timestamp)
    {
        // Rare (a loop asks once for its earliest deadline until it next ticks), so a lock keeps arming in order.
        lock (_wakeUpGate)
        {
            if (timestamp >= _wakeUpAt)
            {
                return;
            }
            _wakeUpAt = timestamp;
            TimeSpan delay = Options.TimeProvider.GetElapsedTime(Options.TimeProvider.GetTimestamp(), timestamp);
            try
            {
                _wakeUp.Change(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // The server has stopped.
            }
        }
    }

    private void WokenUp()
    {
        lock (_wakeUpGate)
        {
            _wakeUpAt = long.MaxValue;
        }
        OnHeartbeat();
    }

    protected override void StopAccepting()
    {
        foreach (Loop loop in _loops) loop.RequestStop();
    }

    protected override void OnHeartbeat()
    {
        foreach (Loop loop in _loops) loop.RequestTick();
    }

    /// <summary>A loop no longer accepts; the last one to stop closes the listener they shared.</summary>
    private void LoopStoppedListening()
    {
        if (Interlocked.Decrement(ref _listening) == 0)
        {
            Listener.Dispose();
        }
    }

    /// <summary>A loop accepted its server's last connection (StopAfterConnections): every loop stops accepting.</summary>
    private void AcceptedLast() => StopAccepting();
}
