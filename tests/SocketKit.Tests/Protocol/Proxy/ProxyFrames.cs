using System.Buffers.Binary;
using SocketKit.Protocol.Proxy;

namespace SocketKit.Tests.Protocol.Proxy;

/// <summary>Builds PROXY headers as balancers send them, and feeds a decoder in any split.</summary>
public static class ProxyFrames
{
    public static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static byte[] V1(string line) => Encoding.ASCII.GetBytes(line);

    /// <summary>A v2 header: version 2, the given command and family byte, the address block, then TLVs.</summary>
    public static byte[] V2(int command, byte family, byte[] addresses, byte[]? tlvs = null, int? declaredLength = null)
    {
        tlvs ??= [];
        var bytes = new List<byte>(V2Signature) { (byte)(0x20 | command), family };
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)(declaredLength ?? addresses.Length + tlvs.Length));
        bytes.AddRange(length);
        bytes.AddRange(addresses);
        bytes.AddRange(tlvs);
        return [.. bytes];
    }

    public static byte[] Addresses(IPEndPoint source, IPEndPoint destination)
    {
        var ports = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(ports, (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(ports.AsSpan(2), (ushort)destination.Port);
        return [.. source.Address.GetAddressBytes(), .. destination.Address.GetAddressBytes(), .. ports];
    }

    /// <summary>Delivers <paramref name="bytes"/> in the pieces <paramref name="cuts"/> makes; returns the header and the bytes left after it.</summary>
    public static (ProxyHeader Header, byte[] After) Decode(byte[] bytes, int[] cuts, int maxHeaderBytes = ProxyHeaderDecoder.DefaultMaxHeaderBytes)
    {
        var decoder = new ProxyHeaderDecoder(maxHeaderBytes);
        byte[] pending = [];
        foreach (ArraySegment<byte> piece in Splits.Pieces(bytes, cuts))
        {
            pending = [.. pending, .. piece];
            var data = new ReadOnlySequence<byte>(pending);
            if (decoder.TryDecode(ref data, out ProxyHeader header))
            {
                return (header, [.. data.ToArray(), .. bytes.AsSpan(piece.Offset + piece.Count)]);
            }
            Assert.Equal(pending.Length, data.Length); // nothing is consumed before the header is whole
        }
        decoder.CompleteAtEndOfStream(pending.Length);
        throw new InvalidOperationException("CompleteAtEndOfStream should have thrown");
    }

    /// <summary>
    /// Feeds growing prefixes of <paramref name="bytes"/> to fresh decoders; returns the length of the shortest
    /// prefix that is refused, and the error, so tests can check a verdict comes at the byte that decides it.
    /// </summary>
    public static (int PrefixLength, ProxyHeaderError Error) FirstRefusal(byte[] bytes)
    {
        for (int length = 1; length <= bytes.Length; length++)
        {
            var data = new ReadOnlySequence<byte>(bytes, 0, length);
            try
            {
                if (new ProxyHeaderDecoder().TryDecode(ref data, out _))
                {
                    throw new InvalidOperationException($"a prefix of {length} bytes was accepted");
                }
            }
            catch (ProxyHeaderException ex)
            {
                return (length, ex.Error);
            }
        }
        throw new InvalidOperationException("no prefix was refused");
    }
}
