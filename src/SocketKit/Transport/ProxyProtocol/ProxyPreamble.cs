using Microsoft.Extensions.Logging;
using SocketKit.Protocol.Proxy;
using SocketKit.Transport.Connections;

namespace SocketKit.Transport.ProxyProtocol;

/// <summary>
/// The PROXY protocol header read from a connection's raw bytes, before anything else the server reads from it, TLS
/// included: HAProxy (<c>send-proxy</c>, <c>send-proxy-v2</c>) and nginx (<c>proxy_protocol on</c>) send it in plain
/// text ahead of the client's bytes, a TLS ClientHello among them. It keeps the bytes of a header split across reads;
/// once the header is whole it names the client, and the bytes after it are the connection's own.
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
    public ProxyPreamble(ConnectionInfo accepted, ILogger logger, int maxHeaderBytes)
    {
        _accepted = accepted;
        _logger = logger;
        _decoder = new ProxyHeaderDecoder(maxHeaderBytes);
    }

    /// <summary>
    /// Reads <paramref name="received"/> as the header's next bytes. True once the header is whole: <paramref name="client"/>
    /// is the connection as the application sees it and <paramref name="rest"/> the bytes after the header (valid until
    /// this preamble is called again). False while more bytes are needed, or when the header was refused
    /// (<see cref="Refused"/>; logged and counted).
    /// </summary>
    public bool TryRead(ReadOnlyMemory<byte> received, out ConnectionInfo client, out ReadOnlyMemory<byte> rest)
    {
        (client, rest) = (_accepted, ReadOnlyMemory<byte>.Empty);
        if (Refused)
        {
            return false;
        }
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
        try
        {
            if (!_decoder.TryDecode(ref data, out ProxyHeader header))
            {
                if (_carryLength == 0)
                {
                    _carry = received.ToArray(); // Bounded: the decoder refuses a header past its limit at the byte that passes it.
                    _carryLength = _carry.Length;
                }
                return false;
            }
            client = ProxyProtocolHandler.Describe(_accepted, header, _logger);
        }
        catch (ProxyHeaderException ex)
        {
            Refuse(ex);
            return false;
        }
        rest = pending[(int)(pending.Length - data.Length)..];
        return true;
    }

    /// <summary>True once the header was refused: the connection is to be closed without a reply.</summary>
    public bool Refused { get; private set; }

    /// <summary>The stream ended before the header was whole: refused (logged and counted) unless it already was.</summary>
    public void End()
    {
        if (Refused)
        {
            return;
        }
        try
        {
            _decoder.CompleteAtEndOfStream(_carryLength);
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

    private void Refuse(ProxyHeaderException ex)
    {
        Refused = true;
        _carry = [];
        _carryLength = 0;
        ProxyProtocolHandler.Refuse(_accepted, ex, _logger);
    }
}
