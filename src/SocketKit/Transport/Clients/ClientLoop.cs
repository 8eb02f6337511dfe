using System.Diagnostics;
using SocketKit.Transport.Connections;
using SocketKit.Transport.Readiness;
using SocketKit.Transport.Tls;

namespace SocketKit.Transport.Clients;

/// <summary>
/// A client's readiness loop: the counterpart of a server's <c>SelectEngine.Loop</c> in the client role, hence the
/// name. It owns a <see cref="Selector{TData}"/>, its connections' <see cref="ClientChannel"/>s (so TLS is the same
/// <see cref="TlsLayer"/> a server's connections use), their connects (non-blocking, bounded by a timeout, never through
/// .NET's asynchronous socket methods: a socket .NET has driven stays registered with its own epoll thread, whose
/// wake-ups would keep thread-pool workers busy beside the loop) and their deadlines, in a min-heap, so a turn looks at
/// the first only. What a connection says and expects is its <see cref="IClientLogic"/>'s: multiconn-client's echo,
/// bench's echo and application loads each write one.
/// </summary>
/// <remarks>
/// One thread: the loop is made, given connections and run on the thread that owns it (a TLS pump refuses any other).
/// Times are <see cref="Stopwatch"/> timestamps.
/// </remarks>
internal sealed class ClientLoop : IDisposable
{
    /// <summary>The longest the loop sleeps: how soon its turn sees a cancellation or a gate opening.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(100);

    private const int ReceiveSize = 64 * 1024;

    private readonly Selector<ClientConnection> _selector = new();
    private readonly PriorityQueue<ClientConnection, long> _deadlines = new();
    private readonly Queue<ClientConnection> _toConnect = new(); // Waiting for fewer connects in flight.
    private readonly List<ClientConnection> _failed = [];
    private readonly List<ClientConnection> _live = [];
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(ReceiveSize);
    private readonly byte[] _address;
    private readonly string _tlsHost;
    private readonly long _connectTimeout;
    private readonly long _handshakeTimeout;
    private int _connecting;
    private bool _disposed;

    /// <summary>A loop whose connections all go to <paramref name="endPoint"/>.</summary>
    /// <param name="endPoint">The server: an IP endpoint or a Unix socket's.</param>
    /// <param name="tls">TLS in the client role on every connection; null: plain TCP.</param>
    /// <param name="tlsHost">The name the server's certificate must carry (unless <paramref name="tls"/> names another).</param>
    /// <param name="connectTimeout">The longest a connect may take.</param>
    /// <param name="handshakeTimeout">With TLS, the longest a handshake may take once connected.</param>
    /// <param name="maxConnecting">Connects in flight at once (at least 1): a burst beyond waits, so the listen backlog does not overflow.</param>
    public ClientLoop(EndPoint endPoint, TlsClientOptions? tls, string tlsHost, TimeSpan connectTimeout, TimeSpan handshakeTimeout, int maxConnecting = int.MaxValue)
    {
        EndPoint = endPoint;
        Tls = tls;
        _tlsHost = tlsHost;
        _connectTimeout = Ticks(connectTimeout);
        _handshakeTimeout = Ticks(handshakeTimeout);
        MaxConnecting = Math.Max(1, maxConnecting);
        SocketAddress address = endPoint.Serialize();
        _address = address.Buffer[..address.Size].ToArray();
        Remote = EndPoints.Format(endPoint);
    }

    public EndPoint EndPoint { get; }

    /// <summary>The server's address in words.</summary>
    public string Remote { get; }

    public TlsClientOptions? Tls { get; }

    public int MaxConnecting { get; }

    /// <summary>Connections not yet closed: waiting, connecting, handshaking or open.</summary>
    public int Count => _live.Count;

    /// <summary>Every connection not yet closed.</summary>
    public IReadOnlyList<ClientConnection> Connections => _live;

    public static long Now => Stopwatch.GetTimestamp();

    public static long Ticks(TimeSpan span) => span == TimeSpan.MaxValue ? long.MaxValue / 2 : (long)(span.TotalSeconds * Stopwatch.Frequency);

    /// <summary>
    /// A new connection for <paramref name="logic"/>: its connect starts now, or at <paramref name="notBefore"/> (a
    /// timestamp), or once fewer than <see cref="MaxConnecting"/> are in flight. Its logic hears of it in a later call,
    /// never inside this one.
    /// </summary>
    public ClientConnection Connect(IClientLogic logic, long notBefore = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new ClientConnection(this, logic) { LiveIndex = _live.Count };
        _live.Add(connection);
        if (notBefore > Now)
        {
            connection.PhaseDeadline = notBefore;
            Watch(connection);
        }
        else
        {
            Start(connection);
        }
        return connection;
    }

