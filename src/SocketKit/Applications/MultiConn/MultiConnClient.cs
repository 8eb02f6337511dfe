using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Logging;
using SocketKit.Protocol.Python;
using SocketKit.Transport.Clients;
using SocketKit.Transport.Connections;
using SocketKit.Transport.Settings;
using SocketKit.Transport.Tls;

namespace SocketKit.Applications.MultiConn;

/// <summary>
/// The tutorial's multiconn-client: N non-blocking connections on one readiness loop, each sending the
/// tutorial's two messages and closing once all its bytes have come back. The loop is a <see cref="ClientLoop"/>, the
/// one bench runs too: each connection's bytes go through a <see cref="ClientChannel"/>, with TLS through the same
/// <see cref="TlsPump"/> a server's connections use, and its deadlines (connect, handshake, the exchange) are the
/// loop's min-heap. This type is only what a connection says and expects (<see cref="Echo"/>).
/// </summary>
public static class MultiConnClient
{
    /// <summary>The error of a connection closed because the run was cancelled (Ctrl+C).</summary>
    public const string Interrupted = "interrupted";

    /// <summary>The tutorial's messages.</summary>
    public static IReadOnlyList<byte[]> DefaultMessages { get; } = ["Message 1 from client."u8.ToArray(), "Message 2 from client."u8.ToArray()];

    /// <summary>One connection's part: send the messages once open, gather the echo, close when it is whole.</summary>
    private sealed class Echo(int id, IReadOnlyList<byte[]> messages, ClientOptions options, string remote, ILogger logger) : IClientLogic
    {
        public int Id { get; } = id;
        public byte[] Sent { get; } = [.. messages.SelectMany(m => m)];
        public List<byte> Echoed { get; } = [];
        public string? Error { get; set; }
        public TlsRefusal? TlsRefusal { get; private set; }
        public ClientConnection? Connection { get; set; }

        public void Opened(ClientConnection connection)
        {
            // The exchange's deadline counts from the connect's end, the handshake's time included, as the options say.
            connection.Deadline = ClientLoop.Now + ClientLoop.Ticks(options.Timeout + (connection.Channel!.Tls is null ? TimeSpan.Zero : options.HandshakeTimeout));
            if (connection.Channel.Tls is { } pump)
            {
                pump.LogEstablished(logger, remote);
            }
            foreach (byte[] message in messages)
            {
                Log.SendingTo(logger, Id, PythonBytes.Repr(message, App.ContentPreview.MaxBytes));
                connection.Write(message);
            }
        }

        public void Received(ClientConnection connection, ReadOnlySpan<byte> bytes)
        {
            Log.ReceivedFrom(logger, Id, PythonBytes.Repr(bytes, App.ContentPreview.MaxBytes));
            Echoed.AddRange(bytes);
            if (Echoed.Count >= Sent.Length)
            {
                Close(connection, notify: true);
            }
        }

        public void Ended(ClientConnection connection) => Closed();

        public void Failed(ClientConnection connection, ClientPhase phase, Exception failure)
        {
            ClientChannel? channel = connection.Channel;
            switch (failure)
            {
                case NetworkException atOnce:
                    Error = atOnce.Message; // The connect failed at once (a Unix socket path with no file, for one).
                    break;
                case SocketException socket:
                    Error = NetworkException.From(socket, "connection " + Id + " to", remote).Message;
                    break;
                case IOException io when phase != ClientPhase.Handshaking:
                    Error = $"connection {Id} to {remote} failed: {io.Message.TrimEnd('.')}";
                    break;
                default:
                    NetworkException handshake = channel!.Tls is { } pump
                        ? pump.ClientHandshakeFailed(remote, channel.FirstReceived, failure)
                        : TlsStreams.ClientHandshakeFailed(failure, channel.FirstReceived, remote, seen: null);
                    Error = handshake.Message;
                    TlsRefusal = handshake.TlsRefusal;
                    break;
            }
            Closed();
        }

        public void TimedOut(ClientConnection connection, ClientPhase phase)
        {
            Error = phase switch
            {
                ClientPhase.Connecting => NetworkException.Timeout("connect to", remote, options.ConnectTimeout).Message,
                ClientPhase.Handshaking => NetworkException.Timeout("TLS handshake with", remote, options.HandshakeTimeout).Message,
                _ => $"timed out after {Durations.Format(options.Timeout)} waiting for the echo from {remote}",
            };
            Close(connection, notify: false);
        }

        /// <summary>Closes it (with TLS after an exchange that went well, close_notify first), and says so at Debug.</summary>
        public void Close(ClientConnection connection, bool notify)
        {
            connection.Close(notify);
            Closed();
        }

        private void Closed() => Log.Closing(logger, Id, remote, Error ?? "all bytes echoed");
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
        var all = new List<Echo>(connections);
        using (var loop = new ClientLoop(endPoint, options.Tls, host, options.ConnectTimeout, options.HandshakeTimeout))
        {
            for (int id = 1; id <= connections; id++)
            {
                var echo = new Echo(id, messages, options, loop.Remote, logger);
                all.Add(echo);
                Log.Connecting(logger, id, loop.Remote);
                echo.Connection = loop.Connect(echo);
            }
            loop.Run(() =>
            {
                if (!cancellationToken.IsCancellationRequested)
                {
                    return true;
                }
                foreach (Echo echo in all.Where(e => e.Connection is { IsClosed: false }))
                {
                    echo.Error = Interrupted;
                    echo.Close(echo.Connection!, notify: false);
                }
                return false;
            });
        }
        return [.. all.Select(s => new MultiConnResult(s.Id, s.Sent, [.. s.Echoed],
            s.Error ?? (s.Echoed.Count == s.Sent.Length ? null : $"the server closed after echoing {s.Echoed.Count} of {s.Sent.Length} bytes")) { TlsRefusal = s.TlsRefusal })];
    }
}
