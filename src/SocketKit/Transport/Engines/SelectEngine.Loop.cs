using System.Collections.Concurrent;
using SocketKit.Logging;
using SocketKit.Transport.Connections;
using SocketKit.Transport.Readiness;
using SocketKit.Transport.Tls;

namespace SocketKit.Transport.Engines;

internal sealed partial class SelectEngine
{
    /// <summary>One connection, owned by the loop that accepted it: its socket (a bare descriptor on Linux), and the driver its bytes go through.</summary>
    private sealed class Connection(ConnectionSocket socket, ConnectionDriver driver) : TimerWheelEntry
    {
        /// <summary>Only this loop uses and closes it.</summary>
        public ConnectionSocket Socket { get; } = socket;
        public ConnectionDriver Driver { get; } = driver;
        public ServerConnection Tracked => Driver.Tracked;
        public ConnectionInfo Info => Driver.Info;
        public SelectorKey<Connection?>? Key { get; set; }
        /// <summary>Where it is in its loop's list of connections.</summary>
        public int Slot { get; set; }
        public bool IsClosed { get; set; }
    }

    /// <summary>
    /// One readiness loop: a thread, a selector, a receive buffer shared by its connections, and a timer wheel for their
    /// deadlines. A socket waits for "writable" only while it has bytes to send, so the loop sleeps when there is nothing
    /// to do (the tutorial's server spins at 100% CPU), and a connection whose bytes cannot go out is not read further
    /// until they do, so a slow reader cannot make the server buffer without bound. With TLS, a <see cref="TlsPump"/> per
    /// connection (its driver's <see cref="TlsLayer"/>) sits between the socket and the handler, as Python's non-blocking
    /// ssl sockets would. Everything about a connection happens on its loop's thread: a stop, posted work and the
    /// engine's wake-up (armed for the earliest deadline on any loop's timer wheel, off while there is none) only wake it.
    /// </summary>
    private sealed class Loop : IConnectionOwner
    {
        private const int ReceiveSize = 64 * 1024;
        private const int WheelSlots = 512;
        private const int AcceptBatch = 16;
        private static readonly byte[] WakeByte = [1];

        private readonly SelectEngine _engine;
        private readonly int _index;
        private readonly bool _exclusive;
        private readonly Selector<Connection?> _selector;
        private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(ReceiveSize);
        private readonly List<Connection> _connections = [];
        private readonly TimerWheel _wheel;
        private readonly List<TimerWheelEntry> _due = [];
        // The lock of every clock of this loop's connections: only this thread takes it, so it is never contended.
        private readonly Lock _clockGate = new();
        // A datagram to this socket wakes the selector for a stop or a heartbeat tick.
        private readonly Socket _wake = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        // Connections with work posted from other threads; one wake-up for however many posts come before the loop runs.
        private readonly ConcurrentQueue<Connection> _posted = new();
        private int _postWakePending;
        private volatile bool _stopRequested;
        private volatile bool _tickDue;
        private bool _listening;
        private bool _acceptPaused;
        private long _resumeAcceptingAt;
        private bool _drainSwept;
        private bool _forceSwept;
        private long _wakeAsked = long.MaxValue; // The earliest wake-up this loop has asked of its engine since its last tick.

        public Loop(SelectEngine engine, int index, bool exclusive)
        {
            _engine = engine;
            _index = index;
            _exclusive = exclusive;
            _selector = new Selector<Connection?>(engine.Options.SelectorMechanism);
            TimeProvider time = engine.Options.TimeProvider;
            _wheel = new TimerWheel(time.GetTimestamp(), Ticks(ServerTimeouts.HeartbeatPeriod), WheelSlots);
            _wake.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _wake.Blocking = false;
        }

        private TimeProvider Time => _engine.Options.TimeProvider;

        private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _engine.Options.TimeProvider.TimestampFrequency);

        public Task Start() => DedicatedThread.Run($"socketkit-loop-{_index}", Run);

        public void RequestStop()
        {
            _stopRequested = true;
            Wake();
        }

        public void RequestTick()
        {
            _tickDue = true;
            Wake();
        }

        /// <summary>Work was posted to <paramref name="connection"/> from another thread: the loop runs it on its own.</summary>
        public void Schedule(ConnectionHandle connection)
        {
            _posted.Enqueue((Connection)connection.OwnerState!);
            if (Interlocked.Exchange(ref _postWakePending, 1) == 0)
            {
                Wake();
            }
        }

