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
        var address = new Option<IPAddress?>("--address") { Description = "Only sockets whose local or remote address is this IP address (127.0.0.1, ::1).", HelpName = "ADDRESS", CustomParser = ParseAddress };
        var process = new Option<string?>("--process") { Description = "Only sockets of this process: its PID or its program name (socketkit, python3); shows the PID/Program name column.", HelpName = "PID|NAME" };
        var watch = new Option<TimeSpan?>("--watch", "-w")
        {
            Description = "Print the table again every INTERVAL until Ctrl+C, as watch ss does (default 2s; e.g. 500ms, 1s). On a terminal the table is redrawn in place; otherwise each one follows the last, after a line with the time (with --json, one object per line).",
            HelpName = "INTERVAL",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = ParseInterval,
        };
        var command = new Command("netstat", """
            Lists this machine's sockets as netstat -an and ss -tan do: Proto, Recv-Q, Send-Q, local and
            foreign address, state, and with -p the owning PID/program. On Linux it reads the kernel's
            tables through netlink sock_diag as ss does, so a listener's Recv-Q is its accept queue
            (connections not yet accepted) and Send-Q its backlog. Short flags bundle: -tan, -tlnp.
            --watch prints the table again and again, live, until Ctrl+C.

            Examples:
              socketkit netstat -tan
              socketkit ss -tlnp --port 65432
              socketkit netstat -tani --state established --json
              socketkit netstat -tan --watch 1s --port 65432
              socketkit netstat -tan --watch --address 127.0.0.1 --process socketkit
            """) { tcp, udp, unix, listening, all, numeric, processes, info, port, state, address, process, watch, JsonOutput.Option };
        command.Aliases.Add("ss");
        CommandRunner.SetAction(command, context, async (result, _, cancellationToken) =>
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
                Processes = result.GetValue(processes) || result.GetValue(process) is not null,
                Details = result.GetValue(info),
                Address = result.GetValue(address),
                Process = result.GetValue(process),
            };
            if (result.GetValue(watch) is not TimeSpan interval)
            {
                Show(context, result, query, noteMissing: true, oneLine: false);
                return ExitCodes.Success;
            }
            // As watch: the table now, then again every interval, until Ctrl+C, which ends it as it should (exit 0).
            bool redraw = ReferenceEquals(context.Out, Console.Out) && !Console.IsOutputRedirected && !JsonOutput.IsRequested(result);
            string shown = "socketkit " + string.Join(' ', result.Tokens.Select(t => t.Value));
            for (bool first = true; !cancellationToken.IsCancellationRequested; first = false)
            {
                if (!JsonOutput.IsRequested(result))
                {
                    context.Write($"{(redraw ? "\u001b[H\u001b[2J" : first ? "" : "\n")}Every {Durations.Format(interval)}: {shown}    {DateTime.Now:yyyy-MM-dd HH:mm:ss}\n\n");
                }
                Show(context, result, query, noteMissing: first, oneLine: true);
                try
                {
                    await Task.Delay(interval, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Show(CliContext context, ParseResult result, SocketTableQuery query, bool noteMissing, bool oneLine)
    {
        var (entries, source) = SocketTableReader.Read(query);
        if (noteMissing && source.Missing.Count > 0)
        {
            context.Error.WriteLine($"note: read from {source.Source}, which cannot give: {string.Join(", ", source.Missing)}.");
        }
        JsonOutput.Write(context, result, new NetstatResult(entries, query.Processes), new NetstatText(), new NetstatJson(indented: !oneLine));
    }

    /// <summary>--watch alone is every 2 s, as watch's default.</summary>
    private static TimeSpan? ParseInterval(System.CommandLine.Parsing.ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return TimeSpan.FromSeconds(2);
        }
        string text = ValueParsers.Text(result);
        if (Durations.TryParse(text, out TimeSpan interval) && interval >= TimeSpan.FromMilliseconds(10))
        {
            return interval;
        }
        result.AddError($"{ValueParsers.Shown(text)} is not an interval for --watch: use e.g. 500ms, 1s or 2 (seconds), 10ms at least.");
        return null;
    }

    private static IPAddress? ParseAddress(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = ValueParsers.Text(result);
        if (IPAddress.TryParse(text.Trim('[', ']'), out IPAddress? parsed))
        {
            return parsed;
        }
        result.AddError($"{ValueParsers.Shown(text)} is not an IP address for --address: use e.g. 127.0.0.1 or ::1.");
        return null;
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