    /// <summary>
    /// Runs until every connection is closed, or <paramref name="turn"/> returns false; <paramref name="turn"/> is
    /// called at each turn of the loop (at least every <see cref="MaxWait"/>), on this thread, to start or stop work.
    /// </summary>
    public void Run(Func<bool> turn)
    {
        while (turn())
        {
            long now = Now;
            FireDeadlines(now);
            ReportFailures();
            if (_live.Count == 0)
            {
                return;
            }
            foreach ((SelectorKey<ClientConnection> key, SelectorEvents mask) in _selector.Select(Wait(now)))
            {
                if (!key.Data.IsClosed)
                {
                    Service(key.Data, mask);
                }
            }
            ReportFailures();
        }
    }

    /// <summary>Closes every connection; the logic hears nothing more.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        foreach (ClientConnection connection in _live.ToArray())
        {
            Close(connection, notify: false);
        }
        _disposed = true;
        _selector.Dispose();
    }

    internal void Write(ClientConnection connection, ReadOnlyMemory<byte> plaintext)
    {
        if (connection.IsClosed || connection.Channel is not { } channel)
        {
            return;
        }
        channel.Write(plaintext);
        if (connection.Phase is ClientPhase.Open or ClientPhase.Handshaking)
        {
            Flush(connection);
        }
    }

    internal void Close(ClientConnection connection, bool notify)
    {
        if (connection.IsClosed)
        {
            return;
        }
        ClientPhase phase = connection.Phase;
        connection.Phase = ClientPhase.Closed;
        // Out of the list in constant time: the last one takes its place.
        ClientConnection last = _live[^1];
        _live[connection.LiveIndex] = last;
        last.LiveIndex = connection.LiveIndex;
        _live.RemoveAt(_live.Count - 1);
        if (connection.Channel is { } channel)
        {
            if (connection.Key is not null)
            {
                _selector.UnregisterClosing(channel.Socket);
            }
            if (notify && phase == ClientPhase.Open)
            {
                channel.Close();
            }
            channel.Dispose();
        }
        if (phase == ClientPhase.Connecting)
        {
            Connected();
        }
    }

    /// <summary>
    /// Puts a connection in the heap at its next deadline when that is sooner than where it already is. A later
    /// deadline leaves it where it is: when that entry comes up the connection is put back at its current one, so a
    /// deadline pushed back at every request costs no heap operation.
    /// </summary>
    internal void Watch(ClientConnection connection)
    {
        long due = DueAt(connection);
        if (due < connection.QueuedAt)
        {
            _deadlines.Enqueue(connection, due);
            connection.QueuedAt = due;
        }
    }

    private static long DueAt(ClientConnection connection) => connection.Phase switch
    {
        ClientPhase.Open => connection.Deadline,
        ClientPhase.Closed => long.MaxValue,
        _ => connection.PhaseDeadline,
    };

    private TimeSpan Wait(long now)
    {
        long max = Ticks(MaxWait);
        long left = _deadlines.TryPeek(out _, out long due) ? Math.Clamp(due - now, 0, max) : max;
        return TimeSpan.FromSeconds((double)left / Stopwatch.Frequency);
    }

    private void FireDeadlines(long now)
    {
        while (_deadlines.TryPeek(out ClientConnection? connection, out long at) && at <= now)
        {
            _deadlines.Dequeue();
            if (at != connection.QueuedAt)
            {
                continue; // An entry left behind when the connection's deadline came sooner.
            }
            connection.QueuedAt = long.MaxValue;
            if (connection.IsClosed)
            {
                continue;
            }
            if (DueAt(connection) > now)
            {
                Watch(connection);
                continue;
            }
            switch (connection.Phase)
            {
                case ClientPhase.Waiting:
                    connection.PhaseDeadline = long.MaxValue;
                    Start(connection);
                    break;
                case ClientPhase.Connecting or ClientPhase.Handshaking:
                    ClientPhase phase = connection.Phase;
                    Close(connection, notify: false);
                    connection.Logic.TimedOut(connection, phase);
                    break;
                case ClientPhase.Open:
                    connection.ClearDeadline();
                    connection.Logic.TimedOut(connection, ClientPhase.Open);
                    break;
            }
        }
    }

    /// <summary>Starts a connect, or queues it while <see cref="MaxConnecting"/> are in flight.</summary>
    private void Start(ClientConnection connection)
    {
        if (_connecting >= MaxConnecting)
        {
            connection.Phase = ClientPhase.Waiting;
            _toConnect.Enqueue(connection);
            return;
        }
        _connecting++;
        connection.Phase = ClientPhase.Connecting;
        connection.StartedAt = Now;
        connection.PhaseDeadline = connection.StartedAt + _connectTimeout;
        try
        {
            Socket socket = Listeners.CreateStreamSocket(EndPoint);
            // With TLS the client's hello is ready at once, and goes out when the connect has finished. The pump keeps
            // what its handshake sees of the server, so a failure is said in the same words on every client.
            connection.Channel = new ClientChannel(socket, Tls is null ? null : TlsPump.ForClient(Tls, _tlsHost, witness: true), EndPoint);
            socket.Blocking = false;
            Listeners.SetNoDelay(socket);
            NonBlockingIo.Connect(socket, (int)socket.Handle, EndPoint, _address);
            // Even a connect done at once (a Unix socket's) is seen as writable, so the logic hears of it in a turn of its own.
            connection.Key = _selector.Register(socket, SelectorEvents.Write, connection);
        }
        catch (SocketException ex)
        {
            connection.PendingFailure = NetworkException.FromConnect(ex, EndPoint);
            _failed.Add(connection);
            return;
        }
        Watch(connection);
    }

    /// <summary>A connect in flight finished (or was given up): the next one waiting may start.</summary>
    private void Connected()
    {
        _connecting--;
        while (_connecting < MaxConnecting && _toConnect.TryDequeue(out ClientConnection? next))
        {
            if (!next.IsClosed)
            {
                Start(next);
            }
        }
    }

    private void Service(ClientConnection connection, SelectorEvents mask)
    {
        ClientChannel channel = connection.Channel!;
        try
        {
            if (connection.Phase == ClientPhase.Connecting)
            {
                var error = (SocketError)(int)channel.Socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                if (error != SocketError.Success)
                {
                    throw new SocketException((int)error);
                }
                Connected();
                if (channel.Tls is null)
                {
                    Open(connection);
                }
                else
                {
                    connection.Phase = ClientPhase.Handshaking;
                    connection.PhaseDeadline = Now + _handshakeTimeout;
                    Watch(connection);
                }
            }
            else if ((mask & SelectorEvents.Read) != 0)
            {
                switch (channel.Receive(_buffer, connection, Deliver))
                {
                    case ChannelRead.HandshakeFailed:
                        Fail(connection, channel.HandshakeFailure!);
                        return;
                    case ChannelRead.Ended when !connection.IsClosed:
                        Close(connection, notify: false);
                        connection.Logic.Ended(connection);
                        return;
                }
                if (connection.Phase == ClientPhase.Handshaking && channel.IsOpen)
                {
                    Open(connection);
                }
            }
            if (!connection.IsClosed)
            {
                Flush(connection);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            Fail(connection, ex);
        }
    }

    // Static, so a read allocates no delegate.
    private static readonly System.Buffers.ReadOnlySpanAction<byte, ClientConnection> Deliver = (bytes, connection) =>
    {
        if (connection.Phase == ClientPhase.Handshaking && connection.Channel!.IsOpen)
        {
            connection.Loop.Open(connection); // The handshake's last flight and the first plaintext came together.
        }
        if (!connection.IsClosed)
        {
            connection.Logic.Received(connection, bytes);
        }
    };

    private void Open(ClientConnection connection)
    {
        connection.Phase = ClientPhase.Open;
        connection.PhaseDeadline = long.MaxValue;
        connection.Logic.Opened(connection);
    }

    /// <summary>Sends what the socket takes; waits for "writable" only while bytes are left. A failure is reported at the end of the turn.</summary>
    private void Flush(ClientConnection connection)
    {
        if (connection.IsClosed)
        {
            return;
        }
        try
        {
            bool pending = connection.Channel!.Flush();
            _selector.Modify(connection.Key!, pending ? SelectorEvents.Read | SelectorEvents.Write : SelectorEvents.Read);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            if (connection.PendingFailure is null)
            {
                connection.PendingFailure = ex;
                _failed.Add(connection);
            }
        }
    }

    private void Fail(ClientConnection connection, Exception failure)
    {
        ClientPhase phase = connection.Phase;
        Close(connection, notify: false);
        connection.Logic.Failed(connection, phase, failure);
    }

    private void ReportFailures()
    {
        // By index: a logic's reaction may fail another connection at once, reported in this same pass.
        for (int i = 0; i < _failed.Count; i++)
        {
            ClientConnection connection = _failed[i];
            if (!connection.IsClosed)
            {
                Fail(connection, connection.PendingFailure!);
            }
        }
        _failed.Clear();
    }
}