        private void Wake()
        {
            try
            {
                _wake.SendTo(WakeByte, _wake.LocalEndPoint!);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // The loop has ended, or its wake-up queue is full: it is awake either way.
            }
        }

        private void Run()
        {
            _selector.Register(_wake, SelectorEvents.Read, null);
            StartListening();
            try
            {
                // The loop ends once it no longer accepts (stopped, or StopAfterConnections reached) and its last connection closed.
                while (_listening || _acceptPaused || _connections.Count > 0)
                {
                    foreach ((SelectorKey<Connection?> key, SelectorEvents mask) in _selector.Select(timeout: null))
                    {
                        if (key.Data is { } connection)
                        {
                            if (!connection.IsClosed) Service(connection, mask);
                        }
                        else if (key.Socket == _wake)
                        {
                            DrainWake();
                        }
                        else if (_listening)
                        {
                            AcceptBurst();
                        }
                    }
                    if (_stopRequested && (_listening || _acceptPaused))
                    {
                        StopListening();
                    }
                    if (_tickDue)
                    {
                        _tickDue = false;
                        Tick();
                    }
                }
            }
            finally
            {
                for (int i = _connections.Count - 1; i >= 0; i--)
                {
                    _connections[i].Driver.Finish(ConnectionCloseReason.ServerStopping);
                    Close(_connections[i]);
                }
                if (_listening || _acceptPaused)
                {
                    StopListening();
                }
                _selector.Dispose();
                _wake.Dispose();
            }
        }

        private void DrainWake()
        {
            Span<byte> one = stackalloc byte[16];
            while (_wake.Available > 0)
            {
                _wake.Receive(one);
            }
            // Cleared after the wake-ups are drained and before the queue is read: a post that comes after this wakes the
            // loop again. (Cleared before draining, a wake-up sent in between would be drained with the flag still set,
            // and every later post would wait for the next heartbeat.)
            Volatile.Write(ref _postWakePending, 0);
            while (_posted.TryDequeue(out Connection? connection))
            {
                if (!connection.IsClosed)
                {
                    RunPosted(connection);
                }
            }
        }

        /// <summary>Runs what other threads posted to a connection (an answer, pushed bytes, a close), then settles it.</summary>
        private void RunPosted(Connection c)
        {
            try
            {
                c.Driver.RunPosted();
                Settle(c);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                c.Driver.Fail(ex);
                Close(c);
            }
        }

        private void StartListening()
        {
            _selector.Register(_engine.Listener, SelectorEvents.Read, null, _exclusive);
            _listening = true;
            _acceptPaused = false;
        }

        private void StopListening()
        {
            if (_listening)
            {
                _selector.Unregister(_engine.Listener);
            }
            _listening = false;
            _acceptPaused = false;
            _engine.LoopStoppedListening();
        }

        /// <summary>Out of descriptors (or kernel memory): stop watching the listener for a moment, serving what is held.</summary>
        private void PauseAccepting(string kind)
        {
            _engine.AcceptPaused(kind);
            _selector.Unregister(_engine.Listener);
            _listening = false;
            _acceptPaused = true;
            _resumeAcceptingAt = Time.GetTimestamp() + Ticks(AcceptPause);
            AskToWakeAt(_resumeAcceptingAt);
        }

        private void ResumeAccepting()
        {
            if (_acceptPaused && !_stopRequested)
            {
                StartListening();
            }
        }

        /// <summary>
        /// Takes what the listener has waiting, at most <see cref="AcceptBatch"/> connections (with accept4, where
        /// "nothing waiting" is a return value rather than an exception; one elsewhere), so a burst's connections need
        /// not each cost a trip through the selector. The listener is level-triggered: the next wait reports it again
        /// while more are queued, between the other sockets' events, so a burst cannot starve the connections served.
        /// </summary>
        private void AcceptBurst()
        {
            int batch = ConnectionSocket.Native ? AcceptBatch : 1;
            for (int taken = 0; taken < batch && _listening && !_stopRequested; taken++)
            {
                if (!AcceptReady())
                {
                    return;
                }
            }
        }

