using System.Globalization;
using System.Net;

namespace SocketKit.Cli.Tour;

/// <summary>One row of the kernel's TCP socket table.</summary>
internal sealed record SocketState(IPEndPoint Local, IPEndPoint Remote, string State, long SendQueue, long ReceiveQueue);

/// <summary>
/// The tour's view of the kernel's socket table, read from /proc/net/tcp (Linux) for the tour's own ports.
/// This is the seam to swap for the netstat library (socketkit netstat) once it is in; the tour needs only
/// <see cref="For"/>.
/// </summary>
internal static class SocketStates
{
    private const string Table = "/proc/net/tcp";

    // The kernel's tcp_states.h numbering, named as ss prints them.
    private static readonly string[] Names =
        ["", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSE", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING"];

    /// <summary>True where the table can be read (Linux).</summary>
    public static bool Available => File.Exists(Table);

    /// <summary>The IPv4 sockets whose local or remote port is <paramref name="port"/>, listeners first.</summary>
    public static IReadOnlyList<SocketState> For(int port) =>
        [.. Parse(File.ReadLines(Table)).Where(s => s.Local.Port == port || s.Remote.Port == port)
            .OrderBy(s => s.State == "LISTEN" ? 0 : 1).ThenBy(s => s.Local.Port)];

    /// <summary>Parses the lines of /proc/net/tcp: hex addresses (IPv4 bytes in host order), hex ports, hex state, tx:rx queues.</summary>
    internal static IEnumerable<SocketState> Parse(IEnumerable<string> lines)
    {
        foreach (string line in lines.Skip(1))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 5)
            {
                continue;
            }
            int state = int.Parse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            string[] queues = f[4].Split(':');
            yield return new SocketState(EndPoint(f[1]), EndPoint(f[2]), state < Names.Length ? Names[state] : $"state {state}",
                long.Parse(queues[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                long.Parse(queues[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }
    }

    private static IPEndPoint EndPoint(string hex)
    {
        string[] parts = hex.Split(':');
        uint address = uint.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        // The kernel prints the address's four bytes as one host-order integer; its bytes in memory are the address again.
        byte[] bytes = BitConverter.GetBytes(address);
        return new IPEndPoint(new IPAddress(bytes), int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }

    /// <summary>The rows as ss -tan prints them.</summary>
    public static IEnumerable<string> Format(IReadOnlyList<SocketState> rows)
    {
        yield return $"{"State",-11} {"Recv-Q",6} {"Send-Q",6} {"Local Address:Port",21} {"Peer Address:Port",21}";
        foreach (SocketState s in rows)
        {
            string peer = s.State == "LISTEN" ? "0.0.0.0:*" : s.Remote.ToString();
            yield return $"{s.State,-11} {s.ReceiveQueue,6} {s.SendQueue,6} {s.Local,21} {peer,21}";
        }
    }
}
