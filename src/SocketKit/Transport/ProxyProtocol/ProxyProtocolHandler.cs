using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Protocol.Proxy;
using SocketKit.Transport.Connections;

namespace SocketKit.Transport.ProxyProtocol;

/// <summary>
/// Reads the PROXY protocol header a load balancer sends first, then hands the rest of the connection to the
/// application's handler, created with a <see cref="ConnectionInfo"/> whose remote end is the client's real
/// address. A connection that does not start with a valid header is refused (closed without a reply): without one,
/// no address on it can be trusted. Wrap a handler factory with <see cref="Require"/>. The header is read through the
/// same reader as <see cref="ServerBuilder.RequireProxyProtocol"/>'s, so both read, log and refuse it alike.
/// </summary>
/// <remarks>
/// A handler reads what is above TLS: behind a balancer that passes TLS through, the header comes before the handshake,
/// so a TLS server reads it with <see cref="ServerBuilder.RequireProxyProtocol"/>, which reads it below TLS. The
/// server's address rules and per-address limit (<see cref="ServerOptions.ClientAddresses"/>) are judged by the engine,
/// which sees the balancer under this wrapper; <see cref="ServerBuilder.RequireProxyProtocol"/> judges the client the
/// header names, and is what the command line and Hosting use.
/// </remarks>
public sealed class ProxyProtocolHandler : IConnectionHandler
{
    private readonly Func<ConnectionInfo, IConnectionHandler> _inner;
    private readonly ProxyPreamble _preamble;
    private IConnectionHandler? _handler;
    private bool _handlerFed;

    /// <summary>Creates the handler for one connection from a load balancer.</summary>
    /// <param name="connection">The connection as accepted: its remote end is the load balancer.</param>
    /// <param name="inner">Creates the application's handler once the client's address is known.</param>
    /// <param name="logger">Where relays and refusals are logged.</param>
    /// <param name="maxHeaderBytes">The longest v2 header accepted, in bytes (default <see cref="ProxyHeaderDecoder.DefaultMaxHeaderBytes"/>).</param>
    public ProxyProtocolHandler(ConnectionInfo connection, Func<ConnectionInfo, IConnectionHandler> inner, ILogger? logger = null,
        int maxHeaderBytes = ProxyHeaderDecoder.DefaultMaxHeaderBytes)
    {
        _inner = inner;
        _preamble = new ProxyPreamble(connection, logger ?? NullLogger.Instance, maxHeaderBytes);
    }

    /// <summary>
    /// Wraps a handler factory so that every connection must start with a PROXY header (v1 or v2).
    /// The header is bounded in size, and timed by the engines' request timeout together with the first request.
    /// </summary>
    public static Func<ConnectionInfo, IConnectionHandler> Require(Func<ConnectionInfo, IConnectionHandler> inner, ILogger? logger = null,
        int maxHeaderBytes = ProxyHeaderDecoder.DefaultMaxHeaderBytes) =>
        connection => new ProxyProtocolHandler(connection, inner, logger, maxHeaderBytes);

    /// <summary>The connection as the application sees it once the header is read: the client's address, the balancer's as <see cref="ConnectionInfo.ProxyEndPoint"/>.</summary>
    public ConnectionInfo? Client { get; private set; }

    /// <inheritdoc />
    public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
    {
        if (_handler is null)
        {
            if (!_preamble.TryRead(ref data, out ConnectionInfo client))
            {
                if (!_preamble.Refused)
                {
                    return NextStep.Receive;
                }
                data = data.Slice(data.End);
                return NextStep.CloseAfterSending;
            }
            _handler = _inner(Client = client);
            if (data.IsEmpty)
            {
                return NextStep.Receive;
            }
        }
        _handlerFed = true;
        return _handler.OnData(ref data, output);
    }

    /// <inheritdoc />
    /// <remarks>
    /// <see cref="ConnectionPhase.Request"/> from the header's first byte until the application's handler has been given
    /// bytes of its own, then the application's phase (so a drain waits for its requests in flight). A balancer sends
    /// the header at once, for a client that may then send nothing: the request timeout, running from the connection's
    /// start, must bound the header and the first request together, not hand over to the longer idle timeout once the
    /// header is read. A refused connection is <see cref="ConnectionPhase.Idle"/>: nothing more is read from it.
    /// </remarks>
    public ConnectionPhase Phase => _handler is not null && _handlerFed ? _handler.Phase
        : _preamble.Refused ? ConnectionPhase.Idle
        : ConnectionPhase.Request;

    /// <inheritdoc />
    public void OnHandlerTimeout(IBufferWriter<byte> output) => _handler?.OnHandlerTimeout(output);

    /// <inheritdoc />
    public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output)
    {
        if (_handler is not null)
        {
            return _handler.OnPeerClosed(unconsumed, output);
        }
        _preamble.End(unconsumed.Length);
        return NextStep.CloseAfterSending;
    }
}
