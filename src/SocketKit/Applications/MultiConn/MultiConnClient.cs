using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Logging;
using SocketKit.Protocol.Python;
using SocketKit.Transport.Connections;
using SocketKit.Transport.Errors;
using SocketKit.Transport.Listening;
using SocketKit.Transport.Readiness;
using SocketKit.Transport.Settings;
using SocketKit.Transport.Tls;

namespace SocketKit.Applications.MultiConn;

/// <summary>
/// The tutorial's multiconn-client: N non-blocking connections on one readiness loop, each sending the
/// tutorial's two messages and closing once all its bytes have come back. Each connection's bytes go through a
/// <see cref="ClientChannel"/>, with TLS through the same <see cref="TlsPump"/> a server's connections use: the loop
/// still only reads and writes what the sockets are ready for, as the tutorial's code would with non-blocking ssl
/// sockets, and stays on one thread. Its deadlines are a min-heap, so a turn of the loop looks at the first only.
/// </summary>
public static class MultiConnClient
{
    /// <summary>The error of a connection closed because the run was cancelled (Ctrl+C).</summary>
    public const string Interrupted = "interrupted";

    /// <summary>The longest the loop sleeps: how soon it sees a cancellation or a stalled handshake.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(100);

    /// <summary>The tutorial's messages.</summary>
    public static IReadOnlyList<byte[]> DefaultMessages { get; } = ["Message 1 from client."u8.ToArray(), "Message 2 from client."u8.ToArray()];

    private sealed class State(int id, ClientChannel channel, IReadOnlyList<byte[]> messages)
    {
        public int Id { get; } = id;
        public ClientChannel Channel { get; } = channel;
        public Socket Socket => Channel.Socket;
        public Queue<byte[]> ToSend { get; } = new(messages);
        public byte[] Sent { get; } = [.. messages.SelectMany(m => m)];
        public List<byte> Received { get; } = [];
        public bool Connected { get; set; }
        public bool Closed { get; set; }
        public string? Error { get; set; }
        public TlsRefusal? TlsRefusal { get; set; }
        /// <summary>With TLS, when the handshake must be done by; set once the connect has finished.</summary>
        public TimeSpan HandshakeDeadline { get; set; } = TimeSpan.MaxValue;
        /// <summary>True once -v's line about the handshake was written.</summary>
        public bool TlsLogged { get; set; }
        /// <summary>When the connect must have finished, then (once connected) the whole exchange.</summary>
        public TimeSpan Deadline { get; set; } = TimeSpan.MaxValue;
        /// <summary>The first of its deadlines still to watch: the handshake's while it runs, else the connection's.</summary>
        public TimeSpan NextDeadline => Channel.IsHandshaking && HandshakeDeadline < Deadline ? HandshakeDeadline : Deadline;
    }

    /// <summary>
    /// The connections in order of their next deadline, a min-heap: the loop looks only at the first, however many
    /// connections there are. A connection whose deadline moved stays in it at the old one too, and is put back at
    /// its current one when that old entry comes up.
    /// </summary>
    private sealed class Deadlines
    {
        private readonly PriorityQueue<State, TimeSpan> _heap = new();

        public void Watch(State state) => _heap.Enqueue(state, state.NextDeadline);

        /// <summary>How long until the first deadline, at most <paramref name="max"/>.</summary>
        public TimeSpan Wait(TimeSpan now, TimeSpan max)
        {
            while (_heap.TryPeek(out State? first, out TimeSpan due))
            {
                if (first.Closed || due != first.NextDeadline)
                {
                    _heap.Dequeue();
                    if (!first.Closed)
                    {
                        Watch(first);
                    }
                    continue;
                }
                TimeSpan left = due - now;
                return left < TimeSpan.Zero ? TimeSpan.Zero : left < max ? left : max;
            }
            return max;
        }

        /// <summary>The next open connection whose deadline has passed, taken out; false when there is none.</summary>
        public bool TryTakeDue(TimeSpan now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out State? due)
        {
            while (_heap.TryPeek(out State? first, out TimeSpan at) && at <= now)
            {
                _heap.Dequeue();
                if (first.Closed)
                {
                    continue;
                }
                if (at != first.NextDeadline)
                {
                    Watch(first);
                    continue;
                }
                due = first;
                return true;
            }
            due = null;
            return false;
        }
    }

