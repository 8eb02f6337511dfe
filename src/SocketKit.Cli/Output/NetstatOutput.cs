using SocketKit.Diagnostics.SocketTable;

namespace SocketKit.Cli.Output;

/// <summary>The sockets netstat found, and whether their owners were asked for (-p).</summary>
internal sealed record NetstatResult(IReadOnlyList<SocketEntry> Entries, bool Processes);

/// <summary>The table as netstat -an prints it (with -i, ss -i's line of TCP internals under each connection).</summary>
internal sealed class NetstatText : IResultRenderer<NetstatResult>
{
    public string Render(NetstatResult result)
    {
        IReadOnlyList<SocketEntry> entries = result.Entries;
        bool processes = result.Processes;
        int localWidth = Math.Max(23, entries.Select(e => e.Local.Length).DefaultIfEmpty(0).Max());
        int remoteWidth = Math.Max(23, entries.Select(e => e.Remote.Length).DefaultIfEmpty(0).Max());
        int recvWidth = Math.Max(6, entries.Select(e => Queue(e.RecvQ).Length).DefaultIfEmpty(0).Max());
        int sendWidth = Math.Max(6, entries.Select(e => Queue(e.SendQ).Length).DefaultIfEmpty(0).Max());
        var sb = new StringBuilder();
        string header = $"{"Proto",-8} {"Recv-Q".PadLeft(recvWidth)} {"Send-Q".PadLeft(sendWidth)} {"Local Address".PadRight(localWidth)} {"Foreign Address".PadRight(remoteWidth)} {"State",-11}";
        sb.Append(processes ? header + " PID/Program name" : header.TrimEnd()).Append('\n');
        foreach (SocketEntry e in entries)
        {
            string line = string.Create(CultureInfo.InvariantCulture,
                $"{e.Protocol,-8} {Queue(e.RecvQ).PadLeft(recvWidth)} {Queue(e.SendQ).PadLeft(sendWidth)} {e.Local.PadRight(localWidth)} {e.Remote.PadRight(remoteWidth)} {e.State,-11}");
            sb.Append(processes ? $"{line} {e.Process ?? "-"}" : line.TrimEnd()).Append('\n');
            if (e.Details is TcpDetails d && !e.IsListening)
            {
                sb.Append(string.Create(CultureInfo.InvariantCulture,
                    $"\t rtt:{d.RttMilliseconds:0.###}/{d.RttVarMilliseconds:0.###} cwnd:{d.CongestionWindow} mss:{d.Mss}{(d.BytesSent is ulong s ? $" bytes_sent:{s}" : "")} bytes_acked:{d.BytesAcked} bytes_received:{d.BytesReceived}\n"));
            }
        }
        return sb.ToString();
    }

    private static string Queue(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
}

/// <summary>
/// An indented array, an object per socket (the one --json that is not one object on one line: a list read by people
/// too); with <paramref name="indented"/> false, on one line, as --watch writes one array per table (JSON lines).
/// </summary>
internal sealed class NetstatJson(bool indented = true) : IResultRenderer<NetstatResult>
{
    public string Render(NetstatResult result)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartArray();
            foreach (SocketEntry e in result.Entries)
            {
                w.WriteStartObject();
                w.WriteString("proto", e.Protocol);
                WriteNumber(w, "recv_q", e.RecvQ);
                WriteNumber(w, "send_q", e.SendQ);
                w.WriteString("local", e.Local);
                w.WriteString("remote", e.Remote);
                w.WriteString("state", e.State);
                if (e.LocalPort >= 0) w.WriteNumber("local_port", e.LocalPort);
                if (e.RemotePort >= 0) w.WriteNumber("remote_port", e.RemotePort);
                w.WriteNumber("inode", e.Inode);
                if (e.Process is not null) w.WriteString("process", e.Process);
                if (e.Details is TcpDetails d)
                {
                    w.WriteStartObject("tcp_info");
                    w.WriteNumber("rtt_ms", d.RttMilliseconds);
                    w.WriteNumber("rtt_var_ms", d.RttVarMilliseconds);
                    w.WriteNumber("cwnd", d.CongestionWindow);
                    w.WriteNumber("mss", d.Mss);
                    if (d.BytesSent is ulong s) w.WriteNumber("bytes_sent", s);
                    w.WriteNumber("bytes_acked", d.BytesAcked);
                    w.WriteNumber("bytes_received", d.BytesReceived);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, long? value)
    {
        if (value is long v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
