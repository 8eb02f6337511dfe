using System.Collections.Concurrent;
using SocketKit.Logging;
using SocketKit.Metrics;
using SocketKit.Protocol.Python;
using SocketKit.Transport.Connections;
using SocketKit.Transport.Readiness;
using SocketKit.Transport.Tls;

namespace SocketKit.Transport.Engines;

/// <summary>
/// What every engine shares: numbering connections, the connection limit, one heartbeat that checks every
/// connection's deadlines, the drain on stop, and, as every connection's <see cref="IConnectionObserver"/>, counting,
/// measuring and logging what crosses them.
/// </summary>
internal abstract class ServerEngine : IConnectionObserver
{
    private readonly ConnectionIds _ids;
    private volatile bool _draining;
    private volatile bool _forced;
    private ITimer? _drainTimer;

    protected ServerEngine(Socket listener, ServerOptions options, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger logger)
    {
        Listener = listener;
        Options = options;
        HandlerFactory = handlerFactory;
        Logger = logger;
        Metrics = options.Metrics ?? SocketKitMetrics.Shared;
        _ids = options.ConnectionIds ?? new ConnectionIds();
        Registry = options.Registry ?? new ConnectionRegistry();
        _localEndPoint = listener.LocalEndPoint!;
        _port = _localEndPoint is IPEndPoint ip ? ip.Port : 0;
        _wildcard = _localEndPoint is IPEndPoint { Address: var bound } && (bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any));
        MaxConnections = Limits.MaxConnections;
        Gate = options.AddressGate ?? new AddressGate(options.ClientAddresses, Limits.MaxConnectionsPerAddress, options.TimeProvider);
        if (options.DescriptorLimit is { } descriptors && DescriptorLimit.MaxConnectionsUnder(descriptors) is var fits && fits < MaxConnections)
        {
            // Past the limit accept would fail anyway, and the runtime itself would be left without descriptors.
            MaxConnections = fits;
            Log.DescriptorLimitLowersMaxConnections(logger, descriptors, MaxConnections, Limits.MaxConnections);
        }
    }

    private readonly int _port;
    private readonly EndPoint _localEndPoint; // The listener's: the local end of every connection it accepts, unless _wildcard.
    private readonly bool _wildcard;
    private long _lastPauseWarning; // 0: never warned.
    private long _pausesSinceWarning;

    /// <summary>The most connections served at once: <see cref="ServerLimits.MaxConnections"/>, lowered to fit the descriptor limit.</summary>
    public int MaxConnections { get; }

    protected SocketKitMetrics Metrics { get; }

    /// <summary>The address rules and the per-address limit.</summary>
    private AddressGate Gate { get; }

    protected Socket Listener { get; }

    internal ServerOptions Options { get; }

    internal ServerLimits Limits => Options.Limits;

    protected ServerTimeouts Timeouts => Options.Timeouts;

    public ServerCounters Counters { get; } = new();

    /// <summary>The live connections as handlers and pushers see them: this server's, or its group's.</summary>
    public ConnectionRegistry Registry { get; }

    /// <summary>The connections being served, by id.</summary>
    protected ConcurrentDictionary<long, ServerConnection> Connections { get; } = new();

    /// <summary>True once the server has been asked to stop: no more accepting, idle connections close.</summary>
    protected bool Draining => _draining;

    /// <summary>True once the drain timed out: every connection still open is closed, busy or not.</summary>
    protected bool DrainForced => _forced;

    /// <summary>True once the server has accepted as many connections as it was told to serve.</summary>
    protected bool AcceptedAll => Options.StopAfterConnections is int limit && Counters.ConnectionsAccepted >= limit;

    private Func<ConnectionInfo, IConnectionHandler> HandlerFactory { get; }

    public IConnectionHandler CreateHandler(ConnectionInfo client) => HandlerFactory(client);

    internal ILogger Logger { get; }

    /// <summary>Serves until <paramref name="stopping"/> is cancelled, then drains: see <see cref="SocketServer.StopAsync"/>.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using ITimer? heartbeat = BeatsEvenWhenIdle
            ? Options.TimeProvider.CreateTimer(_ => OnHeartbeat(), null, ServerTimeouts.HeartbeatPeriod, ServerTimeouts.HeartbeatPeriod)
            : null;
        using CancellationTokenRegistration stop = stopping.Register(BeginDrain);
        try
        {
            await RunCoreAsync(stopping);
        }
        finally
        {
            _drainTimer?.Dispose();
        }
    }

    protected abstract Task RunCoreAsync(CancellationToken stopping);

    /// <summary>
    /// True: a heartbeat every <see cref="ServerTimeouts.HeartbeatPeriod"/> checks the connections, for engines that
    /// cannot tell when the next deadline is. An engine that knows (a loop's timer wheel) wakes itself for it instead,
    /// so an idle server runs nothing.
    /// </summary>
    protected virtual bool BeatsEvenWhenIdle => true;

    /// <summary>Stops accepting new connections; called once, from the thread that asked the server to stop.</summary>
    protected abstract void StopAccepting();

    /// <summary>A heartbeat tick (or a drain step): engines whose connections belong to one thread move the check there.</summary>
    protected virtual void OnHeartbeat() => CheckConnections();

    /// <summary>Closes every connection whose deadline has passed, the idle ones when draining, and all once the drain timed out.</summary>
    protected void CheckConnections()
    {
        bool forced = _forced;
        bool draining = _draining;
        foreach (ServerConnection connection in Connections.Values)
        {
            ConnectionCloseReason? due = forced ? ConnectionCloseReason.DrainTimeout : connection.Clock.Check();
            if (due is null && draining && connection.Turns is var turns && (turns & 1) == 0 && connection.Clock.IsIdle && connection.Turns == turns)
            {
                due = ConnectionCloseReason.ServerStopping;
            }
            if (due == ConnectionCloseReason.HandlerTimeout)
            {
                // Not an abort: the handler is asked for its last words on the connection's own thread, which then closes it.
                if (!connection.HandlerTimeoutPosted)
                {
                    connection.HandlerTimeoutPosted = true;
                    connection.Handle.PostHandlerTimeout();
                }
            }
            else if (due is { } reason)
            {
                connection.Abort(reason);
            }
        }
    }

    private void BeginDrain()
    {
        _draining = true;
        StopAccepting();
        _drainTimer = Options.TimeProvider.CreateTimer(_ =>
        {
            _forced = true;
            OnHeartbeat();
        }, null, Timeouts.DrainTimeout, Timeout.InfiniteTimeSpan);
        OnHeartbeat();
    }

    /// <summary>After a response went out: while draining, an idle connection closes at once rather than at the next tick.</summary>
    internal bool CloseIfDrained(ServerConnection connection) =>
        Draining && connection.Clock.IsIdle && connection.Abort(ConnectionCloseReason.ServerStopping);

    /// <summary>
    /// Takes in an accepted socket: admitted under <see cref="MaxConnections"/>, Nagle off, then tracked, its
    /// deadlines checked by the heartbeat. Null when it was refused or reset before it could be tracked (the socket is
    /// then closed).
    /// </summary>
    /// <param name="socket">The accepted socket.</param>
    protected ServerConnection? Adopt(Socket socket) => Adopt(new ConnectionSocket(socket), default, null, ownerGate: null);

    /// <summary>As <see cref="Adopt(Socket)"/>, for a socket that may be a bare descriptor, its deadlines checked by the heartbeat or by its owner.</summary>
    /// <param name="socket">The accepted socket.</param>
    /// <param name="peer">For a bare descriptor, its peer's IP address as accept gave it.</param>
    /// <param name="peerEndPoint">For a bare descriptor, its peer's endpoint when it is not an IP address (a Unix socket's).</param>
    /// <param name="ownerGate">As <see cref="Track"/>'s.</param>
    protected ServerConnection? Adopt(ConnectionSocket socket, PeerAddress peer, EndPoint? peerEndPoint, Lock? ownerGate)
    {
        if (!Admit(socket, peer, peerEndPoint) || !AdmitAddress(socket, ref peerEndPoint, peer, out IPAddress? counted))
        {
            return null;
        }
        socket.SetNoDelay(Listener.AddressFamily);
        ServerConnection? connection = Track(socket, peer, peerEndPoint, ownerGate);
        if (counted is not null)
        {
            if (connection is null)
            {
                Gate.Release(counted);
            }
            else
            {
                connection.CountedAddress = counted;
            }
        }
        return connection;
    }

    /// <summary>The peer's endpoint, made now (for the address rules, or a log line); null when a socket was reset already.</summary>
    private static EndPoint? RemoteOf(ConnectionSocket socket, PeerAddress peer, EndPoint? peerEndPoint)
    {
        if (socket.Socket is not { } s)
        {
            return peerEndPoint ?? peer.ToEndPoint();
        }
        try
        {
            return s.RemoteEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>
    /// Applies the address rules and the per-address limit to a socket just accepted, unless a PROXY header is still
    /// to name the client (then <see cref="AdmitClient"/> does, once it has): false (the socket reset, counted and
    /// logged) when refused; <paramref name="counted"/> is the address to release at the close. A bare descriptor's
    /// peer endpoint made here is kept in <paramref name="peerEndPoint"/>, not made again.
    /// </summary>
    private bool AdmitAddress(ConnectionSocket socket, ref EndPoint? peerEndPoint, PeerAddress peer, out IPAddress? counted)
    {
        counted = null;
        if (!Gate.IsActive || Options.ProxyHeaderBytes is not null)
        {
            return true;
        }
        EndPoint? remote = RemoteOf(socket, peer, peerEndPoint);
        if (socket.Socket is null)
        {
            peerEndPoint = remote;
        }
        // A socket reset already is let through: Track finds it gone and lets it go.
        if (remote is null || Gate.Admit(remote, out counted) is not { } reason)
        {
            return true;
        }
        Refused(EndPoints.Format(remote), reason);
        socket.Reset();
        return false;
    }

    /// <summary>
    /// Behind a PROXY header: applies the address rules and the per-address limit to the <paramref name="client"/> it
    /// named. False when refused (counted and logged): the connection is to close at once, unanswered.
    /// </summary>
    public bool AdmitClient(ServerConnection connection, ConnectionInfo client)
    {
        if (!Gate.IsActive)
        {
            return true;
        }
        if (Gate.Admit(client.RemoteEndPoint, out IPAddress? counted) is not { } reason)
        {
            connection.CountedAddress = counted;
            return true;
        }
        Refused(client.Remote, reason);
        return false;
    }

    private void Refused(string remote, string reason)
    {
        Counters.Rejected();
        Metrics.ConnectionRejected(_port, reason);
        Gate.LogRefused(Logger, remote, reason);
    }

    /// <summary>A connection's address no longer counts against its limit.</summary>
    private void ReleaseAddress(ServerConnection connection)
    {
        if (connection.CountedAddress is { } address)
        {
            connection.CountedAddress = null;
            Gate.Release(address);
        }
    }

    /// <summary>Applies the connection limit to a socket just accepted: false (and the socket closed, counted and logged) when it is over.</summary>
    private bool Admit(ConnectionSocket socket, PeerAddress peer, EndPoint? peerEndPoint)
    {
        // The counters, not Connections.Count, which would take every lock of the dictionary on each accept.
        if (Counters.ConnectionsOpen < MaxConnections)
        {
            return true;
        }
        Counters.Rejected();
        Metrics.ConnectionRejected(_port, "max_connections");
        string remote = RemoteOf(socket, peer, peerEndPoint) is { } ep ? EndPoints.Format(ep) : "-";
        Log.ConnectionRejected(Logger, remote, MaxConnections);
        // RST rather than FIN: the peer learns at once, and no TIME_WAIT is left on the server for a connection it never served.
        socket.Reset();
        return false;
    }

    /// <summary>
    /// What kind of exhaustion a failed accept (or the start of a connection's thread) means: descriptors ("emfile"),
    /// kernel memory ("enobufs"), threads ("thread"); null for a failure that is not exhaustion.
    /// </summary>
    protected static string? ExhaustionKind(Exception failure) => failure switch
    {
        SocketException { SocketErrorCode: SocketError.TooManyOpenSockets } => "emfile",
        SocketException { SocketErrorCode: SocketError.NoBufferSpaceAvailable } => "enobufs",
        OutOfMemoryException or ThreadStartException => "thread",
        _ => null,
    };

    /// <summary>
    /// Accepting ran out of <paramref name="kind"/>: the engine pauses accepting briefly while it serves what it holds.
    /// Counted every time; a warning at most once a second, with how many pauses it stands for.
    /// </summary>
    protected void AcceptPaused(string kind)
    {
        Counters.AcceptPaused();
        Metrics.AcceptPaused(_port, kind);
        long count = Interlocked.Increment(ref _pausesSinceWarning);
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        long last = Interlocked.Read(ref _lastPauseWarning);
        if ((last == 0 || now - last >= System.Diagnostics.Stopwatch.Frequency) && Interlocked.CompareExchange(ref _lastPauseWarning, now, last) == last)
        {
            Interlocked.Add(ref _pausesSinceWarning, -count);
            string reason = kind switch
            {
                "emfile" => "out of file descriptors (EMFILE)",
                "enobufs" => "out of kernel memory for sockets (ENOBUFS)",
                _ => "cannot start another thread",
            };
            Log.AcceptPaused(Logger, EndPoints.Format(Listener.LocalEndPoint!), reason, Counters.ConnectionsOpen, count);
        }
    }

    /// <summary>How long accepting pauses after running out: long enough not to spin, short enough to resume as soon as descriptors free up.</summary>
    protected static readonly TimeSpan AcceptPause = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Registers a newly accepted connection with the heartbeat and counts it. Its id comes from the numbering the
    /// server shares with the other listeners of a group; StopAfterConnections counts this server's own.
    /// </summary>
    /// <returns>The connection, or null when the peer reset it before its addresses could be read (the socket is then closed).</returns>
    /// <param name="socket">The accepted socket.</param>
    /// <param name="peer">As <see cref="Adopt(ConnectionSocket, PeerAddress, EndPoint?, Lock?)"/>'s.</param>
    /// <param name="peerEndPoint">As <see cref="Adopt(ConnectionSocket, PeerAddress, EndPoint?, Lock?)"/>'s.</param>
    /// <param name="ownerGate">
    /// Null when the shared heartbeat checks its deadlines; otherwise the engine times its connections itself on one
    /// thread (a readiness loop's timer wheel), whose lock the connection's clock shares, which also spares a shared
    /// dictionary's entry per connection.
    /// </param>
    private ServerConnection? Track(ConnectionSocket socket, PeerAddress peer, EndPoint? peerEndPoint, Lock? ownerGate)
    {
        EndPoint? local, remote;
        string? failure = null;
        if (socket.Socket is not { } s)
        {
            // The listener's own end, unless it listens on every address: then this connection's, asked now, while the
            // descriptor is surely its own.
            (local, remote) = (_wildcard ? socket.LocalEndPoint() : _localEndPoint, peerEndPoint);
        }
        else
        {
            try
            {
                (local, remote) = (s.LocalEndPoint, s.RemoteEndPoint);
            }
            catch (SocketException ex)
            {
                (local, remote, failure) = (null, null, ex.Message);
            }
        }
        if (local is null || (remote is null && socket.Socket is not null))
        {
            // Reset between accept and now: nothing to serve, and no reason to stop accepting the others.
            Log.AcceptFailed(Logger, failure ?? "its addresses are gone");
            socket.Reset();
            return null;
        }
        var handle = new ConnectionHandle(Limits.MaxSendBufferBytes);
        var info = new ConnectionInfo(_ids.Next(), local, remote, peer)
        {
            Metrics = Metrics,
            Connection = handle,
            CertificateSlot = Options.Tls?.ClientCertificateAuthorities is null ? null : new ClientCertificateSlot(),
            Counts = Options.LogCloseCounts ? new ConnectionCounts() : null,
        };
        handle.Info = info;
        var connection = new ServerConnection(info, new ConnectionClock(Timeouts, Options.TimeProvider, Options.Tls is null ? null : Timeouts.HandshakeTimeout, ownerGate));
        if (ownerGate is null)
        {
            Connections[info.Id] = connection;
        }
        Counters.Accepted();
        return connection;
    }

    /// <summary>
    /// A connection tracked but never served (its thread could not start): forgotten, counted as closed (it never
    /// opened, so no metric or log line says it did), and reset so the peer learns at once.
    /// </summary>
    protected void Abandon(ServerConnection connection, Socket socket)
    {
        Connections.TryRemove(connection.Info.Id, out _);
        ReleaseAddress(connection);
        Counters.Closed(ConnectionCloseReason.Failed);
        new ConnectionSocket(socket).Reset();
    }

    /// <summary>The driver of a connection just tracked: its byte layers composed from the options, this engine its observer.</summary>
    internal ConnectionDriver CreateDriver(ServerConnection connection) =>
        new(this, connection, Limits, ConnectionLayers.Compose(Options, connection.Info, Logger));

    /// <summary>The one place an engine reports a new connection: its log line and its metrics.</summary>
    public void Opened(ConnectionInfo connection)
    {
        Registry.Add(connection.Connection!);
        Metrics.ConnectionOpened(_port);
        if (Logger.IsEnabled(LogLevel.Information))
        {
            // The peer's address is formatted only for a log that will say it, not for every connection.
            Log.Accepted(Logger, connection.Id, connection.Remote);
        }
    }

    /// <summary>
    /// The one place an engine reports a connection about to be closed: forgets it, counts it, its metrics and its
    /// log line saying why. Called before the socket closes, so what a peer sees never runs ahead of the counters.
    /// </summary>
    public void Closed(ServerConnection connection, ConnectionCloseReason reason)
    {
        Connections.TryRemove(connection.Info.Id, out _);
        Registry.Remove(connection.Handle);
        connection.Handle.MarkClosed();
        ReleaseAddress(connection);
        Counters.Closed(reason);
        if (reason.TimeoutKind() is { } timeout)
        {
            Metrics.Timeout(_port, timeout);
        }
        Metrics.ConnectionClosed(_port, connection.Info.OpenedAt);
        if (Logger.IsEnabled(LogLevel.Information))
        {
            if (connection.Info.Counts is { } counts)
            {
                double seconds = Math.Round(System.Diagnostics.Stopwatch.GetElapsedTime(connection.Info.OpenedAt).TotalSeconds, 3);
                Log.ClosingWithCounts(Logger, connection.Info.Id, connection.Info.Remote, reason.Describe(Options), counts.Requests, counts.BytesIn, counts.BytesOut, seconds);
            }
            else
            {
                Log.Closing(Logger, connection.Info.Id, connection.Info.Remote, reason.Describe(Options));
            }
        }
        Options.OnClosing?.Invoke(connection.Info, reason);
    }

    /// <summary>Bytes received on a connection (for its handler, or a layer's own such as the PROXY header): counted, measured and logged.</summary>
    public void Received(ConnectionInfo connection, ReadOnlySpan<byte> bytes)
    {
        Counters.Received(bytes.Length);
        Metrics.Received(_port, bytes.Length);
        connection.Counts?.Received(bytes.Length);
        Log.Received(Logger, connection.Id, bytes.Length);
        if (Logger.IsEnabled(LogLevel.Trace))
        {
            Log.ReceivedBytes(Logger, connection.Id, PythonBytes.Repr(bytes, 256));
        }
    }

    /// <summary>
    /// A TLS handshake accepted the client's certificate (if it gave one): logged, and put where the handler's
    /// <see cref="ConnectionInfo.ClientCertificate"/> reads it, before any plaintext reaches the handler.
    /// </summary>
    public void Secured(ConnectionInfo connection, System.Security.Cryptography.X509Certificates.X509Certificate2? certificate)
    {
        if (certificate is null || connection.CertificateSlot is not { } slot)
        {
            return;
        }
        slot.Certificate = certificate;
        if (Logger.IsEnabled(LogLevel.Information))
        {
            Log.ClientCertificate(Logger, connection.Id, connection.Remote, certificate.Subject, certificate.Issuer);
        }
    }

    /// <summary>A TLS handshake that failed (a bad hello, an alert, a broken connection): the same words on every engine.</summary>
    public void HandshakeFailed(ConnectionInfo connection, Exception failure) =>
        Log.ConnectionFailed(Logger, connection.Id, connection.Remote, $"TLS handshake failed: {TlsStreams.DescribeClientFailure(failure)}");

    public void Sending(ConnectionInfo connection, ReadOnlySpan<byte> bytes, int buffered)
    {
        Counters.Buffered(buffered);
        Metrics.Sent(_port, bytes.Length);
        connection.Counts?.Sending(bytes.Length);
        Log.Sending(Logger, connection.Id, bytes.Length);
        if (Logger.IsEnabled(LogLevel.Trace))
        {
            Log.SendingBytes(Logger, connection.Id, PythonBytes.Repr(bytes, 256));
        }
    }

    /// <summary>
    /// Logs a failed connection, once: a socket's failure (a reset is the peer's business and logged quietly), a
    /// stream's own (such as a TLS record that does not decrypt), or a handler's bug, which ends its own connection
    /// and never the engine.
    /// </summary>
    public void Failed(ConnectionInfo connection, Exception failure)
    {
        switch (failure)
        {
            case SocketException socket:
                LogFailure(connection, socket);
                break;
            case IOException { InnerException: SocketException inner }:
                LogFailure(connection, inner);
                break;
            case IOException io:
                Log.ConnectionFailed(Logger, connection.Id, connection.Remote, io.Message);
                break;
            default:
                Log.HandlerFailed(Logger, connection.Id, connection.Remote, $"{failure.GetType().Name}: {failure.Message}");
                break;
        }
    }

    private void LogFailure(ConnectionInfo connection, SocketException ex)
    {
        if (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            Log.ConnectionReset(Logger, connection.Id, connection.Remote);
        }
        else
        {
            Log.ConnectionFailed(Logger, connection.Id, connection.Remote, NetworkException.From(ex, "serve", connection.RemoteEndPoint).Message);
        }
    }

    /// <summary>Says goodbye the orderly way: FIN after the last byte, then release the socket.</summary>
    protected static void CloseGracefully(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        socket.Dispose();
    }

    /// <summary>Wakes a thread blocked on a socket without releasing it: the thread that owns it closes it.</summary>
    protected static void ShutdownBoth(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
