using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketKit.Logging;

namespace SocketKit.Transport;

/// <summary>
/// One thread, non-blocking sockets and a readiness loop: the tutorial's multiconn-server, with two
/// fixes. A socket waits for "writable" only while it has bytes to send, so the loop sleeps when there
/// is nothing to do (the reference spins at 100% CPU); and a connection whose bytes cannot go out is
/// not read further until they do, so a slow reader cannot make the server buffer without bound.
/// Everything about a connection happens on the loop's thread: the heartbeat and a stop only wake it.
/// </summary>
internal sealed class SelectEngine : ServerEngine
{
    private const int ReceiveSize = 64 * 1024;

    private sealed class Connection(Socket socket, ServerConnection tracked, IConnectionHandler handler, int sendLimit)
    {
        public Socket Socket { get; } = socket;
        public ServerConnection Tracked { get; } = tracked;
        public ConnectionInfo Info => Tracked.Info;
        public IConnectionHandler Handler { get; } = handler;
        public ReceiveBuffer Input { get; } = new();
        public SendBuffer Output { get; } = new(sendLimit);
        public int Sent { get; set; }
        public bool WaitingOnReader { get; set; }
        public bool Closing { get; set; }
        public ConnectionCloseReason Reason { get; set; } = ConnectionCloseReason.PeerClosed;
    }

    private readonly Selector<Connection?> _selector = new();
    private readonly byte[] _buffer = new byte[ReceiveSize];
    private readonly ConcurrentDictionary<long, Connection> _byId = new();
    // A datagram to this socket wakes Select for a stop or a heartbeat tick.
    private readonly Socket _wake = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private volatile bool _stopRequested;
    private volatile bool _tickDue;
    private bool _listening = true;

    public SelectEngine(Socket listener, ServerOptions options, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger logger)
        : base(listener, options, handlerFactory, logger)
    {
        _wake.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _wake.Blocking = false;
    }

