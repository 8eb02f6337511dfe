using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketKit.Diagnostics;
using SocketKit.Logging;
using SocketKit.Metrics;
using SocketKit.Transport.Tls;

namespace SocketKit.Transport;

/// <summary>
/// What every engine shares: numbering connections, the connection limit, one heartbeat that checks every
/// connection's deadlines, the drain on stop, and logging what crosses them.
/// </summary>
internal abstract class ServerEngine
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
        _port = listener.LocalEndPoint is IPEndPoint ip ? ip.Port : 0;
    }

    private readonly int _port;

    protected SocketKitMetrics Metrics { get; }

    protected Socket Listener { get; }

    protected ServerOptions Options { get; }

    protected ServerLimits Limits => Options.Limits;

    protected ServerTimeouts Timeouts => Options.Timeouts;

    public ServerCounters Counters { get; } = new();

    /// <summary>The connections being served, by id.</summary>
    protected ConcurrentDictionary<long, ServerConnection> Connections { get; } = new();

    /// <summary>True once the server has been asked to stop: no more accepting, idle connections close.</summary>
    protected bool Draining => _draining;

    /// <summary>True once the server has accepted as many connections as it was told to serve.</summary>
    protected bool AcceptedAll => Options.StopAfterConnections is int limit && Counters.ConnectionsAccepted >= limit;

    protected Func<ConnectionInfo, IConnectionHandler> HandlerFactory { get; }

    protected ILogger Logger { get; }

    /// <summary>Serves until <paramref name="stopping"/> is cancelled, then drains: see <see cref="SocketServer.StopAsync"/>.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using ITimer heartbeat = Options.TimeProvider.CreateTimer(_ => OnHeartbeat(), null, ServerTimeouts.HeartbeatPeriod, ServerTimeouts.HeartbeatPeriod);
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
            if (due is null && draining && connection.Clock.IsIdle)
            {
                due = ConnectionCloseReason.ServerStopping;
            }
            if (due is { } reason)
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
    protected bool CloseIfDrained(ServerConnection connection) =>
        Draining && connection.Clock.IsIdle && connection.Abort(ConnectionCloseReason.ServerStopping);

    /// <summary>Applies the connection limit to a socket just accepted: false (and the socket closed, counted and logged) when it is over.</summary>
    protected bool Admit(Socket socket)
    {
        // The counters, not Connections.Count, which would take every lock of the dictionary on each accept.
        if (Counters.ConnectionsOpen < Limits.MaxConnections)
        {
            return true;
        }
        Counters.Rejected();
        Metrics.ConnectionRejected(_port, "max_connections");
        string remote = socket.RemoteEndPoint is { } ep ? EndPoints.Format(ep) : "-";
        Log.ConnectionRejected(Logger, remote, Limits.MaxConnections);
        // RST rather than FIN: the peer learns at once, and no TIME_WAIT is left on the server for a connection it never served.
        try { socket.LingerState = new LingerOption(true, 0); } catch (SocketException) { }
        socket.Dispose();
        return false;
    }

    /// <summary>
    /// Registers a newly accepted connection with the heartbeat and counts it. Its id comes from the numbering the
    /// server shares with the other listeners of a group; StopAfterConnections counts this server's own.
    /// </summary>
    protected ServerConnection Track(Socket socket)
    {
        var info = new ConnectionInfo(_ids.Next(), socket.LocalEndPoint!, socket.RemoteEndPoint!) { Metrics = Metrics };
        var connection = new ServerConnection(info, new ConnectionClock(Timeouts, Options.TimeProvider));
        Connections[info.Id] = connection;
        Counters.Accepted();
        return connection;
    }

    /// <summary>The one place an engine reports a new connection: its log line and its metrics.</summary>
    protected void OnAccepted(ConnectionInfo connection)
    {
        Metrics.ConnectionOpened(_port);
        Log.Accepted(Logger, connection.Id, connection.Remote);
    }

    /// <summary>
    /// The one place an engine reports a connection about to be closed: forgets it, counts it, its metrics and its
    /// log line saying why. Called before the socket closes, so what a peer sees never runs ahead of the counters.
    /// </summary>
    protected void Closed(ServerConnection connection, ConnectionCloseReason reason)
    {
        Connections.TryRemove(connection.Info.Id, out _);
        Counters.Closed(reason);
        string? timeout = reason switch
        {
            ConnectionCloseReason.HeaderTimeout => "header",
            ConnectionCloseReason.IdleTimeout => "idle",
            ConnectionCloseReason.SlowReader => "min_response_rate",
            ConnectionCloseReason.SlowRequestContent => "min_request_rate",
            ConnectionCloseReason.DrainTimeout => "drain",
            _ => null,
        };
        if (timeout is not null)
        {
            Metrics.Timeout(_port, timeout);
        }
        Metrics.ConnectionClosed(_port, connection.Info.OpenedAt);
        Log.Closing(Logger, connection.Info.Id, connection.Info.Remote, reason.Describe(Timeouts));
        Options.OnClosing?.Invoke(connection.Info, reason);
    }

    /// <summary>
    /// Hands bytes that arrived to the handler, logged; then tells the connection's clock where its conversation
    /// stands (between requests, in a header, in content), which decides the timeout that applies next.
    /// </summary>
    protected NextStep Deliver(ServerConnection connection, IConnectionHandler handler, ReceiveBuffer input, ReadOnlyMemory<byte> bytes, IBufferWriter<byte> output)
    {
        LogReceived(connection.Info, bytes.Span);
        NextStep step = input.Feed(handler, bytes, output);
        connection.Clock.Received(handler.IsBetweenRequests && input.UnconsumedBytes == 0, handler.IsReceivingContent, bytes.Length);
        return step;
    }

    protected void LogReceived(ConnectionInfo connection, ReadOnlySpan<byte> bytes)
    {
        Counters.Received(bytes.Length);
        Metrics.Received(_port, bytes.Length);
        Log.Received(Logger, connection.Id, bytes.Length);
        if (Logger.IsEnabled(LogLevel.Trace))
        {
            Log.ReceivedBytes(Logger, connection.Id, PythonBytes.Repr(bytes, 256));
        }
    }

    /// <summary>A peer that did not finish its TLS handshake in time: the same words on every engine.</summary>
    protected void LogHandshakeTimedOut(ConnectionInfo connection, TimeSpan timeout) =>
        Log.ConnectionFailed(Logger, connection.Id, connection.Remote, $"no TLS handshake within {Durations.Format(timeout)}");

    /// <summary>A TLS handshake that failed (a bad hello, an alert, a broken connection): the same words on every engine.</summary>
    protected void LogHandshakeFailed(ConnectionInfo connection, Exception failure) =>
        Log.ConnectionFailed(Logger, connection.Id, connection.Remote, $"TLS handshake failed: {TlsStreams.DescribeClientFailure(failure)}");

    protected void LogSending(ConnectionInfo connection, ReadOnlySpan<byte> bytes)
    {
        Metrics.Sent(_port, bytes.Length);
        Log.Sending(Logger, connection.Id, bytes.Length);
        if (Logger.IsEnabled(LogLevel.Trace))
        {
            Log.SendingBytes(Logger, connection.Id, PythonBytes.Repr(bytes, 256));
        }
    }

    /// <summary>Logs a failed connection; resets are the peer's business and logged quietly.</summary>
    protected void LogFailure(ConnectionInfo connection, SocketException ex)
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
