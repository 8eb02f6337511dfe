using System.Globalization;

namespace SocketKit.Diagnostics.SocketTable;

/// <summary>
/// Reads /proc/net/tcp, tcp6, udp, udp6 and unix, as net-tools' netstat does: the fallback where netlink is refused.
/// Like netstat, it shows a listener's Send-Q as 0 (the file has no backlog).
/// </summary>
internal static class ProcNetReader
{
    public static List<SocketEntry> Inet(bool tcp, bool ipv6, string root = "/proc/net")
    {
        var entries = new List<SocketEntry>();
        foreach (string[] f in Rows(Path.Combine(root, (tcp ? "tcp" : "udp") + (ipv6 ? "6" : "")), fields: 10))
        {
            var (local, localPort) = ParseAddress(f[1]);
            var (remote, remotePort) = ParseAddress(f[2]);
            int state = int.Parse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            string[] queues = f[4].Split(':');
            long tx = long.Parse(queues[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            long rx = long.Parse(queues[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            string stateName = tcp ? SockDiag.TcpStateName(state) : state == 1 ? "ESTABLISHED" : "UNCONN";
            entries.Add(new SocketEntry((tcp ? "tcp" : "udp") + (ipv6 ? "6" : ""), stateName, rx, tx,
                SocketAddresses.Format(local, localPort), SocketAddresses.Format(remote, remotePort),
                ulong.Parse(f[9], CultureInfo.InvariantCulture))
            { LocalPort = localPort, RemotePort = remotePort });
        }
        return entries;
    }

    public static List<SocketEntry> Unix(string root = "/proc/net")
    {
        var entries = new List<SocketEntry>();
        // Num RefCount Protocol Flags Type St Inode Path
        foreach (string[] f in Rows(Path.Combine(root, "unix"), fields: 7))
        {
            int flags = int.Parse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            int type = int.Parse(f[4], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            int st = int.Parse(f[5], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong inode = ulong.Parse(f[6], CultureInfo.InvariantCulture);
            string path = f.Length > 7 ? f[7] : "*";
            string kind = type switch { 1 => "str", 2 => "dgr", 5 => "seq", _ => type.ToString(CultureInfo.InvariantCulture) };
            // __SO_ACCEPTCON (0x10000) marks a listener; St 3 is SS_CONNECTED.
            string state = (flags & 0x10000) != 0 ? "LISTEN" : st == 3 ? "CONNECTED" : "UNCONN";
            entries.Add(new SocketEntry("unix_" + kind, state, null, null, $"{path} {inode}", "*", inode));
        }
        return entries;
    }

    /// <summary>
    /// The rows of a /proc/net table split into their fields, its header line and rows of fewer than
    /// <paramref name="fields"/> fields left out; none where the kernel has no such table.
    /// </summary>
    private static IEnumerable<string[]> Rows(string file, int fields) =>
        File.Exists(file)
            ? File.ReadLines(file).Skip(1).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= fields)
            : [];

    /// <summary>Parses "0100007F:FF98": each 32-bit word of the address printed in host byte order, then the port.</summary>
    internal static (IPAddress Address, int Port) ParseAddress(string text)
    {
        string[] parts = text.Split(':');
        string hex = parts[0];
        byte[] bytes = new byte[hex.Length / 2];
        for (int word = 0; word < bytes.Length / 4; word++)
        {
            uint value = uint.Parse(hex.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (!BitConverter.IsLittleEndian)
            {
                value = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value);
            }
            BitConverter.TryWriteBytes(bytes.AsSpan(word * 4, 4), value);
        }
        return (new IPAddress(bytes), int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }
}
