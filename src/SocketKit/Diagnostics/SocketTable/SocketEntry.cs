namespace SocketKit.Diagnostics.SocketTable;

/// <summary>One socket of this machine, as netstat and ss list it.</summary>
/// <param name="Protocol">"tcp", "tcp6", "udp", "udp6" or "unix".</param>
/// <param name="State">The state as netstat names it: LISTEN, ESTABLISHED, TIME_WAIT, ... (UNCONN for an unconnected UDP socket).</param>
/// <param name="RecvQ">Recv-Q in bytes; for a TCP listener, connections waiting to be accepted (as ss shows it). Null where the source cannot tell.</param>
/// <param name="SendQ">Send-Q in bytes; for a TCP listener, the backlog (as ss shows it). Null where the source cannot tell.</param>
/// <param name="Local">The local address and port (a path for Unix sockets).</param>
/// <param name="Remote">The peer address and port ("*" where none).</param>
/// <param name="Inode">The socket's inode, used to find its process (0 for sockets no process holds).</param>
public sealed record SocketEntry(string Protocol, string State, long? RecvQ, long? SendQ, string Local, string Remote, ulong Inode)
{
    /// <summary>The local port, or -1 for Unix sockets.</summary>
    public int LocalPort { get; init; } = -1;

    /// <summary>The remote port, or -1.</summary>
    public int RemotePort { get; init; } = -1;

    /// <summary>The owning process as "PID/name", when known (needs -p, and privileges to see other users' processes).</summary>
    public string? Process { get; init; }

    /// <summary>TCP internals from the kernel (tcp_info), when asked for with -i and available.</summary>
    public TcpDetails? Details { get; init; }

    /// <summary>True for TCP listeners and unconnected listening Unix sockets.</summary>
    public bool IsListening => State == "LISTEN";
}

/// <summary>What ss -i shows that users ask for, from the kernel's tcp_info.</summary>
/// <param name="RttMilliseconds">Smoothed round-trip time, in milliseconds.</param>
/// <param name="RttVarMilliseconds">Its variation, in milliseconds.</param>
/// <param name="CongestionWindow">The congestion window, in segments.</param>
/// <param name="BytesSent">Bytes sent on the connection (kernel 4.19+; null before).</param>
/// <param name="BytesAcked">Bytes the peer acknowledged.</param>
/// <param name="BytesReceived">Bytes received.</param>
/// <param name="Mss">The send maximum segment size, in bytes.</param>
public sealed record TcpDetails(double RttMilliseconds, double RttVarMilliseconds, uint CongestionWindow, ulong? BytesSent, ulong BytesAcked, ulong BytesReceived, uint Mss);

/// <summary>Where a socket table came from, and which columns it could not give.</summary>
/// <param name="Source">"netlink sock_diag", "/proc/net" or "IPGlobalProperties".</param>
/// <param name="Missing">Columns the source cannot give, empty when complete.</param>
public sealed record SocketTableSource(string Source, IReadOnlyList<string> Missing);
