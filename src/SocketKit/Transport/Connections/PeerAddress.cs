using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SocketKit.Transport.Connections;

/// <summary>
/// An IPv4 or IPv6 address and port as accept(2) or getsockname(2) wrote it, kept in 32 bytes inside the connection's
/// record: the <see cref="IPEndPoint"/> (two objects, 72 bytes) is made only when someone asks for it.
/// </summary>
internal readonly record struct PeerAddress
{
    private readonly ulong _high; // IPv6's first 8 bytes, as they are on the wire.
    private readonly ulong _low;  // IPv6's last 8 bytes; IPv4's address as IPAddress(long) takes it.
    private readonly uint _scope;
    private readonly ushort _port;
    private readonly bool _v6;

    private PeerAddress(ulong high, ulong low, uint scope, ushort port, bool v6) => (_high, _low, _scope, _port, _v6) = (high, low, scope, port, v6);

    /// <summary>Reads a Linux <c>sockaddr_in</c> or <c>sockaddr_in6</c>; false for any other family (a Unix socket's).</summary>
    public static bool TryRead(ReadOnlySpan<byte> sockaddr, out PeerAddress address)
    {
        const ushort AfInet = 2, AfInet6 = 10;
        address = default;
        if (sockaddr.Length < 16)
        {
            return false;
        }
        ushort family = MemoryMarshal.Read<ushort>(sockaddr); // In the host's order, as the address bytes are in the network's.
        ushort port = BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);
        if (family == AfInet)
        {
            address = new PeerAddress(0, MemoryMarshal.Read<uint>(sockaddr[4..]), 0, port, v6: false);
            return true;
        }
        if (family == AfInet6 && sockaddr.Length >= 28)
        {
            address = new PeerAddress(BinaryPrimitives.ReadUInt64LittleEndian(sockaddr[8..]), BinaryPrimitives.ReadUInt64LittleEndian(sockaddr[16..]),
                MemoryMarshal.Read<uint>(sockaddr[24..]), port, v6: true);
            return true;
        }
        return false;
    }

    public IPEndPoint ToEndPoint()
    {
        if (!_v6)
        {
            return new IPEndPoint(new IPAddress((long)(uint)_low), _port);
        }
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, _high);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], _low);
        return new IPEndPoint(new IPAddress(bytes, _scope), _port);
    }
}