    /// <summary>
    /// The most connections one run can open: the process's descriptor limit, raised to its hard limit on first use,
    /// less those open then and a reserve (64) for the runtime.
    /// </summary>
    public static int MaxConnections => LazyMaxConnections.Value;

    private static readonly Lazy<int> LazyMaxConnections = new(() => DescriptorLimit.Raise() is { } limit ? DescriptorLimit.MaxConnectionsUnder(limit) : int.MaxValue);

    /// <summary>Runs <paramref name="connections"/> connections to the endpoint until each is done or the timeout passes.</summary>
    /// <exception cref="NetworkException">The host does not resolve.</exception>
    public static async Task<IReadOnlyList<MultiConnResult>> RunAsync(string host, int port, int connections, IReadOnlyList<byte[]>? messages = null,
        ClientOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connections, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(connections, MaxConnections);
        EndPoint endPoint = await EndPoints.ResolveListenAsync(host, port, cancellationToken);
        return Run(host, endPoint, connections, messages ?? DefaultMessages, options ?? new ClientOptions(), logger ?? NullLogger.Instance, cancellationToken);
    }

    private static List<MultiConnResult> Run(string host, EndPoint endPoint, int connections, IReadOnlyList<byte[]> messages, ClientOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        string remote = EndPoints.Format(endPoint);
        using var selector = new Selector<State>();
        var all = new List<State>();
        var deadlines = new Deadlines();
        var ready = new List<(SelectorKey<State> Key, SelectorEvents Mask)>();
        byte[] buffer = new byte[1024];
        try
        {
            for (int id = 1; id <= connections; id++)
            {
                Log.Connecting(logger, id, remote);
                Socket socket = Listeners.CreateStreamSocket(endPoint);
                socket.Blocking = false;
                Listeners.SetNoDelay(socket);
                // With TLS the client's hello is ready at once, and goes out when the connect has finished.
                var channel = new ClientChannel(socket, options.Tls is { } tls ? TlsPump.ForClient(tls, host) : null);
                var state = new State(id, channel, messages) { Deadline = Now + options.ConnectTimeout };
                all.Add(state);
                try
                {
                    socket.Connect(endPoint); // connect_ex: in progress, finished when writable.
                    Connected(state, options);
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                {
                }
                catch (SocketException ex)
                {
                    // Failed at once (a Unix socket path with no file, for one): this connection is done, the others go on.
                    state.Error = NetworkException.FromConnect(ex, endPoint).Message;
                    state.Closed = true;
                    Log.Closing(logger, id, remote, state.Error);
                    continue;
                }
                selector.Register(socket, SelectorEvents.Read | SelectorEvents.Write, state);
                deadlines.Watch(state);
            }

            while (selector.Count > 0)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    foreach (SelectorKey<State> key in selector.Keys.ToList())
                    {
                        key.Data.Error = Interrupted;
                        Close(selector, key.Data, remote, logger);
                    }
                    break;
                }
                // Each connection has its own deadlines: the connect timeout until connected, then the handshake's and the exchange's.
                TimeSpan now = Now;
                while (deadlines.TryTakeDue(now, out State? late))
                {
                    late.Error = !late.Connected ? NetworkException.Timeout("connect to", remote, options.ConnectTimeout).Message
                        : late.Channel.IsHandshaking ? NetworkException.Timeout("TLS handshake with", remote, options.HandshakeTimeout).Message
                        : $"timed out after {Durations.Format(options.Timeout)} waiting for the echo from {remote}";
                    Close(selector, late, remote, logger);
                }
                if (selector.Count == 0)
                {
                    break;
                }
                // Select wakes at least every MaxWait, so Ctrl+C is seen within that.
                ready.Clear();
                ready.AddRange(selector.Select(deadlines.Wait(now, MaxWait)));
                foreach ((SelectorKey<State> key, SelectorEvents mask) in ready)
                {
                    if (!key.Data.Closed)
                    {
                        Service(selector, key.Data, mask, buffer, remote, options, logger, deadlines);
                    }
                }
            }
        }
        finally
        {
            foreach (State state in all)
            {
                state.Channel.Dispose();
            }
        }
        return [.. all.Select(s => new MultiConnResult(s.Id, s.Sent, [.. s.Received],
            s.Error ?? (s.Received.Count == s.Sent.Length ? null : $"the server closed after echoing {s.Received.Count} of {s.Sent.Length} bytes")) { TlsRefusal = s.TlsRefusal })];
    }

    /// <summary>The deadlines' clock: monotonic, so a change of the wall clock neither fires nor holds off a timeout.</summary>
    private static TimeSpan Now => Stopwatch.GetElapsedTime(0);

    private static void Connected(State state, ClientOptions options)
    {
        state.Connected = true;
        state.Deadline = Now + options.Timeout;
        if (state.Channel.Tls is not null)
        {
            state.HandshakeDeadline = Now + options.HandshakeTimeout;
            state.Deadline += options.HandshakeTimeout;
        }
    }

    /// <summary>
    /// One connection's turn: the bytes the socket has go through its channel (decrypted with TLS) to
    /// <see cref="State.Received"/>; once the channel is open the messages are written to it, and it sends what the
    /// socket takes. Plain TCP and TLS differ only inside the channel.
    /// </summary>
    private static void Service(Selector<State> selector, State state, SelectorEvents mask, byte[] buffer, string remote, ClientOptions options, ILogger logger, Deadlines deadlines)
    {
        ClientChannel channel = state.Channel;
        try
        {
            if (!state.Connected)
            {
                var error = (SocketError)(int)state.Socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                if (error != SocketError.Success)
                {
                    throw new SocketException((int)error);
                }
                Connected(state, options);
                deadlines.Watch(state);
            }
            if ((mask & SelectorEvents.Read) != 0)
            {
                switch (channel.Receive(buffer, (state, logger), Received))
                {
                    case ChannelRead.HandshakeFailed:
                        string? plain = TlsStreams.NotTls(channel.FirstReceived.ToArray(), remote);
                        state.Error = plain ?? TlsStreams.DescribeHandshakeFailure(channel.HandshakeFailure!, remote);
                        state.TlsRefusal = plain is null ? TlsStreams.HandshakeProblem(channel.HandshakeFailure!).Refusal : null;
                        Close(selector, state, remote, logger);
                        return;
                    case ChannelRead.Ended:
                        Close(selector, state, remote, logger);
                        return;
                }
                if (state.Received.Count >= state.Sent.Length)
                {
                    Close(selector, state, remote, logger);
                    return;
                }
            }
            if (channel.IsOpen)
            {
                if (channel.Tls is { } pump && !state.TlsLogged)
                {
                    state.TlsLogged = true;
                    pump.LogEstablished(logger, remote);
                }
                while (state.ToSend.TryDequeue(out byte[]? message))
                {
                    Log.SendingTo(logger, state.Id, PythonBytes.Repr(message, App.ContentPreview.MaxBytes));
                    channel.Write(message);
                }
            }
            // Writable matters only while bytes wait; otherwise the loop sleeps until the server's bytes come.
            selector.Modify(state.Socket, channel.Flush() ? SelectorEvents.Read | SelectorEvents.Write : SelectorEvents.Read);
        }
        catch (SocketException ex)
        {
            state.Error = NetworkException.From(ex, "connection " + state.Id + " to", remote).Message;
            Close(selector, state, remote, logger);
        }
        catch (IOException ex)
        {
            state.Error = $"connection {state.Id} to {remote} failed: {ex.Message.TrimEnd('.')}";
            Close(selector, state, remote, logger);
        }
    }

    private static void Received(ReadOnlySpan<byte> bytes, (State State, ILogger Logger) to)
    {
        Log.ReceivedFrom(to.Logger, to.State.Id, PythonBytes.Repr(bytes, App.ContentPreview.MaxBytes));
        to.State.Received.AddRange(bytes);
    }

    private static void Close(Selector<State> selector, State state, string remote, ILogger logger)
    {
        Log.Closing(logger, state.Id, remote, state.Error ?? "all bytes echoed");
        state.Closed = true;
        selector.Unregister(state.Socket);
        if (state.Error is null)
        {
            state.Channel.Close();
        }
        state.Socket.Dispose();
    }
}
