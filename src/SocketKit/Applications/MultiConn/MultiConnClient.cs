using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Logging;
using SocketKit.Protocol.Python;
using SocketKit.Transport.Errors;
using SocketKit.Transport.Listening;
using SocketKit.Transport.Readiness;
using SocketKit.Transport.Settings;
using SocketKit.Transport.Tls;

namespace SocketKit.Applications.MultiConn;

/// <summary>
/// The tutorial's multiconn-client: N non-blocking connections on one readiness loop, each sending the
/// tutorial's two messages and closing once all its bytes have come back. With TLS each connection has a
/// <see cref="TlsPump"/>: the loop still only reads and writes what the sockets are ready for, as the tutorial's
/// code would with non-blocking ssl sockets, and stays on one thread.
/// </summary>
public static class MultiConnClient
{
    /// <summary>The error of a connection closed because the run was cancelled (Ctrl+C).</summary>
    public const string Interrupted = "interrupted";

    /// <summary>The longest the loop sleeps: how soon it sees a cancellation or a stalled handshake.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(100);

    /// <summary>The tutorial's messages.</summary>
    public static IReadOnlyList<byte[]> DefaultMessages { get; } = ["Message 1 from client."u8.ToArray(), "Message 2 from client."u8.ToArray()];

    private sealed class State(int id, Socket socket, IReadOnlyList<byte[]> messages)
    {
        public int Id { get; } = id;
        public Socket Socket { get; } = socket;
        public Queue<byte[]> ToSend { get; } = new(messages);
        public byte[] Sent { get; } = [.. messages.SelectMany(m => m)];
        public List<byte> Received { get; } = [];
        public ReadOnlyMemory<byte> Outgoing { get; set; }
        public bool Connected { get; set; }
        public string? Error { get; set; }
        public TlsRefusal? TlsRefusal { get; set; }
        public TlsPump? Tls { get; init; }
        /// <summary>With TLS, when the handshake must be done by; set once the connect has finished.</summary>
        public TimeSpan HandshakeDeadline { get; set; } = TimeSpan.MaxValue;

