using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SocketKit.Diagnostics.SocketTable;

/// <summary>
/// Reads the kernel's socket tables as ss does: a dump request on an AF_NETLINK / NETLINK_SOCK_DIAG socket
/// (inet_diag for TCP and UDP over IPv4 and IPv6, unix_diag for Unix sockets). Unlike /proc/net/tcp, it
/// gives a listener's backlog as Send-Q. Linux only; the caller falls back to /proc/net when it is refused.
/// </summary>
internal static partial class SockDiag
{
    private const int AfNetlink = 16, SockDgram = 2, SockCloexec = 0x80000, NetlinkSockDiag = 4;
    private const ushort SockDiagByFamily = 20, NlmFRequest = 1, NlmFDump = 0x300;
    private const ushort NlmsgError = 2, NlmsgDone = 3;
    private const int AfInet = 2, AfInet6 = 10, AfUnix = 1;
    private const int IpProtoTcp = 6, IpProtoUdp = 17;
    private const ushort InetDiagInfo = 2;
    private const ushort UnixDiagName = 0, UnixDiagPeer = 2, UnixDiagRqlen = 4;

    private static readonly string[] TcpStates =
        ["UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"];

    /// <summary>The kernel's TCP state names, by number, as netstat prints them.</summary>
    internal static string TcpStateName(int state) => state >= 0 && state < TcpStates.Length ? TcpStates[state] : $"UNKNOWN({state})";

    /// <summary>Lists TCP or UDP sockets of one address family; with <paramref name="details"/>, asks for tcp_info too.</summary>
    public static List<SocketEntry> Inet(bool tcp, bool ipv6, bool details)
    {
        byte[] request = new byte[16 + 56];
        WriteHeader(request);
        request[16] = (byte)(ipv6 ? AfInet6 : AfInet);
        request[17] = (byte)(tcp ? IpProtoTcp : IpProtoUdp);
        request[18] = (byte)(details && tcp ? 1 << (InetDiagInfo - 1) : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(20), uint.MaxValue); // every state
        var entries = new List<SocketEntry>();
        Dump(request, payload => entries.Add(ParseInet(payload, tcp)));
        return entries;
    }