    protected override Task RunCoreAsync(CancellationToken stopping)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Loop();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        { IsBackground = true, Name = "socketkit-select" };
        thread.Start();
        return done.Task;
    }

    protected override void StopAccepting()
    {
        _stopRequested = true;
        WakeLoop();
    }

    protected override void OnHeartbeat()
    {
        _tickDue = true;
        WakeLoop();
    }

    private void WakeLoop()
    {
        try
        {
            _wake.SendTo(new byte[1], _wake.LocalEndPoint!);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The loop has ended; nothing to wake.
        }
    }

    private void Loop()
    {
        Listener.Blocking = false;
        _selector.Register(Listener, SelectorEvents.Read, null);
        _selector.Register(_wake, SelectorEvents.Read, null);
        try
        {
            // The loop ends once the listener is gone (stopped, or StopAfterConnections reached) and the last connection closed.
            while (_selector.Count > 1)
            {
                foreach ((SelectorKey<Connection?> key, SelectorEvents mask) in _selector.Select(timeout: null))
                {
                    if (key.Data is { } connection)
                    {
                        Service(connection, mask);
                    }
                    else if (key.Socket == Listener)
                    {
                        if (_listening) AcceptReady();
                    }
                    else
                    {
                        DrainWake();
                    }
                }
                if (_stopRequested && _listening)
                {
                    StopListening();
                }
                if (_tickDue)
                {
                    _tickDue = false;
                    CheckConnections();
                    foreach (Connection c in _byId.Values)
                    {
                        if (c.Tracked.AbortReason is { } reason)
                        {
                            c.Reason = reason;
                            Close(c);
                        }
                    }
                }
            }
        }
        finally
        {
            foreach (Connection connection in _byId.Values)
            {
                connection.Reason = ConnectionCloseReason.ServerStopping;
                Close(connection);
            }
            _selector.Dispose();
            _wake.Dispose();
            Listener.Dispose();
        }
    }

    private void DrainWake()
    {
        byte[] one = new byte[16];
        while (_wake.Available > 0)
        {
            _wake.Receive(one);
        }
    }

    private void StopListening()
    {
        _listening = false;
        _selector.Unregister(Listener);
        Listener.Dispose();
    }

    private void AcceptReady()
    {
        // Accept what is queued now, bounded so one busy listener cannot starve the connections.
        for (int i = 0; i < 64; i++)
        {
            Socket socket;
            try
            {
                socket = Listener.Accept();
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                return;
            }
            if (!Admit(socket))
            {
                continue;
            }
            socket.Blocking = false;
            Listeners.SetNoDelay(socket);
            ServerConnection tracked = Track(Describe(socket));
            OnAccepted(tracked.Info);
            var connection = new Connection(socket, tracked, HandlerFactory(tracked.Info), Limits.MaxSendBufferBytes);
            _byId[tracked.Info.Id] = connection;
            _selector.Register(socket, SelectorEvents.Read, connection);
            if (AcceptedAll)
            {
                StopListening();
                return;
            }
        }
    }

    private void Service(Connection c, SelectorEvents mask)
    {
        try
        {
            if ((mask & SelectorEvents.Read) != 0 && !c.Closing)
            {
                Read(c);
            }
            if (c.Output.WrittenCount > c.Sent)
            {
                Flush(c);
            }
            if (c.Output.WrittenCount > c.Sent)
            {
                // Back-pressure: wait until the peer takes these bytes before reading more.
                _selector.Modify(c.Socket, SelectorEvents.Write);
            }
            else if (c.Closing)
            {
                Close(c);
            }
            else if (CloseIfDrained(c.Tracked, Draining))
            {
                c.Reason = ConnectionCloseReason.ServerStopping;
                Close(c);
            }
            else
            {
                _selector.Modify(c.Socket, SelectorEvents.Read);
            }
        }
        catch (SendBufferFullException)
        {
            c.Reason = ConnectionCloseReason.SendBufferFull;
            Close(c);
        }
        catch (SocketException ex)
        {
            c.Reason = ConnectionCloseReason.Failed;
            LogFailure(c.Info, ex);
            Close(c);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A handler's bug ends its own connection, never the loop that serves the others.
            c.Reason = ConnectionCloseReason.Failed;
            Log.HandlerFailed(Logger, c.Info.Id, c.Info.Remote, $"{ex.GetType().Name}: {ex.Message}");
            Close(c);
        }
    }

    private void Read(Connection c)
    {
        int n = c.Socket.Receive(_buffer, 0, _buffer.Length, SocketFlags.None, out SocketError error);
        if (error == SocketError.WouldBlock)
        {
            return;
        }
        if (error != SocketError.Success)
        {
            throw new SocketException((int)error);
        }
        NextStep step;
        if (n == 0)
        {
            step = c.Input.Finish(c.Handler, c.Output);
            c.Closing = true;
        }
        else
        {
            LogReceived(c.Info, _buffer.AsSpan(0, n));
            step = c.Input.Feed(c.Handler, _buffer.AsMemory(0, n), c.Output);
            Timed(c.Tracked, c.Handler, c.Input, n);
        }
        if (c.Output.WrittenCount > 0)
        {
            Counters.Buffered(c.Output.WrittenCount);
        }
        if (step == NextStep.CloseAfterSending)
        {
            c.Closing = true;
            if (n > 0) c.Reason = ConnectionCloseReason.Done;
        }
    }

    private void Flush(Connection c)
    {
        ReadOnlySpan<byte> pending = c.Output.WrittenSpan[c.Sent..];
        int sent = c.Socket.Send(pending, SocketFlags.None, out SocketError error);
        if (error is not (SocketError.Success or SocketError.WouldBlock))
        {
            throw new SocketException((int)error);
        }
        if (sent > 0)
        {
            LogSending(c.Info, pending[..sent]);
            c.Sent += sent;
            if (c.WaitingOnReader) c.Tracked.Clock.Sent(sent);
        }
        if (c.Sent == c.Output.WrittenCount)
        {
            c.Output.Reset();
            c.Sent = 0;
            if (c.WaitingOnReader)
            {
                c.WaitingOnReader = false;
                c.Tracked.Clock.SendDone();
            }
        }
        else if (!c.WaitingOnReader)
        {
            // Only now does the server wait on the reader: the rate is timed from here.
            c.WaitingOnReader = true;
            c.Tracked.Clock.SendStarted();
        }
    }

    private void Close(Connection c)
    {
        if (!_byId.TryRemove(c.Info.Id, out _))
        {
            return;
        }
        Closed(c.Tracked, c.Reason);
        _selector.Unregister(c.Socket);
        CloseGracefully(c.Socket);
    }
}
