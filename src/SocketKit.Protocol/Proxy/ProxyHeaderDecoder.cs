using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace SocketKit.Protocol.Proxy;

/// <summary>
/// Reads the PROXY protocol header (v1 text or v2 binary, as HAProxy's proxy-protocol.txt specifies) that a load
/// balancer sends before the client's bytes. Fed bytes in any split, it consumes nothing until the header is whole,
/// then consumes exactly the header and leaves the client's bytes in place. Every verdict is reached at the first
/// byte that decides it: a wrong signature byte, a v2 version, command, family or length, or a v1 line that runs
/// past 107 bytes is refused without waiting for more.
/// </summary>
public sealed class ProxyHeaderDecoder
{
    /// <summary>The longest v1 line the specification allows, CRLF included.</summary>
    public const int MaxV1Bytes = 107;

    /// <summary>The fixed part of a v2 header: signature, version and command, family, length.</summary>
    public const int V2FixedBytes = 16;

    /// <summary>
    /// The default for <see cref="MaxHeaderBytes"/>: 4096 bytes. A v2 header with IPv6 addresses takes 52 bytes; the rest
    /// is room for the TLVs balancers add (cloud balancers' endpoint ids, TLS details), far below the 65,551 the length
    /// field could announce.
    /// </summary>
    public const int DefaultMaxHeaderBytes = 4096;

    private static ReadOnlySpan<byte> V1Signature => "PROXY "u8;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private bool _done;