        /// <returns>True when a connection was taken (served or refused) and another may be waiting.</returns>
        private bool AcceptReady()
        {
            ConnectionSocket socket;
            PeerAddress peer = default;
            EndPoint? peerEndPoint = null;
            try
            {
                if (ConnectionSocket.Native)
                {
                    Span<byte> address = stackalloc byte[128];
                    if (!ConnectionSocket.TryAccept(_engine.Listener, address, out socket, out int length))
                    {
                        return false; // Another loop took it, or the client gave up before we accepted it.
                    }
                    if (!PeerAddress.TryRead(address[..length], out peer))
                    {
                        peerEndPoint = UnixPeer(address[..length]);
                    }
                }
                else
                {
                    socket = new ConnectionSocket(_engine.Listener.Accept());
                }
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                return false; // Another loop took it, or the client gave up before we accepted it.
            }
            catch (Exception ex) when (ExhaustionKind(ex) is { } kind)
            {
                PauseAccepting(kind);
                return false;
            }
            try
            {
                if (socket.Socket is { } managed)
                {
                    managed.Blocking = false; // accept4 made a bare descriptor non-blocking already.
                }
                Open(socket, peer, peerEndPoint);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Reset before it could be set up: that connection only.
                Log.AcceptFailed(_engine.Logger, ex.Message);
                socket.Reset();
            }
            if (_engine.AcceptedAll)
            {
                _engine.AcceptedLast();
                return false;
            }
            return true;
        }

        /// <summary>A Unix socket's peer, made from its sockaddr as <see cref="Socket.RemoteEndPoint"/> makes it: by the listener's endpoint.</summary>
        private EndPoint UnixPeer(ReadOnlySpan<byte> sockaddr)
        {
            var address = new SocketAddress(_engine.Listener.AddressFamily, sockaddr.Length);
            sockaddr.CopyTo(address.Buffer.Span);
            return _engine.Listener.LocalEndPoint!.Create(address);
        }

        private void Open(ConnectionSocket socket, PeerAddress peer, EndPoint? peerEndPoint)
        {
            if (_engine.Adopt(socket, peer, peerEndPoint, _clockGate) is not { } tracked)
            {
                return;
            }
            var driver = _engine.CreateDriver(tracked);
            var connection = new Connection(socket, driver) { Slot = _connections.Count };
            // Its owner is known before anyone can find it (the registry) or post to it.
            tracked.Handle.OwnerState = connection;
            tracked.Handle.Owner = this;
            _engine.Opened(tracked.Info);
            _connections.Add(connection);
            try
            {
                connection.Key = socket.Socket is { } s ? _selector.Register(s, SelectorEvents.Read, connection) : _selector.Register(socket.Descriptor, SelectorEvents.Read, connection);
                driver.Open();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A handler factory that throws, or a selector that takes no more sockets (ENOMEM, ENOSPC): that
                // connection ends, counted and logged as the other engines end it, and the loop serves on.
                driver.Fail(ex);
                Close(connection);
                return;
            }
            ScheduleCheck(connection);
        }

        /// <summary>Puts a connection on the wheel for its clock's next deadline (its TLS handshake's among them).</summary>
        private void ScheduleCheck(Connection c)
        {
            if (_wheel.Count == 0)
            {
                _wheel.CatchUp(Time.GetTimestamp());
            }
            AskToWakeAt(_wheel.Schedule(c, c.Tracked.Clock.NextCheckAt));
        }

        /// <summary>The loop has something due at <paramref name="timestamp"/>: its tick is asked for then (once, for the earliest).</summary>
        private void AskToWakeAt(long timestamp)
        {
            if (timestamp < _wakeAsked)
            {
                _wakeAsked = timestamp;
                _engine.WakeAt(timestamp);
            }
        }

        /// <summary>
        /// After bytes moved: a request begun, content or a slow send may have brought a deadline forward; one pushed
        /// back stays where it is and is looked at early. So an idle connection is looked at once, at its idle timeout.
        /// </summary>
        private void Reschedule(Connection c)
        {
            long due = c.Tracked.Clock.NextCheckAt;
            if (due < c.WheelDue)
            {
                AskToWakeAt(_wheel.Schedule(c, due));
            }
        }

