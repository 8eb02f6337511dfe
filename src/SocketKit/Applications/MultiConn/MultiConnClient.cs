using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Diagnostics;
using SocketKit.Logging;
using SocketKit.Transport;

namespace SocketKit.Applications.MultiConn;

/// <summary>
/// The tutorial's multiconn-client: N non-blocking connections on one readiness loop, each sending the
/// tutorial's two messages and closing once all its bytes have come back.
/// </summary>
public static class MultiConnClient
{
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
    }

    /// <summary>Runs <paramref name="connections"/> connections to the endpoint until each is done or the timeout passes.</summary>
    /// <exception cref="NetworkException">The host does not resolve.</exception>
    public static async Task<IReadOnlyList<MultiConnResult>> RunAsync(string host, int port, int connections, IReadOnlyList<byte[]>? messages = null,
        ClientOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connections, 1);
        EndPoint endPoint = await EndPoints.ResolveListenAsync(host, port, cancellationToken);
        return Run(endPoint, connections, messages ?? DefaultMessages, options ?? new ClientOptions(), logger ?? NullLogger.Instance, cancellationToken);
    }

    private static List<MultiConnResult> Run(EndPoint endPoint, int connections, IReadOnlyList<byte[]> messages, ClientOptions options, ILogger logger, CancellationToken cancellationToken)
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
                var state = new State(id, socket, messages);
                all.Add(state);
                try
                {
                    socket.Connect(endPoint); // connect_ex: in progress, finished when writable.
                    state.Connected = true;
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

            var deadline = DateTime.UtcNow + options.ConnectTimeout + options.Timeout;
            while (selector.Count > 0)
            {
                TimeSpan left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
                {
                    foreach (SelectorKey<State> key in selector.Keys.ToList())
                    {
                        key.Data.Error = cancellationToken.IsCancellationRequested ? "cancelled" : $"timed out after {Durations.Format(options.ConnectTimeout + options.Timeout)}";
                        Close(selector, key.Data, remote, logger);
                    }
                    break;
                }
                foreach ((SelectorKey<State> key, SelectorEvents mask) in selector.Select(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1)).ToList())
                {
                    Service(selector, key.Data, mask, buffer, remote, logger);
                }
            }
        }
        finally
        {
            foreach (State state in all)
            {
                state.Socket.Dispose();
            }
        }
        return [.. all.Select(s => new MultiConnResult(s.Id, s.Sent, [.. s.Received],
            s.Error ?? (s.Received.Count == s.Sent.Length ? null : $"the server closed after echoing {s.Received.Count} of {s.Sent.Length} bytes")))];
    }

    private static void Service(Selector<State> selector, State state, SelectorEvents mask, byte[] buffer, string remote, ILogger logger)
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
                state.Connected = true;
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
                        Log.ReceivedFrom(logger, state.Id, PythonBytes.Repr(buffer.AsSpan(0, n)));
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
                    Log.SendingTo(logger, state.Id, PythonBytes.Repr(state.Outgoing.Span));
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

    private static void Close(Selector<State> selector, State state, string remote, ILogger logger)
    {
        Log.Closing(logger, state.Id, remote, state.Error ?? "all bytes echoed");
        selector.Unregister(state.Socket);
        state.Socket.Dispose();
    }
}
