using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketKit.Diagnostics;
using SocketKit.Logging;
using SocketKit.Metrics;

namespace SocketKit.Transport;

/// <summary>What every engine shares: numbering connections, and logging what crosses them.</summary>
internal abstract class ServerEngine
{
    private long _nextConnectionId;

    protected ServerEngine(Socket listener, ServerOptions options, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger logger)
    {
        Listener = listener;
        Options = options;
        HandlerFactory = handlerFactory;
        Logger = logger;
        Metrics = options.Metrics ?? SocketKitMetrics.Shared;
        _port = listener.LocalEndPoint is IPEndPoint ip ? ip.Port : 0;
    }

    private readonly int _port;

    protected Socket Listener { get; }

    protected ServerOptions Options { get; }

    /// <summary>True once the server has accepted as many connections as it was told to serve.</summary>
    protected bool AcceptedAll => Options.StopAfterConnections is int limit && Interlocked.Read(ref _nextConnectionId) >= limit;

    protected Func<ConnectionInfo, IConnectionHandler> HandlerFactory { get; }

    protected ILogger Logger { get; }

    protected SocketKitMetrics Metrics { get; }

    /// <summary>Serves until <paramref name="stopping"/> is cancelled, then closes what it holds.</summary>
    public abstract Task RunAsync(CancellationToken stopping);

    protected ConnectionInfo Describe(Socket socket) =>
        new(Interlocked.Increment(ref _nextConnectionId), socket.LocalEndPoint!, socket.RemoteEndPoint!);

    /// <summary>The one place an engine reports a new connection: its log line and its metrics.</summary>
    protected void OnAccepted(ConnectionInfo connection)
    {
        Metrics.ConnectionOpened(_port);
        Log.Accepted(Logger, connection.Id, connection.Remote);
    }

    /// <summary>The one place an engine reports a closed connection: its log line and its metrics.</summary>
    protected void OnClosed(ConnectionInfo connection, string reason)
    {
        Metrics.ConnectionClosed(_port, connection.OpenedAt);
        Log.Closing(Logger, connection.Id, connection.Remote, reason);
    }

    protected void LogReceived(ConnectionInfo connection, ReadOnlySpan<byte> bytes)
    {
        Metrics.Received(_port, bytes.Length);
        Log.Received(Logger, connection.Id, bytes.Length);
        if (Logger.IsEnabled(LogLevel.Trace))
        {
            Log.ReceivedBytes(Logger, connection.Id, PythonBytes.Repr(bytes, 256));
        }
    }

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
}
