using SocketKit.Logging;
using SocketKit.Protocol.Proxy;
using SocketKit.Transport.Connections;

namespace SocketKit.Transport.ProxyProtocol;

/// <summary>
/// The one reader of the PROXY protocol header on a connection, before anything else the server reads from it, TLS
/// included: HAProxy (<c>send-proxy</c>, <c>send-proxy-v2</c>) and nginx (<c>proxy_protocol on</c>) send it in plain
/// text ahead of the client's bytes, a TLS ClientHello among them. Once the header is whole it names the client
/// (logged), and the bytes after it are the connection's own; a header that cannot be valid is refused (logged and
/// counted). Read from raw pieces (<see cref="TryRead(ReadOnlyMemory{byte}, out ConnectionInfo, out ReadOnlyMemory{byte})"/>,
/// which keeps a header split across reads: the <see cref="ProxyHeaderLayer"/>) or from what a handler was given
/// (<see cref="TryRead(ref ReadOnlySequence{byte}, out ConnectionInfo)"/>: the <see cref="ProxyProtocolHandler"/>).
/// </summary>
/// <remarks>Not thread-safe: read by the thread that drives the connection.</remarks>
internal sealed class ProxyPreamble
{
    private readonly ConnectionInfo _accepted;
    private readonly ILogger _logger;
    private readonly ProxyHeaderDecoder _decoder;
    private byte[] _carry = [];
    private int _carryLength;

    /// <param name="accepted">The connection as accepted: its remote end is the load balancer.</param>
    /// <param name="logger">Where relays and refusals are logged.</param>
    /// <param name="maxHeaderBytes">The longest v2 header accepted, in bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxHeaderBytes"/> is below what a v2 header with Unix addresses takes.</exception>
    public ProxyPreamble(ConnectionInfo accepted, ILogger logger, int maxHeaderBytes)
    {
        _accepted = accepted;
        _logger = logger;
        _decoder = new ProxyHeaderDecoder(maxHeaderBytes);
    }

    /// <summary>True once the header was refused: the connection is to be closed without a reply.</summary>
    public bool Refused { get; private set; }

    /// <summary>
    /// Reads <paramref name="received"/> as the header's next bytes, keeping those of a header not yet whole. True once
    /// the header is whole: <paramref name="client"/> is the connection as the application sees it and
    /// <paramref name="rest"/> the bytes after the header (valid until this preamble is called again). False while more
    /// bytes are needed, or when the header was refused (<see cref="Refused"/>).
    /// </summary>
    public bool TryRead(ReadOnlyMemory<byte> received, out ConnectionInfo client, out ReadOnlyMemory<byte> rest)
    {
        rest = ReadOnlyMemory<byte>.Empty;
        ReadOnlyMemory<byte> pending = received;
        if (_carryLength > 0)
        {
            if (_carry.Length < _carryLength + received.Length)
            {
                Array.Resize(ref _carry, Math.Max(_carryLength + received.Length, _carry.Length * 2));
            }
            received.CopyTo(_carry.AsMemory(_carryLength));
            _carryLength += received.Length;
            pending = _carry.AsMemory(0, _carryLength);
        }
        var data = new ReadOnlySequence<byte>(pending);
        if (!TryRead(ref data, out client))
        {
            if (_carryLength == 0 && !Refused)
            {
                _carry = received.ToArray(); // Bounded: the decoder refuses a header past its limit at the byte that passes it.
                _carryLength = _carry.Length;
            }
            return false;
        }
        rest = pending[(int)(pending.Length - data.Length)..];
        return true;
    }

    /// <summary>
    /// Reads the header from the start of <paramref name="data"/>, all the bytes received so far: true once it is whole,
    /// with <paramref name="data"/> what follows it and <paramref name="client"/> the connection as the application sees
    /// it; false (<paramref name="data"/> untouched) while more bytes are needed, or when it was refused
    /// (<see cref="Refused"/>).
    /// </summary>
    public bool TryRead(ref ReadOnlySequence<byte> data, out ConnectionInfo client)
    {
        client = _accepted;
        if (Refused)
        {
            return false;
        }
        try
        {
            if (!_decoder.TryDecode(ref data, out ProxyHeader header))
            {
                return false;
            }
            client = Describe(header);
            return true;
        }
        catch (ProxyHeaderException ex)
        {
            Refuse(ex);
            return false;
        }
    }

    /// <summary>The stream ended before the header was whole, with the bytes kept so far: refused unless it already was.</summary>
    public void End() => End(_carryLength);

    /// <summary>The stream ended before the header was whole, after <paramref name="unreadBytes"/> of it: refused unless it already was.</summary>
    public void End(long unreadBytes)
    {
        if (Refused)
        {
            return;
        }
        try
        {
            _decoder.CompleteAtEndOfStream(unreadBytes);
        }
        catch (ProxyHeaderException ex)
        {
            Refuse(ex);
        }
    }

    /// <summary>The client the header named was refused by the server (its address rules): nothing more is read.</summary>
    public void Drop()
    {
        Refused = true;
        _carry = [];
        _carryLength = 0;
    }

    /// <summary>The connection as the application sees it once <paramref name="header"/> is read (logged): the client's address, or the connection's own when the header names none.</summary>
    private ConnectionInfo Describe(ProxyHeader header)
    {
        if (header.Source is null || header.Destination is null)
        {
            ProxyLog.Unrelayed(_logger, _accepted.Id, _accepted.Remote, header.Version, header.Command == ProxyCommand.Local ? "LOCAL" : "without addresses");
            return _accepted;
        }
        var client = new ConnectionInfo(_accepted.Id, header.Destination, header.Source)
        {
            ProxyEndPoint = _accepted.RemoteEndPoint,
            ServerPort = _accepted.ServerPort,
            OpenedAt = _accepted.OpenedAt,
            Metrics = _accepted.Metrics,
            Connection = _accepted.Connection,
            CertificateSlot = _accepted.CertificateSlot,
            Counts = _accepted.Counts,
        };
        ProxyLog.Relayed(_logger, _accepted.Id, _accepted.Remote, client.Remote, header.Version);
        return client;
    }

    /// <summary>A connection refused for its header: logged, and recorded as a rejection with its reason where the server records its own.</summary>
    private void Refuse(ProxyHeaderException ex)
    {
        Drop();
        ProxyLog.Refused(_logger, _accepted.Id, _accepted.Remote, ex.Error.ToString(), ex.Message);
        _accepted.Metrics.ConnectionRejected(_accepted.ServerPort, "proxy_header");
    }
}
