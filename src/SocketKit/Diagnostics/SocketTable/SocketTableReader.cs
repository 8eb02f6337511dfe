using System.Net.NetworkInformation;

namespace SocketKit.Diagnostics.SocketTable;

/// <summary>Which sockets to list, as netstat's and ss's flags choose them.</summary>
public sealed record SocketTableQuery
{
    /// <summary>Include TCP sockets (-t). When none of Tcp, Udp, Unix is set, all three are listed.</summary>
    public bool Tcp { get; init; }

    /// <summary>Include UDP sockets (-u).</summary>
    public bool Udp { get; init; }

    /// <summary>Include Unix sockets (-x).</summary>
    public bool Unix { get; init; }

    /// <summary>Listening sockets only (-l).</summary>
    public bool ListeningOnly { get; init; }

    /// <summary>Listening and non-listening sockets (-a). Without -a or -l, listeners are left out, as netstat does.</summary>
    public bool All { get; init; }

    /// <summary>Only sockets with this local or remote port; null: any.</summary>
    public int? Port { get; init; }

    /// <summary>Only sockets in this state, compared without case and with '-' and '_' alike (time-wait, TIME_WAIT); null: any.</summary>
    public string? State { get; init; }

    /// <summary>Find each socket's process (-p).</summary>
    public bool Processes { get; init; }

    /// <summary>Only sockets whose local or remote address is this one (an IPv4-mapped IPv6 address counts as its IPv4 address); null: any.</summary>
    public IPAddress? Address { get; init; }

    /// <summary>
    /// Only sockets held by this process: its PID, or its program name (as /proc/PID/comm says it). Setting it reads
    /// the owners as <see cref="Processes"/> does; null: any.
    /// </summary>
    public string? Process { get; init; }

    /// <summary>Ask the kernel for tcp_info (-i): rtt, cwnd, bytes sent and received.</summary>
    public bool Details { get; init; }
}

/// <summary>
/// Lists this machine's sockets: on Linux through netlink sock_diag as ss does, else /proc/net as netstat does,
/// else (other platforms) <see cref="IPGlobalProperties"/>, which has no queues and no processes.
/// </summary>
public static class SocketTableReader
{
    /// <summary>Reads the table, filtered; says where it came from and which columns that source lacks.</summary>
    public static (IReadOnlyList<SocketEntry> Entries, SocketTableSource Source) Read(SocketTableQuery query)
    {
        bool any = !query.Tcp && !query.Udp && !query.Unix;
        bool tcp = any || query.Tcp, udp = any || query.Udp, unix = any || query.Unix;
        List<SocketEntry> entries;
        SocketTableSource source;
        if (OperatingSystem.IsLinux())
        {
            try
            {
                entries = [];
                if (tcp) { entries.AddRange(SockDiag.Inet(true, false, query.Details)); entries.AddRange(SockDiag.Inet(true, true, query.Details)); }
                if (udp) { entries.AddRange(SockDiag.Inet(false, false, false)); entries.AddRange(SockDiag.Inet(false, true, false)); }
                if (unix) { entries.AddRange(SockDiag.Unix()); }
                source = new SocketTableSource("netlink sock_diag", []);
            }
            catch (SocketTableUnavailableException)
            {
                entries = [];
                if (tcp) { entries.AddRange(ProcNetReader.Inet(true, false)); entries.AddRange(ProcNetReader.Inet(true, true)); }
                if (udp) { entries.AddRange(ProcNetReader.Inet(false, false)); entries.AddRange(ProcNetReader.Inet(false, true)); }
                if (unix) { entries.AddRange(ProcNetReader.Unix()); }
                source = new SocketTableSource("/proc/net", query.Details ? ["Send-Q of listeners (shown as 0)", "tcp_info (-i)"] : ["Send-Q of listeners (shown as 0)"]);
            }
            if (query.Processes || query.Process is not null)
            {
                Dictionary<ulong, string> owners = ProcessMap.Read();
                entries = [.. entries.Select(e => e.Inode != 0 && owners.TryGetValue(e.Inode, out string? owner) ? e with { Process = owner } : e)];
            }
        }
        else
        {
            entries = FromGlobalProperties(tcp, udp);
            source = new SocketTableSource("IPGlobalProperties", ["Recv-Q", "Send-Q", "PID/Program name", "Unix sockets", "tcp_info (-i)"]);
        }
        return (entries.Where(e => Matches(e, query)).ToList(), source);
    }

