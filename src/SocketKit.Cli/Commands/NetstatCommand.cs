using SocketKit.Cli.Output;
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
        var command = new Command("netstat", """
            Lists this machine's sockets as netstat -an and ss -tan do: Proto, Recv-Q, Send-Q, local and
            foreign address, state, and with -p the owning PID/program. On Linux it reads the kernel's
            tables through netlink sock_diag as ss does, so a listener's Recv-Q is its accept queue
            (connections not yet accepted) and Send-Q its backlog. Short flags bundle: -tan, -tlnp.

            Examples:
              socketkit netstat -tan
              socketkit ss -tlnp --port 65432
              socketkit netstat -tani --state established --json
            """) { tcp, udp, unix, listening, all, numeric, processes, info, port, state, JsonOutput.Option };
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
            JsonOutput.Write(context, result, new NetstatResult(entries, query.Processes), new NetstatText(), new NetstatJson());
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
}