        /// <summary>A heartbeat: resume accepting after a pause, apply the drain, and check the connections whose time has come.</summary>
        private void Tick()
        {
            _wakeAsked = long.MaxValue; // The engine's wake-up has fired (or the drain ticks): ask again for what is next.
            long now = Time.GetTimestamp();
            if (_acceptPaused && now >= _resumeAcceptingAt)
            {
                ResumeAccepting();
            }
            if (_engine.DrainForced && !_forceSwept)
            {
                _forceSwept = true;
                CloseAll(_ => true, ConnectionCloseReason.DrainTimeout);
            }
            if (_engine.Draining && !_drainSwept)
            {
                // Once: a connection that becomes idle later is closed as its last response goes out.
                _drainSwept = true;
                CloseAll(c => c.Tracked.Clock.IsIdle && !c.Driver.HasPending, ConnectionCloseReason.ServerStopping);
            }
            _due.Clear();
            _wheel.Advance(now, _due);
            foreach (TimerWheelEntry entry in _due)
            {
                var c = (Connection)entry;
                if (c.IsClosed)
                {
                    continue;
                }
                if (c.Tracked.Clock.Check() is { } reason)
                {
                    if (reason == ConnectionCloseReason.HandlerTimeout)
                    {
                        TimeOutHandler(c);
                        continue;
                    }
                    c.Tracked.Abort(reason);
                    c.Driver.Finish(reason);
                    Close(c);
                }
                else
                {
                    ScheduleCheck(c);
                }
            }
            AskToWakeAt(_wheel.NextDue());
            if (_acceptPaused)
            {
                AskToWakeAt(_resumeAcceptingAt);
            }
        }

        /// <summary>A handler at work past its timeout: it writes its last words, which go out before the connection closes.</summary>
        private void TimeOutHandler(Connection c)
        {
            try
            {
                if (!c.Driver.TimeOutHandler())
                {
                    ScheduleCheck(c); // It answered meanwhile: its clock says what is next.
                    return;
                }
                Settle(c);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                c.Driver.Fail(ex);
                Close(c);
            }
        }

        private void CloseAll(Func<Connection, bool> which, ConnectionCloseReason reason)
        {
            for (int i = _connections.Count - 1; i >= 0; i--)
            {
                if (i < _connections.Count && _connections[i] is var c && which(c))
                {
                    c.Tracked.Abort(reason);
                    c.Driver.Finish(reason);
                    Close(c);
                }
            }
        }

        /// <summary>Moves the bytes a readiness allows between the socket and the connection's driver, then waits for what comes next.</summary>
        private void Service(Connection c, SelectorEvents mask)
        {
            ConnectionDriver d = c.Driver;
            try
            {
                if ((mask & SelectorEvents.Read) != 0 && !d.IsDone)
                {
                    Read(c);
                }
                Settle(c);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Its own connection only, never the loop that serves the others.
                d.Fail(ex);
                Close(c);
            }
        }

        /// <summary>
        /// After bytes moved or posted work ran: sends what is pending, closes what is over, and waits for what comes next
        /// (writable while bytes wait, readable otherwise, nothing while reading is paused for a handler at work).
        /// </summary>
        private void Settle(Connection c)
        {
            ConnectionDriver d = c.Driver;
            if (d.HasPending)
            {
                Flush(c);
            }
            if (!d.HasPending && !d.IsDone && _engine.CloseIfDrained(d.Tracked))
            {
                d.Finish(ConnectionCloseReason.ServerStopping);
            }
            if (d.IsDone && d.SayGoodbye())
            {
                Flush(c);
            }
            if (d.HasPending)
            {
                // Back-pressure: wait until the peer takes these bytes before reading more.
                _selector.Modify(c.Key!, SelectorEvents.Write);
            }
            else if (d.IsDone)
            {
                Close(c);
            }
            else
            {
                _selector.Modify(c.Key!, d.ReadPaused ? SelectorEvents.None : SelectorEvents.Read);
            }
            if (!c.IsClosed)
            {
                Reschedule(c);
            }
        }

        private void Read(Connection c)
        {
            int n = c.Socket.Receive(_buffer);
            if (n > 0)
            {
                c.Driver.Received(_buffer.AsMemory(0, n));
            }
            else if (n == 0)
            {
                c.Driver.PeerFinished();
            }
            // Below 0: nothing after all.
        }

        private static void Flush(Connection c)
        {
            int sent = c.Socket.Send(c.Driver.Pending().Span);
            c.Driver.Sent(Math.Max(sent, 0));
        }

        private void Close(Connection c)
        {
            if (c.IsClosed)
            {
                return;
            }
            c.IsClosed = true;
            // The last connection takes the closed one's place in the list.
            Connection last = _connections[^1];
            _connections[c.Slot] = last;
            last.Slot = c.Slot;
            _connections.RemoveAt(_connections.Count - 1);
            _wheel.Remove(c);
            _engine.Closed(c.Tracked, c.Driver.CloseReason);
            if (c.Key is { } key)
            {
                _selector.UnregisterClosing(key);
            }
            c.Socket.CloseGracefully();
            c.Driver.Dispose();
            // A descriptor came free: a loop paused for want of them may accept again.
            ResumeAccepting();
        }
    }
}