    /// <summary>True when <paramref name="entry"/> passes the query's filters: listening or all, port and state.</summary>
    public static bool Matches(SocketEntry entry, SocketTableQuery query)
    {
        bool listening = entry.State is "LISTEN" or "UNCONN";
        if (query.ListeningOnly && !listening)
        {
            return false;
        }
        if (!query.ListeningOnly && !query.All && listening)
        {
            return false;
        }
        if (query.Port is int port && entry.LocalPort != port && entry.RemotePort != port)
        {
            return false;
        }
        if (query.Address is { } address && !SameAddress(entry.Local, address) && !SameAddress(entry.Remote, address))
        {
            return false;
        }
        if (query.Process is { } process && !HeldBy(entry.Process, process))
        {
            return false;
        }
        return query.State is null || Normalize(entry.State) == Normalize(query.State)
            || (Normalize(query.State) == "ESTAB" && entry.State == "ESTABLISHED");
    }

    /// <summary>Whether the endpoint text (127.0.0.1:65432, [::1]:65432, 0.0.0.0:*) is at <paramref name="address"/>.</summary>
    private static bool SameAddress(string endPoint, IPAddress address)
    {
        int colon = endPoint.LastIndexOf(':');
        if (colon <= 0 || !IPAddress.TryParse(endPoint[..colon].Trim('[', ']'), out IPAddress? at))
        {
            return false;
        }
        static IPAddress Plain(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
        return Plain(at).Equals(Plain(address));
    }

    /// <summary>Whether "PID/name" is the process <paramref name="process"/> names, by PID or by program name.</summary>
    private static bool HeldBy(string? owner, string process)
    {
        if (owner is null)
        {
            return false;
        }
        int slash = owner.IndexOf('/');
        return slash < 0 ? owner == process : owner[..slash] == process || owner[(slash + 1)..] == process;
    }

    private static string Normalize(string state) => state.Replace('-', '_').ToUpperInvariant();

    /// <summary>The state names <see cref="SocketTableQuery.State"/> takes, as ss spells them (any case, - or _).</summary>
    public static IReadOnlyList<string> StateNames { get; } =
        ["established", "estab", "syn-sent", "syn-recv", "fin-wait1", "fin-wait2", "time-wait", "close", "close-wait", "last-ack", "listen", "closing", "unconn", "connected"];

    /// <summary>Whether <paramref name="state"/> names a state a socket can be in; a misspelt one would match nothing, silently.</summary>
    public static bool IsKnownState(string state) => StateNames.Any(n => Normalize(n) == Normalize(state));

    internal static List<SocketEntry> FromGlobalProperties(bool tcp, bool udp)
    {
        IPGlobalProperties properties = IPGlobalProperties.GetIPGlobalProperties();
        var entries = new List<SocketEntry>();
        if (tcp)
        {
            foreach (var l in properties.GetActiveTcpListeners())
            {
                entries.Add(new SocketEntry(l.AddressFamily == AddressFamily.InterNetworkV6 ? "tcp6" : "tcp", "LISTEN", null, null,
                    SocketAddresses.Format(l.Address, l.Port), SocketAddresses.Format(l.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0), 0)
                { LocalPort = l.Port });
            }
            foreach (TcpConnectionInformation c in properties.GetActiveTcpConnections())
            {
                string state = c.State switch
                {
                    TcpState.Established => "ESTABLISHED",
                    TcpState.TimeWait => "TIME_WAIT",
                    TcpState.CloseWait => "CLOSE_WAIT",
                    TcpState.FinWait1 => "FIN_WAIT1",
                    TcpState.FinWait2 => "FIN_WAIT2",
                    TcpState.SynSent => "SYN_SENT",
                    TcpState.SynReceived => "SYN_RECV",
                    TcpState.LastAck => "LAST_ACK",
                    TcpState.Closing => "CLOSING",
                    TcpState.Listen => "LISTEN",
                    _ => c.State.ToString().ToUpperInvariant(),
                };
                if (state == "LISTEN")
                {
                    continue;
                }
                entries.Add(new SocketEntry(c.LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? "tcp6" : "tcp", state, null, null,
                    SocketAddresses.Format(c.LocalEndPoint.Address, c.LocalEndPoint.Port), SocketAddresses.Format(c.RemoteEndPoint.Address, c.RemoteEndPoint.Port), 0)
                { LocalPort = c.LocalEndPoint.Port, RemotePort = c.RemoteEndPoint.Port });
            }
        }
        if (udp)
        {
            foreach (var u in properties.GetActiveUdpListeners())
            {
                entries.Add(new SocketEntry(u.AddressFamily == AddressFamily.InterNetworkV6 ? "udp6" : "udp", "UNCONN", null, null,
                    SocketAddresses.Format(u.Address, u.Port), "*:*", 0)
                { LocalPort = u.Port });
            }
        }
        return entries;
    }
}