        /// <summary>True once -v's line about the handshake was written.</summary>
        public bool TlsLogged { get; set; }
        /// <summary>With TLS, the first bytes the server sent: they tell a plain server from a TLS one when the handshake fails.</summary>
        public byte[] FirstReceived { get; set; } = [];
        /// <summary>When the connect must have finished, then (once connected) the whole exchange.</summary>
        public TimeSpan Deadline { get; set; } = TimeSpan.MaxValue;
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
                var state = new State(id, socket, messages) { Tls = options.Tls is { } tls ? TlsPump.ForClient(tls, host) : null, Deadline = Now + options.ConnectTimeout };
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
                    Log.Closing(logger, id, remote, state.Error);
                    continue;
                }
                selector.Register(socket, SelectorEvents.Read | SelectorEvents.Write, state);
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
                // Each connection has its own deadline: the connect timeout until connected, then the exchange's.
                TimeSpan now = Now;
                foreach (SelectorKey<State> key in selector.Keys.Where(k => now >= k.Data.Deadline).ToList())
                {
                    key.Data.Error = key.Data.Connected
                        ? $"timed out after {Durations.Format(options.Timeout)} waiting for the echo from {remote}"
                        : NetworkException.Timeout("connect to", remote, options.ConnectTimeout).Message;
                    Close(selector, key.Data, remote, logger);
                }
                if (selector.Count == 0)
                {
                    break;
                }
                TimeSpan left = selector.Keys.Min(k => k.Data.Deadline) - now;
                foreach ((SelectorKey<State> key, SelectorEvents mask) in selector.Select(left < MaxWait ? left : MaxWait).ToList())
                {
                    Service(selector, key.Data, mask, buffer, remote, options, logger);
                }
                // Select wakes at least every MaxWait, so a handshake that stalls, or Ctrl+C, is seen within that.
                if (options.Tls is not null)
                {
                    now = Now;
                    foreach (SelectorKey<State> key in selector.Keys.Where(k => k.Data.Tls is { IsHandshaking: true } && now >= k.Data.HandshakeDeadline).ToList())
                    {
                        key.Data.Error = NetworkException.Timeout("TLS handshake with", remote, options.HandshakeTimeout).Message;
                        Close(selector, key.Data, remote, logger);
                    }
                }
            }
        }
        finally
        {
            foreach (State state in all)
            {
                state.Socket.Dispose();
                state.Tls?.Dispose();
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
        if (state.Tls is not null)
        {
            state.HandshakeDeadline = Now + options.HandshakeTimeout;
            state.Deadline += options.HandshakeTimeout;
        }
    }

    private static void Service(Selector<State> selector, State state, SelectorEvents mask, byte[] buffer, string remote, ClientOptions options, ILogger logger)
    {
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
            }
            if (state.Tls is { } tls)
            {
                ServiceTls(selector, state, tls, mask, buffer, remote, logger);
                return;
            }
            if ((mask & SelectorEvents.Read) != 0)
            {
                int n = state.Socket.Receive(buffer, 0, buffer.Length, SocketFlags.None, out SocketError error);
                if (error is not (SocketError.Success or SocketError.WouldBlock))
                {
                    throw new SocketException((int)error);
                }
                if (error == SocketError.Success)
                {
                    if (n > 0)
                    {
                        Log.ReceivedFrom(logger, state.Id, PythonBytes.Repr(buffer.AsSpan(0, n), App.ContentPreview.MaxBytes));
                        state.Received.AddRange(buffer.AsSpan(0, n));
                    }
                    if (n == 0 || state.Received.Count >= state.Sent.Length)
                    {
                        Close(selector, state, remote, logger);
                        return;
                    }
                }
            }
            if ((mask & SelectorEvents.Write) != 0)
            {
                if (state.Outgoing.IsEmpty && state.ToSend.Count > 0)
                {
                    state.Outgoing = state.ToSend.Dequeue();
                }
                if (!state.Outgoing.IsEmpty)
                {
                    Log.SendingTo(logger, state.Id, PythonBytes.Repr(state.Outgoing.Span, App.ContentPreview.MaxBytes));
                    int sent = state.Socket.Send(state.Outgoing.Span, SocketFlags.None, out SocketError error);
                    if (error is not (SocketError.Success or SocketError.WouldBlock))
                    {
                        throw new SocketException((int)error);
                    }
                    state.Outgoing = state.Outgoing[sent..];
                }
                if (state.Outgoing.IsEmpty && state.ToSend.Count == 0)
                {
                    // Everything is sent: stop asking for writability, so the loop sleeps until the echo comes.
                    selector.Modify(state.Socket, SelectorEvents.Read);
                }
            }
        }
        catch (SocketException ex)
        {
            state.Error = NetworkException.From(ex, "connection " + state.Id + " to", remote).Message;
            Close(selector, state, remote, logger);
        }
    }

    /// <summary>
    /// The same conversation through the connection's pump: ciphertext in as the socket has it, plaintext out to
    /// <see cref="State.Received"/>; the messages are encrypted once the handshake is done, and records go out as the
    /// socket takes them.
    /// </summary>
    private static void ServiceTls(Selector<State> selector, State state, TlsPump tls, SelectorEvents mask, byte[] buffer, string remote, ILogger logger)
    {
        if ((mask & SelectorEvents.Read) != 0)
        {
            int n = state.Socket.Receive(buffer, 0, buffer.Length, SocketFlags.None, out SocketError error);
            if (error is not (SocketError.Success or SocketError.WouldBlock))
            {
                throw new SocketException((int)error);
            }
            if (error == SocketError.Success)
            {
                if (state.FirstReceived.Length < 16 && n > 0)
                {
                    state.FirstReceived = [.. state.FirstReceived, .. buffer.AsSpan(0, Math.Min(n, 16 - state.FirstReceived.Length))];
                }
                if (n == 0) tls.FeedEnd(); else tls.Feed(buffer.AsSpan(0, n));
                if (tls.HandshakeFailure is { } failure)
                {
                    string? plain = TlsStreams.NotTls(state.FirstReceived, remote);
                    state.Error = plain ?? TlsStreams.DescribeHandshakeFailure(failure, remote);
                    state.TlsRefusal = plain is null ? TlsStreams.HandshakeProblem(failure).Refusal : null;
                    Close(selector, state, remote, logger);
                    return;
                }
                try
                {
                    while (tls.TryRead(out ReadOnlyMemory<byte> plaintext))
                    {
                        Log.ReceivedFrom(logger, state.Id, PythonBytes.Repr(plaintext.Span, App.ContentPreview.MaxBytes));
                        state.Received.AddRange(plaintext.Span);
                    }
                }
                catch (IOException ex)
                {
                    state.Error = $"connection {state.Id} to {remote} failed: {ex.Message.TrimEnd('.')}";
                    Close(selector, state, remote, logger);
                    return;
                }
                if (n == 0 || tls.PeerClosed || state.Received.Count >= state.Sent.Length)
                {
                    Close(selector, state, remote, logger);
                    return;
                }
            }
        }
        if (tls.IsAuthenticated)
        {
            if (!state.TlsLogged)
            {
                state.TlsLogged = true;
                tls.LogEstablished(logger, remote);
            }
            while (state.ToSend.TryDequeue(out byte[]? message))
            {
                Log.SendingTo(logger, state.Id, PythonBytes.Repr(message, App.ContentPreview.MaxBytes));
                tls.Write(message);
            }
        }
        if (tls.OutgoingCount > 0)
        {
            int sent = state.Socket.Send(tls.Outgoing, SocketFlags.None, out SocketError error);
            if (error is not (SocketError.Success or SocketError.WouldBlock))
            {
                throw new SocketException((int)error);
            }
            tls.Consume(sent);
        }
        // Writable matters only while records wait; otherwise the loop sleeps until the server's records come.
        selector.Modify(state.Socket, tls.OutgoingCount > 0 ? SelectorEvents.Read | SelectorEvents.Write : SelectorEvents.Read);
    }

    private static void Close(Selector<State> selector, State state, string remote, ILogger logger)
    {
        Log.Closing(logger, state.Id, remote, state.Error ?? "all bytes echoed");
        selector.Unregister(state.Socket);
        if (state.Error is null && state.Tls is { IsAuthenticated: true } tls)
        {
            // close_notify, sent if the socket takes it now: the server learns the end was meant, not a cut.
            tls.Close();
            state.Socket.Send(tls.Outgoing, SocketFlags.None, out _);
        }
        state.Socket.Dispose();
    }
}
