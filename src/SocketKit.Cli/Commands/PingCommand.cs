using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using SocketKit.Cli.Infrastructure;
using SocketKit.Diagnostics.Ping;
using SocketKit.Transport;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit ping: ICMP echo printed as Linux iputils ping prints it, or --tcp: how long a TCP connect takes.</summary>
internal static class PingCommand
{
    public static Command Create(CliContext context)
    {
        var host = new Argument<string>("HOST")
        {
            Description = "The host name or IP address to probe.",
            CustomParser = result => ValueParsers.Host(result, "HOST", allowUnix: false),
        };
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
        CommandRunner.SetAction(command, context, async (result, _, cancellationToken) =>
        {
            string name = result.GetValue(host)!;
            AddressFamily? family = result.GetValue(ipv4) ? AddressFamily.InterNetwork : result.GetValue(ipv6) ? AddressFamily.InterNetworkV6 : null;
            IPAddress address = await ResolveAsync(name, family, cancellationToken);
            TimeSpan wait = result.GetValue(timeout);
            int payload = result.GetValue(size);
            bool isTcp = result.GetValue(tcp);
            bool quiet = result.GetValue(CommonOptions.Quiet); // As ping -q: the header and the summary, no line per probe.
            var target = new IPEndPoint(address, result.GetValue(port) ?? 0);
            string shown = EndPoints.Format(target);

            if (isTcp)
            {
                context.WriteResult($"TCP PING {name} ({shown})");
            }
            else
            {
                context.WriteResult(address.AddressFamily == AddressFamily.InterNetworkV6
                    ? $"PING {name} ({address}) {payload} data bytes"
                    : $"PING {name} ({address}) {payload}({payload + 28}) bytes of data.");
            }

            Func<int, Task<PingProbe>> probe = isTcp
                ? sequence => Pinger.TcpAsync(target, sequence, wait, cancellationToken)
                : sequence => Pinger.IcmpAsync(address, sequence, payload, wait);
            var (statistics, elapsed) = await Pinger.RunAsync(probe, result.GetValue(count), result.GetValue(interval),
                p =>
                {
                    if (!quiet)
                    {
                        context.WriteResult(Describe(p, isTcp, shown, wait));
                    }
                }, cancellationToken: cancellationToken);

            context.WriteResult("");
            context.WriteResult($"--- {name} {(isTcp ? "tcp ping" : "ping")} statistics ---");
            context.WriteResult(isTcp
                ? statistics.SummaryLine(elapsed).Replace("packets transmitted", "connects attempted", StringComparison.Ordinal).Replace(" received,", " accepted,", StringComparison.Ordinal).Replace("packet loss", "failed", StringComparison.Ordinal)
                : statistics.SummaryLine(elapsed));
            if (statistics.RttLine() is string rtt)
            {
                context.WriteResult(rtt);
            }
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

    /// <summary>One line per probe, as ping prints them; failures name the errno so `socketkit explain` can say more.</summary>
    internal static string Describe(PingProbe probe, bool isTcp, string tcpTarget, TimeSpan timeout)
    {
        string time = PingStatistics.FormatTime(probe.RoundTrip.TotalMilliseconds);
        if (isTcp)
        {
            return probe.Outcome switch
            {
                PingOutcome.Replied => $"connected to {tcpTarget}: seq={probe.Sequence} time={time} ms",
                PingOutcome.Refused => $"refused by {tcpTarget}: seq={probe.Sequence} (ECONNREFUSED: the host answered, nothing listens on that port)",
                PingOutcome.TimedOut => $"no answer from {tcpTarget}: seq={probe.Sequence} timed out after {Durations.Format(timeout)} (ETIMEDOUT: SYN dropped, or the host is down)",
                _ => $"failed to connect to {tcpTarget}: seq={probe.Sequence} ({SocketErrorGuide.For(probe.Kind ?? SocketErrorKind.Other).ErrnoName}: {probe.Detail})",
            };
        }
        // ttl= only when the reply's own is known (a raw IPv4 socket): .NET's Ping on Linux reports the request's.
        string ttl = probe.Ttl is int t ? $" ttl={t}" : "";
        return probe.Outcome switch
        {
            PingOutcome.Replied => $"{probe.Bytes} bytes from {probe.Address}: icmp_seq={probe.Sequence}{ttl} time={time} ms",
            PingOutcome.TimedOut => $"no reply from {probe.Address}: icmp_seq={probe.Sequence} timed out after {Durations.Format(timeout)}",
            PingOutcome.Unreachable => $"From {probe.Address} icmp_seq={probe.Sequence} {probe.Detail}",
            _ => $"failed to ping {probe.Address}: icmp_seq={probe.Sequence} ({probe.Detail})",
        };
    }

    private static async Task<IPAddress> ResolveAsync(string host, AddressFamily? family, CancellationToken cancellationToken)
    {
        IPAddress[] addresses = await EndPoints.ResolveAsync(host, cancellationToken);
        IPAddress? chosen = family is null ? addresses.FirstOrDefault() : addresses.FirstOrDefault(a => a.AddressFamily == family);
        return chosen ?? throw new NetworkException(SocketErrorKind.HostNotFound, "resolve", host,
            $"{host} has no {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} address");
    }
}
