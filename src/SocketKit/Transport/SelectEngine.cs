using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketKit.Logging;
using SocketKit.Transport.Tls;

namespace SocketKit.Transport;

/// <summary>
/// One thread, non-blocking sockets and a readiness loop: the tutorial's multiconn-server, with two
/// fixes. A socket waits for "writable" only while it has bytes to send, so the loop sleeps when there
/// is nothing to do (the reference spins at 100% CPU); and a connection whose bytes cannot go out is
/// not read further until they do, so a slow reader cannot make the server buffer without bound.
/// Everything about a connection happens on the loop's thread: the heartbeat and a stop only wake it.
/// With TLS, a <see cref="TlsPump"/> per connection sits between the socket and the handler: ciphertext is read and
/// sent as readiness allows, and the handler sees plaintext, as Python's non-blocking ssl sockets would give it.
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
        /// <summary>The connection's TLS, or null for plain bytes.</summary>
        public TlsPump? Tls { get; init; }
        /// <summary>With TLS, when the handshake must be done by (a <see cref="TimeProvider"/> timestamp).</summary>
        public long HandshakeDeadline { get; init; }

        /// <summary>Bytes still to go out on the socket: the handler's not yet sent, or (with TLS) plaintext not yet encrypted and records not yet sent.</summary>
        public bool HasPending => Tls is null ? Output.WrittenCount > Sent : Output.WrittenCount > 0 || Tls.OutgoingCount > 0;
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
                    long now = Options.TimeProvider.GetTimestamp();
                    foreach (Connection c in _byId.Values)
                    {
                        if (c.Tls is { IsHandshaking: true } && now >= c.HandshakeDeadline && Options.Tls is { } tls)
                        {
                            LogHandshakeTimedOut(c.Info, tls.HandshakeTimeout);
                            c.Reason = ConnectionCloseReason.Failed;
                            Close(c);
                        }
                        else if (c.Tracked.AbortReason is { } reason)
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
            ServerConnection tracked = Track(socket);
            OnAccepted(tracked.Info);
            var connection = new Connection(socket, tracked, HandlerFactory(tracked.Info), Limits.MaxSendBufferBytes)
            {
                Tls = Options.Tls is { } tls ? TlsPump.ForServer(tls) : null,
                HandshakeDeadline = Options.Tls is { } timed ? Options.TimeProvider.GetTimestamp() + (long)(timed.HandshakeTimeout.TotalSeconds * Options.TimeProvider.TimestampFrequency) : 0,
            };
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
            if (c.HasPending)
            {
                Flush(c);
            }
            if (c.Tls is not null && !c.HasPending && !c.Closing && CloseIfDrained(c.Tracked))
            {
                c.Reason = ConnectionCloseReason.ServerStopping;
                c.Closing = true;
            }
            if (c.Closing && c.Tls is { } tls && !c.HasPending)
            {
                // close_notify once the last response is out, before the FIN, as the other engines end a TLS connection.
                tls.Close();
                if (c.HasPending) Flush(c);
            }
            if (c.HasPending)
            {
                // Back-pressure: wait until the peer takes these bytes before reading more.
                _selector.Modify(c.Socket, SelectorEvents.Write);
            }
            else if (c.Closing)
            {
                Close(c);
            }
            else if (CloseIfDrained(c.Tracked))
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
        catch (IOException ex) when (c.Tls is not null)
        {
            // A TLS record that cannot be read (corrupt, cut short, an alert): the same words as the other engines.
            c.Reason = ConnectionCloseReason.Failed;
            Log.ConnectionFailed(Logger, c.Info.Id, c.Info.Remote, ex.Message);
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
        if (c.Tls is not null)
        {
            ReadTls(c, c.Tls, n);
            return;
        }
        NextStep step;
        if (n == 0)
        {
            step = c.Input.Finish(c.Handler, c.Output);
            c.Closing = true;
        }
        else
        {
            step = Deliver(c.Tracked, c.Handler, c.Input, _buffer.AsMemory(0, n), c.Output);
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

    /// <summary>Hands the ciphertext just read to the connection's pump, and the plaintext that comes out to the handler.</summary>
    private void ReadTls(Connection c, TlsPump tls, int n)
    {
        if (n == 0) tls.FeedEnd(); else tls.Feed(_buffer.AsSpan(0, n));
        if (!tls.IsAuthenticated)
        {
            if (tls.HandshakeFailure is { } failure)
            {
                LogHandshakeFailed(c.Info, failure);
                c.Reason = ConnectionCloseReason.Failed;
                c.Closing = true;
            }
            else if (n == 0)
            {
                c.Closing = true;
            }
            return; // Its own records (if any) go out through Flush.
        }
        NextStep step = NextStep.Receive;
        while (step == NextStep.Receive && tls.TryRead(out ReadOnlyMemory<byte> plaintext))
        {
            step = Deliver(c.Tracked, c.Handler, c.Input, plaintext, c.Output);
        }
        if (step == NextStep.Receive && tls.PeerClosed)
        {
            c.Input.Finish(c.Handler, c.Output);
            c.Closing = true;
        }
        else if (step == NextStep.CloseAfterSending)
        {
            c.Closing = true;
            c.Reason = ConnectionCloseReason.Done;
        }
        if (c.Output.WrittenCount > 0)
        {
            Counters.Buffered(c.Output.WrittenCount);
        }
        if (n == 0 && !c.Closing)
        {
            // The TCP stream ended between records without close_notify; nothing more can arrive.
            c.Input.Finish(c.Handler, c.Output);
            c.Closing = true;
        }
    }

    private void Flush(Connection c)
    {
        if (c.Tls is { } tls)
        {
            FlushTls(c, tls);
            return;
        }
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
        bool allSent = c.Sent == c.Output.WrittenCount;
        if (allSent)
        {
            c.Output.Reset();
            c.Sent = 0;
        }
        TimeReader(c, allSent);
    }

    /// <summary>Encrypts what the handler wrote, then sends records as the socket takes them; the clock is timed as for plain bytes.</summary>
    private void FlushTls(Connection c, TlsPump tls)
    {
        if (c.Output.WrittenCount > 0)
        {
            LogSending(c.Info, c.Output.WrittenSpan);
            tls.Write(c.Output.WrittenMemory);
            c.Output.Reset();
        }
        int sent = c.Socket.Send(tls.Outgoing, SocketFlags.None, out SocketError error);
        if (error is not (SocketError.Success or SocketError.WouldBlock))
        {
            throw new SocketException((int)error);
        }
        if (sent > 0)
        {
            tls.Consume(sent);
            if (c.WaitingOnReader) c.Tracked.Clock.Sent(sent);
        }
        TimeReader(c, allSent: tls.OutgoingCount == 0);
    }

    /// <summary>
    /// The server waits on the reader from the first send the socket does not take whole until all is out: only that
    /// time is timed against the reader's rate, so responses the kernel takes at once never trip it.
    /// </summary>
    private static void TimeReader(Connection c, bool allSent)
    {
        if (allSent)
        {
            if (c.WaitingOnReader)
            {
                c.WaitingOnReader = false;
                c.Tracked.Clock.SendDone();
            }
        }
        else if (!c.WaitingOnReader)
        {
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
        c.Tls?.Dispose();
    }
}
