using System.Buffers.Binary;

namespace SocketKit.Diagnostics;

/// <summary>The Internet checksum (RFC 1071) of IPv4 headers and ICMP messages: the ones' complement of the ones' complement sum of 16-bit words.</summary>
internal static class InternetChecksum
{
    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }
        if (data.Length % 2 == 1)
        {
            sum += (uint)data[^1] << 8; // An odd length is padded with a zero byte.
        }
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }
}
