using System.Buffers;
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
/// </summary>
internal sealed class SelectEngine : ServerEngine
{
    private const int ReceiveSize = 64 * 1024;

    private sealed class Connection(Socket socket, ConnectionInfo info, IConnectionHandler handler)
    {
        public Socket Socket { get; } = socket;
        public ConnectionInfo Info { get; } = info;
        public IConnectionHandler Handler { get; } = handler;
        public ReceiveBuffer Input { get; } = new();
        public ArrayBufferWriter<byte> Output { get; } = new();
        public int Sent { get; set; }
        public bool Closing { get; set; }
        public string Reason { get; set; } = "peer closed";
    }

    private readonly Selector<Connection?> _selector = new();
    private readonly byte[] _buffer = new byte[ReceiveSize];
    // A datagram to this socket wakes Select when the server stops.
    private readonly Socket _wake = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public SelectEngine(Socket listener, ServerOptions options, Func<ConnectionInfo, IConnectionHandler> handlerFactory, ILogger logger)
        : base(listener, options, handlerFactory, logger)
    {
    }

    public override Task RunAsync(CancellationToken stopping)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Loop(stopping);
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

    private void Loop(CancellationToken stopping)
    {
        _wake.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using CancellationTokenRegistration stop = stopping.Register(() => _wake.SendTo(new byte[1], _wake.LocalEndPoint!));
        Listener.Blocking = false;
        _selector.Register(Listener, SelectorEvents.Read, null);
        _selector.Register(_wake, SelectorEvents.Read, null);
        try
        {
            // With StopAfterConnections the loop ends once the listener is gone and the last connection closed.
            while (!stopping.IsCancellationRequested && _selector.Count > 1)
            {
                foreach ((SelectorKey<Connection?> key, SelectorEvents mask) in _selector.Select(timeout: null))
                {
                    if (key.Data is { } connection)
                    {
                        Service(connection, mask);
                    }
                    else if (key.Socket == Listener)
                    {
                        AcceptReady();
                    }
                }
            }
        }
        finally
        {
            foreach (Connection connection in AllConnections())
            {
                connection.Reason = "server stopped";
                Close(connection);
            }
            _selector.Dispose();
            _wake.Dispose();
            Listener.Dispose();
        }
    }

    private List<Connection> AllConnections()
    {
        var all = new List<Connection>();
        foreach (SelectorKey<Connection?> key in _selector.Keys)
        {
            if (key.Data is { } c) all.Add(c);
        }
        return all;
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
            socket.Blocking = false;
            socket.NoDelay = true;
            ConnectionInfo info = Describe(socket);
            OnAccepted(info);
            _selector.Register(socket, SelectorEvents.Read, new Connection(socket, info, HandlerFactory(info)));
            if (AcceptedAll)
            {
                _selector.Unregister(Listener);
                Listener.Dispose();
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
            else
            {
                _selector.Modify(c.Socket, SelectorEvents.Read);
            }
        }
        catch (SocketException ex)
        {
            c.Reason = ex.SocketErrorCode.ToString();
            LogFailure(c.Info, ex);
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
        }
        if (step == NextStep.CloseAfterSending)
        {
            c.Closing = true;
            if (n > 0) c.Reason = "done";
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
        }
        if (c.Sent == c.Output.WrittenCount)
        {
            c.Output.ResetWrittenCount();
            c.Sent = 0;
        }
    }

    private void Close(Connection c)
    {
        _selector.Unregister(c.Socket);
        CloseGracefully(c.Socket);
        OnClosed(c.Info, c.Reason);
    }
}