    /// <summary>Lists Unix sockets.</summary>
    public static List<SocketEntry> Unix()
    {
        byte[] request = new byte[16 + 24];
        WriteHeader(request);
        request[16] = AfUnix;
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(20), uint.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(28), 0x1 | 0x4 | 0x10); // name, peer, queue lengths
        var entries = new List<SocketEntry>();
        Dump(request, payload => entries.Add(ParseUnix(payload)));
        return entries;
    }

    private static void WriteHeader(byte[] request)
    {
        Span<byte> h = request;
        BinaryPrimitives.WriteUInt32LittleEndian(h, (uint)request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], SockDiagByFamily);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], NlmFRequest | NlmFDump);
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], 1);
    }

    private static SocketEntry ParseInet(ReadOnlySpan<byte> p, bool tcp)
    {
        bool v6 = p[0] == AfInet6;
        int state = p[1];
        int sport = BinaryPrimitives.ReadUInt16BigEndian(p[4..]);
        int dport = BinaryPrimitives.ReadUInt16BigEndian(p[6..]);
        var src = new IPAddress(p.Slice(8, v6 ? 16 : 4));
        var dst = new IPAddress(p.Slice(24, v6 ? 16 : 4));
        uint rqueue = BinaryPrimitives.ReadUInt32LittleEndian(p[56..]);
        uint wqueue = BinaryPrimitives.ReadUInt32LittleEndian(p[60..]);
        uint inode = BinaryPrimitives.ReadUInt32LittleEndian(p[68..]);
        TcpDetails? details = null;
        foreach (var (type, data) in Attributes(p[72..]))
        {
            if (type == InetDiagInfo && tcp)
            {
                details = ParseTcpInfo(data);
            }
        }
        string stateName = tcp ? TcpStateName(state) : state == 1 ? "ESTABLISHED" : "UNCONN";
        return new SocketEntry((tcp ? "tcp" : "udp") + (v6 ? "6" : ""), stateName, rqueue, wqueue,
            SocketAddresses.Format(src, sport), SocketAddresses.Format(dst, dport), inode)
        { LocalPort = sport, RemotePort = dport, Details = details };
    }

    private static TcpDetails? ParseTcpInfo(ReadOnlySpan<byte> info)
    {
        // Offsets of struct tcp_info (linux/tcp.h); fields appended by later kernels are read only when present.
        if (info.Length < 136)
        {
            return null;
        }
        uint mss = BinaryPrimitives.ReadUInt32LittleEndian(info[16..]);
        uint rtt = BinaryPrimitives.ReadUInt32LittleEndian(info[68..]);
        uint rttvar = BinaryPrimitives.ReadUInt32LittleEndian(info[72..]);
        uint cwnd = BinaryPrimitives.ReadUInt32LittleEndian(info[80..]);
        ulong acked = BinaryPrimitives.ReadUInt64LittleEndian(info[120..]);
        ulong received = BinaryPrimitives.ReadUInt64LittleEndian(info[128..]);
        ulong? sent = info.Length >= 208 ? BinaryPrimitives.ReadUInt64LittleEndian(info[200..]) : null;
        return new TcpDetails(rtt / 1000.0, rttvar / 1000.0, cwnd, sent, acked, received, mss);
    }

    private static SocketEntry ParseUnix(ReadOnlySpan<byte> p)
    {
        int type = p[1];
        int state = p[2];
        uint inode = BinaryPrimitives.ReadUInt32LittleEndian(p[4..]);
        string name = "*";
        uint peer = 0;
        long? rq = null, wq = null;
        foreach (var (attr, data) in Attributes(p[16..]))
        {
            switch (attr)
            {
                case UnixDiagName when data.Length > 0:
                    // An abstract name starts with a NUL; ss shows it as '@'.
                    name = data[0] == 0 ? "@" + System.Text.Encoding.UTF8.GetString(data[1..]) : System.Text.Encoding.UTF8.GetString(data).TrimEnd('\0');
                    break;
                case UnixDiagPeer when data.Length >= 4:
                    peer = BinaryPrimitives.ReadUInt32LittleEndian(data);
                    break;
                case UnixDiagRqlen when data.Length >= 8:
                    rq = BinaryPrimitives.ReadUInt32LittleEndian(data);
                    wq = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
                    break;
            }
        }
        string kind = type switch { 1 => "str", 2 => "dgr", 5 => "seq", _ => type.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        string stateName = state switch { 10 => "LISTEN", 1 => "CONNECTED", 7 => "UNCONN", _ => TcpStateName(state) };
        return new SocketEntry("unix_" + kind, stateName, rq, wq, $"{name} {inode}", peer == 0 ? "* 0" : $"* {peer}", inode);
    }

    private static IEnumerable<(ushort Type, byte[] Data)> Attributes(ReadOnlySpan<byte> span)
    {
        var list = new List<(ushort, byte[])>();
        while (span.Length >= 4)
        {
            int len = BinaryPrimitives.ReadUInt16LittleEndian(span);
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(span[2..]);
            if (len < 4 || len > span.Length)
            {
                break;
            }
            list.Add((type, span[4..len].ToArray()));
            int aligned = (len + 3) & ~3;
            span = aligned >= span.Length ? [] : span[aligned..];
        }
        return list;
    }

    private delegate void PayloadHandler(ReadOnlySpan<byte> payload);

    private static unsafe void Dump(byte[] request, PayloadHandler onPayload)
    {
        int fd = socket(AfNetlink, SockDgram | SockCloexec, NetlinkSockDiag);
        if (fd < 0)
        {
            throw new SocketTableUnavailableException($"netlink sock_diag refused (errno {Marshal.GetLastPInvokeError()})");
        }
        try
        {
            // A dump answers at once; the timeout only guards against a kernel that never does.
            long* timeout = stackalloc long[2] { 5, 0 };
            setsockopt(fd, 1 /* SOL_SOCKET */, 20 /* SO_RCVTIMEO */, timeout, 16);
            fixed (byte* r = request)
            {
                if (send(fd, r, request.Length, 0) < 0)
                {
                    throw new SocketTableUnavailableException($"netlink sock_diag send failed (errno {Marshal.GetLastPInvokeError()})");
                }
            }
            byte[] buffer = new byte[64 * 1024];
            while (true)
            {
                nint n;
                fixed (byte* b = buffer)
                {
                    n = recv(fd, b, buffer.Length, 0);
                }
                if (n <= 0)
                {
                    throw new SocketTableUnavailableException($"netlink sock_diag receive failed (errno {Marshal.GetLastPInvokeError()})");
                }
                ReadOnlySpan<byte> chunk = buffer.AsSpan(0, (int)n);
                while (chunk.Length >= 16)
                {
                    int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(chunk);
                    ushort type = BinaryPrimitives.ReadUInt16LittleEndian(chunk[4..]);
                    if (len < 16 || len > chunk.Length)
                    {
                        break;
                    }
                    if (type == NlmsgDone)
                    {
                        return;
                    }
                    if (type == NlmsgError)
                    {
                        int errno = -BinaryPrimitives.ReadInt32LittleEndian(chunk[16..]);
                        throw new SocketTableUnavailableException($"netlink sock_diag answered errno {errno}");
                    }
                    onPayload(chunk[16..len]);
                    int aligned = (len + 3) & ~3;
                    chunk = aligned >= chunk.Length ? [] : chunk[aligned..];
                }
            }
        }
        finally
        {
            close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static unsafe partial int setsockopt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static unsafe partial nint send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static unsafe partial nint recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int close(int fd);
}

/// <summary>The platform refused a way of reading the socket table; the reader tries the next one.</summary>
public sealed class SocketTableUnavailableException(string message) : Exception(message);
