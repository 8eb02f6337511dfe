using Microsoft.Extensions.Logging;
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
    }

    /// <summary>How many loops serve.</summary>
    public int LoopCount => _loops.Length;

    protected override Task RunCoreAsync(CancellationToken stopping) => Task.WhenAll(_loops.Select(loop => loop.Start()));

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