    /// <summary>Creates a decoder for one connection's header.</summary>
    /// <param name="maxHeaderBytes">The longest v2 header accepted, TLVs included, in bytes (default 4096, at least 16 + 216).</param>
    public ProxyHeaderDecoder(int maxHeaderBytes = DefaultMaxHeaderBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHeaderBytes, V2FixedBytes + 216);
        MaxHeaderBytes = maxHeaderBytes;
    }

    /// <summary>The longest v2 header accepted, in bytes. v1 lines are bounded by the specification's 107.</summary>
    public int MaxHeaderBytes { get; }

    /// <summary>
    /// Decodes the header once it is whole. Returns false, consuming nothing, while more bytes are needed; on true,
    /// <paramref name="data"/> starts at the first byte after the header.
    /// </summary>
    /// <exception cref="ProxyHeaderException">The bytes so far cannot begin a valid header.</exception>
    public bool TryDecode(ref ReadOnlySequence<byte> data, out ProxyHeader header)
    {
        if (_done)
        {
            throw new InvalidOperationException("The PROXY header was already decoded; the rest of the stream is the client's.");
        }
        header = null!;
        Span<byte> head = stackalloc byte[MaxV1Bytes];
        int have = (int)Math.Min(data.Length, MaxV1Bytes);
        data.Slice(0, have).CopyTo(head);
        head = head[..have];
        if (have == 0)
        {
            return false;
        }
        if (head[0] == V1Signature[0])
        {
            CheckPrefix(head, V1Signature);
            if (!TryDecodeV1(head, out header))
            {
                return false;
            }
        }
        else
        {
            CheckPrefix(head, V2Signature);
            if (!TryDecodeV2(data, head, out header))
            {
                return false;
            }
        }
        data = data.Slice(header.HeaderBytes);
        _done = true;
        return true;
    }

    /// <summary>Says whether the connection may end here: only once the header is whole.</summary>
    /// <exception cref="ProxyHeaderException">The peer closed before the header was whole.</exception>
    public void CompleteAtEndOfStream(long unconsumedBytes)
    {
        if (!_done)
        {
            throw new ProxyHeaderException(ProxyHeaderError.Truncated,
                unconsumedBytes == 0
                    ? "the connection closed before a PROXY protocol header"
                    : $"the connection closed after {unconsumedBytes} bytes of a PROXY protocol header");
        }
    }

    private static void CheckPrefix(ReadOnlySpan<byte> head, ReadOnlySpan<byte> signature)
    {
        int n = Math.Min(head.Length, signature.Length);
        for (int i = 0; i < n; i++)
        {
            if (head[i] != signature[i])
            {
                throw new ProxyHeaderException(ProxyHeaderError.MissingSignature,
                    $"the connection does not start with a PROXY protocol header (byte {i} is 0x{head[i]:x2}); a server that requires one must sit behind a load balancer that sends it");
            }
        }
    }

    private static bool TryDecodeV1(ReadOnlySpan<byte> head, out ProxyHeader header)
    {
        header = null!;
        int lf = head.IndexOf((byte)'\n');
        if (lf < 0)
        {
            if (head.Length >= MaxV1Bytes)
            {
                throw new ProxyHeaderException(ProxyHeaderError.HeaderTooLarge, $"the PROXY v1 line has no CRLF within {MaxV1Bytes} bytes");
            }
            return false;
        }
        if (lf == 0 || head[lf - 1] != '\r')
        {
            throw Malformed("the line ends with LF but not CRLF");
        }
        ReadOnlySpan<byte> line = head[V1Signature.Length..(lf - 1)];
        foreach (byte b in line)
        {
            if (b is < 0x20 or > 0x7E)
            {
                throw Malformed($"byte 0x{b:x2} is not printable ASCII");
            }
        }
        string[] fields = Encoding.ASCII.GetString(line).Split(' ');
        int bytes = lf + 1;
        switch (fields[0])
        {
            case "UNKNOWN":
                // The specification tells receivers to ignore whatever follows UNKNOWN.
                header = new ProxyHeader(1, ProxyCommand.Proxy, null, null, bytes);
                return true;
            case "TCP4" or "TCP6":
                if (fields.Length != 5)
                {
                    throw Malformed($"{fields[0]} takes 4 fields separated by single spaces, found {fields.Length - 1}");
                }
                bool v6 = fields[0] == "TCP6";
                IPAddress source = ParseAddress(fields[1], v6);
                IPAddress destination = ParseAddress(fields[2], v6);
                header = new ProxyHeader(1, ProxyCommand.Proxy,
                    new IPEndPoint(source, ParsePort(fields[3])), new IPEndPoint(destination, ParsePort(fields[4])), bytes);
                return true;
            default:
                throw Malformed($"unknown protocol '{fields[0]}' (expected TCP4, TCP6 or UNKNOWN)");
        }
    }

    private static IPAddress ParseAddress(string text, bool v6)
    {
        // IPAddress.TryParse also takes forms the specification excludes ("1", "0x7f.1", zone ids), so check the shape first.
        bool shapeOk = v6
            ? text.Length > 0 && text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
            : text.Count(c => c == '.') == 3 && text.All(c => char.IsAsciiDigit(c) || c == '.');
        if (!shapeOk || !IPAddress.TryParse(text, out IPAddress? address)
            || address.AddressFamily != (v6 ? System.Net.Sockets.AddressFamily.InterNetworkV6 : System.Net.Sockets.AddressFamily.InterNetwork))
        {
            throw Malformed($"'{text}' is not an {(v6 ? "IPv6" : "IPv4")} address");
        }
        return address;
    }

    private static int ParsePort(string text)
    {
        bool digits = text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0');
        int port = digits ? int.Parse(text, CultureInfo.InvariantCulture) : -1;
        if (port is < 0 or > 65535)
        {
            throw Malformed($"'{text}' is not a port (0 to 65535, no leading zeros)");
        }
        return port;
    }

    private static ProxyHeaderException Malformed(string detail) => new(ProxyHeaderError.MalformedV1, $"malformed PROXY v1 header: {detail}");

    private bool TryDecodeV2(ReadOnlySequence<byte> data, ReadOnlySpan<byte> head, out ProxyHeader header)
    {
        header = null!;
        if (head.Length > 12)
        {
            int version = head[12] >> 4;
            if (version != 2)
            {
                throw new ProxyHeaderException(ProxyHeaderError.UnsupportedVersion, $"PROXY v2 signature with version {version}");
            }
            if ((head[12] & 0x0F) > 1)
            {
                throw new ProxyHeaderException(ProxyHeaderError.UnsupportedCommand, $"PROXY v2 command {head[12] & 0x0F} is neither LOCAL (0) nor PROXY (1)");
            }
        }
        bool local = head.Length > 12 && (head[12] & 0x0F) == 0;
        int addressBytes = 0;
        if (head.Length > 13)
        {
            addressBytes = AddressBytes(head[13], local);
        }
        if (head.Length < V2FixedBytes)
        {
            return false;
        }
        int length = BinaryPrimitives.ReadUInt16BigEndian(head[14..16]);
        if (V2FixedBytes + length > MaxHeaderBytes)
        {
            throw new ProxyHeaderException(ProxyHeaderError.HeaderTooLarge,
                $"the PROXY v2 header announces {V2FixedBytes + length} bytes, more than the limit of {MaxHeaderBytes}");
        }
        if (length < addressBytes)
        {
            throw new ProxyHeaderException(ProxyHeaderError.AddressBlockTooShort,
                $"the PROXY v2 header announces {length} bytes of addresses, its family needs {addressBytes}");
        }
        int total = V2FixedBytes + length;
        if (data.Length < total)
        {
            return false;
        }
        if (local || head[13] >> 4 is 0 or 3)
        {
            // LOCAL, UNSPEC and UNIX name no IP client: the connection's own addresses stand. TLVs are skipped.
            header = new ProxyHeader(2, local ? ProxyCommand.Local : ProxyCommand.Proxy, null, null, total);
            return true;
        }
        Span<byte> block = stackalloc byte[36];
        block = block[..addressBytes];
        data.Slice(V2FixedBytes, addressBytes).CopyTo(block);
        int ipBytes = addressBytes == 12 ? 4 : 16;
        var source = new IPAddress(block[..ipBytes]);
        var destination = new IPAddress(block[ipBytes..(2 * ipBytes)]);
        int sourcePort = BinaryPrimitives.ReadUInt16BigEndian(block[(2 * ipBytes)..]);
        int destinationPort = BinaryPrimitives.ReadUInt16BigEndian(block[(2 * ipBytes + 2)..]);
        header = new ProxyHeader(2, ProxyCommand.Proxy, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort), total);
        return true;
    }

    /// <summary>How many address bytes a v2 family byte needs; refuses families a TCP server cannot use.</summary>
    private static int AddressBytes(byte familyAndTransport, bool local)
    {
        int family = familyAndTransport >> 4;
        int transport = familyAndTransport & 0x0F;
        if (local)
        {
            return 0; // LOCAL: the receiver must ignore the family and the addresses.
        }
        return (family, transport) switch
        {
            (0, 0) => 0,
            (1, 1) => 12,
            (2, 1) => 36,
            (3, 1) => 216,
            _ => throw new ProxyHeaderException(ProxyHeaderError.UnsupportedAddressFamily,
                $"PROXY v2 family/transport byte 0x{familyAndTransport:x2} is not TCP over IPv4, IPv6 or UNIX, nor UNSPEC"),
        };
    }
}
