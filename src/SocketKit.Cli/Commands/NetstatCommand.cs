using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SocketKit.Cli.Infrastructure;
using SocketKit.Diagnostics.SocketTable;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit netstat (alias ss): this machine's sockets, with queues and owners, as netstat -an and ss -tan show them.</summary>
internal static class NetstatCommand
{
    public static Command Create(CliContext context)
    {
        var tcp = new Option<bool>("--tcp", "-t") { Description = "TCP sockets." };
        var udp = new Option<bool>("--udp", "-u") { Description = "UDP sockets." };
        var unix = new Option<bool>("--unix", "-x") { Description = "Unix domain sockets." };
        var listening = new Option<bool>("--listening", "-l") { Description = "Listening sockets only." };
        var all = new Option<bool>("--all", "-a") { Description = "Listening and non-listening sockets (without -a or -l: non-listening only, as netstat)." };
        var numeric = new Option<bool>("--numeric", "-n") { Description = "Numeric addresses and ports. Accepted for habit's sake: socketkit never resolves names." };
        var processes = new Option<bool>("--processes", "-p") { Description = "Show the owning PID/program (other users' processes need root)." };
        var info = new Option<bool>("--info", "-i") { Description = "TCP internals as ss -i: rtt/rttvar (ms), cwnd (segments), mss, bytes sent, acked, received." };
        var port = new Option<int?>("--port") { Description = "Only sockets with this local or remote port.", CustomParser = r => ValueParsers.Port(r, "--port", 0) };
        var state = new Option<string?>("--state") { Description = "Only sockets in this state: listen, established (estab), time-wait, close-wait, syn-sent, ...", CustomParser = ParseState };
        var json = new Option<bool>("--json") { Description = "Print a JSON array, for scripts." };
        var command = new Command("netstat", """
            Lists this machine's sockets as netstat -an and ss -tan do: Proto, Recv-Q, Send-Q, local and
            foreign address, state, and with -p the owning PID/program. On Linux it reads the kernel's
            tables through netlink sock_diag as ss does, so a listener's Recv-Q is its accept queue
            (connections not yet accepted) and Send-Q its backlog. Short flags bundle: -tan, -tlnp.

            Examples:
              socketkit netstat -tan
              socketkit ss -tlnp --port 65432
              socketkit netstat -tani --state established --json
            """) { tcp, udp, unix, listening, all, numeric, processes, info, port, state, json };
        command.Aliases.Add("ss");
        CommandRunner.SetAction(command, context, (result, _, _) =>
        {
            var query = new SocketTableQuery
            {
                Tcp = result.GetValue(tcp),
                Udp = result.GetValue(udp),
                Unix = result.GetValue(unix),
                ListeningOnly = result.GetValue(listening),
                All = result.GetValue(all),
                Port = result.GetValue(port),
                State = result.GetValue(state),
                Processes = result.GetValue(processes),
                Details = result.GetValue(info),
            };
            var (entries, source) = SocketTableReader.Read(query);
            if (source.Missing.Count > 0)
            {
                context.Error.WriteLine($"note: read from {source.Source}, which cannot give: {string.Join(", ", source.Missing)}.");
            }
            context.Out.Write(result.GetValue(json) ? Json(entries) : Table(entries, query.Processes));
            context.Out.Flush();
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static string? ParseState(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = ValueParsers.Text(result);
        if (!SocketTableReader.IsKnownState(text))
        {
            result.AddError($"{ValueParsers.Shown(text)} is not a socket state for --state: use one of {string.Join(", ", SocketTableReader.StateNames)}.");
        }
        return text;
    }

    internal static string Table(IReadOnlyList<SocketEntry> entries, bool processes)
    {
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

    internal static string Json(IReadOnlyList<SocketEntry> entries)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (SocketEntry e in entries)
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
