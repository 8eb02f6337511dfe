using System.Net.Sockets;
using SocketKit.Diagnostics.Ping;
using SocketKit.Transport.Errors;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit ping: ICMP echo printed as Linux iputils ping prints it, or --tcp: how long a TCP connect takes.</summary>
internal static class PingCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> host = CommonOptions.ProbedHost("The host name or IP address to probe.");
        var port = new Argument<int?>("PORT")
        {
            Description = "With --tcp: the TCP port to connect to, 1 to 65535.",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = result => result.Tokens.Count == 0 ? null : ValueParsers.HostIsUnix(result) ? NoUnix(result) : ValueParsers.Port(result, "PORT", 1),
        };
        var tcp = new Option<bool>("--tcp") { Description = "Time a TCP connect to HOST PORT instead of an ICMP echo: tells 'nothing listens' (refused) from 'no answer' (timed out)." };
        Option<int?> count = CommonOptions.OptionalInteger("--count", "Stop after this many probes (default: until Ctrl+C).", min: 1);
        count.Aliases.Add("-c");
        Option<TimeSpan> interval = CommonOptions.Duration("--interval", "The time between probes", TimeSpan.FromSeconds(1));
        interval.Aliases.Add("-i");
        Option<TimeSpan> timeout = CommonOptions.Duration("--timeout", "The longest to wait for each answer", TimeSpan.FromSeconds(1));
        timeout.Aliases.Add("-W");
        Option<int> size = CommonOptions.Integer("--size", "ICMP data bytes per probe, 0 to 65500 (default 56, as ping sends).", 56, min: 0, max: 65500);
        size.Aliases.Add("-s");
        var ipv4 = new Option<bool>("-4") { Description = "Use IPv4 only." };
        var ipv6 = new Option<bool>("-6") { Description = "Use IPv6 only." };
        var command = new Command("ping", """
            Sends ICMP echo requests and prints the answers as Linux ping does, or with --tcp times a TCP
            connect to a port: the answer to "is the server even listening?", which ICMP cannot give.
            Exit 0 when any probe was answered, 1 when none was. -q prints only the summary, as ping -q.

            Examples:
              socketkit ping -c 3 127.0.0.1
              socketkit ping --tcp -c 3 127.0.0.1 65432
              socketkit ping --tcp -c 3 127.0.0.1 65432 --json
            """) { host, port, tcp, count, interval, timeout, size, ipv4, ipv6 };
        command.Validators.Add(result =>
        {
            bool isTcp = result.GetValue(tcp);
            int? portValue = result.GetValue(port);
            if (isTcp && portValue is null)
            {
                result.AddError("--tcp needs a PORT: socketkit ping --tcp HOST PORT.");
            }
            else if (!isTcp && portValue is not null)
            {
                result.AddError("a PORT is only for --tcp; ICMP has no ports.");
            }
            if (result.GetValue(ipv4) && result.GetValue(ipv6))
            {
                result.AddError("-4 and -6 exclude each other.");
            }
        });
        command.Options.Add(JsonOutput.Option);
        CommandRunner.SetAction(command, context, async (result, _, cancellationToken) =>
        {
            string name = result.GetValue(host)!;
            AddressFamily? family = result.GetValue(ipv4) ? AddressFamily.InterNetwork : result.GetValue(ipv6) ? AddressFamily.InterNetworkV6 : null;
            IPAddress address = await ResolveAsync(name, family, cancellationToken);
            var target = new PingTarget(name, address, result.GetValue(tcp) ? result.GetValue(port) : null, result.GetValue(size), result.GetValue(timeout));
            // -q as ping -q: the header and the summary, no line per probe.
            IPingRenderer renderer = JsonOutput.IsRequested(result) ? new PingJson() : new PingText(quiet: result.GetValue(CommonOptions.Quiet));
            context.Write(renderer.Started(target));

            var probes = new List<PingProbe>();
            Func<int, Task<PingProbe>> probe = target.IsTcp
                ? sequence => Pinger.TcpAsync(new IPEndPoint(address, target.TcpPort!.Value), sequence, target.Timeout, cancellationToken)
                : sequence => Pinger.IcmpAsync(address, sequence, target.Payload, target.Timeout);
            var (statistics, elapsed) = await Pinger.RunAsync(probe, result.GetValue(count), result.GetValue(interval),
                p =>
                {
                    probes.Add(p);
                    context.Write(renderer.Probed(target, p));
                }, cancellationToken: cancellationToken);
            context.Write(renderer.Finished(new PingResult(target, probes, statistics, elapsed)));
            return statistics.Received > 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>A unix: HOST, which the command line gave a placeholder PORT (UnixHostArguments): said here, as the PORT is parsed first.</summary>
    private static int? NoUnix(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError("ping probes a host over IP; a Unix socket has no address to ping. To see whether a server listens on unix:PATH, run socketkit echo-client unix:PATH or socketkit netstat -xl.");
        return null;
    }

    private static async Task<IPAddress> ResolveAsync(string host, AddressFamily? family, CancellationToken cancellationToken)
    {
        IPAddress[] addresses = await EndPoints.ResolveAsync(host, cancellationToken);
        IPAddress? chosen = family is null ? addresses.FirstOrDefault() : addresses.FirstOrDefault(a => a.AddressFamily == family);
        return chosen ?? throw new NetworkException(SocketErrorKind.HostNotFound, "resolve", host,
            $"{host} has no {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} address");
    }
}
