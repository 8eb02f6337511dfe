using System.Net.Sockets;
using SocketKit.Diagnostics.Ping;
using SocketKit.Transport.Errors;

namespace SocketKit.Cli.Output;

/// <summary>What ping probes: <paramref name="Name"/> as typed, the address it resolved to, and with --tcp the port.</summary>
internal sealed record PingTarget(string Name, IPAddress Address, int? TcpPort, int Payload, TimeSpan Timeout)
{
    public bool IsTcp => TcpPort is not null;

    /// <summary>The TCP target as the probe lines name it (127.0.0.1:65432, [::1]:65432).</summary>
    public string Shown => EndPoints.Format(new IPEndPoint(Address, TcpPort ?? 0));
}

/// <summary>A whole ping run: every probe, and the statistics ping prints at the end.</summary>
internal sealed record PingResult(PingTarget Target, IReadOnlyList<PingProbe> Probes, PingStatistics Statistics, TimeSpan Elapsed);

/// <summary>
/// Ping prints as it goes (a line per probe, as Linux ping does), so its renderers see the run as it happens: the
/// start, each probe, the end. Each returns what to write to stdout then, whole lines or nothing.
/// </summary>
internal interface IPingRenderer
{
    string Started(PingTarget target);

    string Probed(PingTarget target, PingProbe probe);

    string Finished(PingResult result);
}

/// <summary>As Linux iputils ping prints: the header, a line per probe (none with -q, as ping -q), the statistics.</summary>
internal sealed class PingText(bool quiet) : IPingRenderer
{
    public string Started(PingTarget target) => (target.IsTcp
        ? $"TCP PING {target.Name} ({target.Shown})"
        : target.Address.AddressFamily == AddressFamily.InterNetworkV6
            ? $"PING {target.Name} ({target.Address}) {target.Payload} data bytes"
            : $"PING {target.Name} ({target.Address}) {target.Payload}({target.Payload + 28}) bytes of data.") + "\n";

    public string Probed(PingTarget target, PingProbe probe) => quiet ? "" : Describe(probe, target.IsTcp, target.Shown, target.Timeout) + "\n";

    public string Finished(PingResult result)
    {
        PingStatistics statistics = result.Statistics;
        bool isTcp = result.Target.IsTcp;
        var text = new StringBuilder("\n");
        text.Append($"--- {result.Target.Name} {(isTcp ? "tcp ping" : "ping")} statistics ---\n");
        text.Append(isTcp
            ? statistics.SummaryLine(result.Elapsed).Replace("packets transmitted", "connects attempted", StringComparison.Ordinal).Replace(" received,", " accepted,", StringComparison.Ordinal).Replace("packet loss", "failed", StringComparison.Ordinal)
            : statistics.SummaryLine(result.Elapsed)).Append('\n');
        if (statistics.RttLine() is string rtt)
        {
            text.Append(rtt).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>One line per probe, as ping prints them; failures name the errno so `socketkit explain` can say more.</summary>
    public static string Describe(PingProbe probe, bool isTcp, string tcpTarget, TimeSpan timeout)
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
}

/// <summary>--json: nothing while probing (stdout holds one object), then the run as one object.</summary>
internal sealed class PingJson : JsonObjectRenderer<PingResult>, IPingRenderer
{
    public string Started(PingTarget target) => "";

    public string Probed(PingTarget target, PingProbe probe) => "";

    public string Finished(PingResult result) => Render(result);

    protected override void WriteProperties(Utf8JsonWriter json, PingResult result)
    {
        PingTarget target = result.Target;
        PingStatistics statistics = result.Statistics;
        json.WriteString("host", target.Name);
        json.WriteString("address", target.Address.ToString());
        json.WriteString("protocol", target.IsTcp ? "tcp" : "icmp");
        if (target.TcpPort is int port)
        {
            json.WriteNumber("port", port);
        }
        json.WriteNumber("transmitted", statistics.Transmitted);
        json.WriteNumber("received", statistics.Received);
        json.WriteNumber("loss_percent", Math.Round(statistics.LossPercent, 3));
        json.WriteNumber("time_ms", (long)result.Elapsed.TotalMilliseconds);
        if (statistics.Received > 0)
        {
            json.WriteStartObject("rtt_ms");
            json.WriteNumber("min", Math.Round(statistics.MinMilliseconds, 3));
            json.WriteNumber("avg", Math.Round(statistics.AverageMilliseconds, 3));
            json.WriteNumber("max", Math.Round(statistics.MaxMilliseconds, 3));
            json.WriteNumber("mdev", Math.Round(statistics.MdevMilliseconds, 3));
            json.WriteEndObject();
        }
        json.WriteStartArray("probes");
        foreach (PingProbe probe in result.Probes)
        {
            json.WriteStartObject();
            json.WriteNumber("seq", probe.Sequence);
            json.WriteString("outcome", JsonOutput.SnakeCase(probe.Outcome.ToString()));
            if (probe.Outcome == PingOutcome.Replied)
            {
                json.WriteNumber("time_ms", Math.Round(probe.RoundTrip.TotalMilliseconds, 3));
            }
            if (probe.Ttl is int ttl)
            {
                json.WriteNumber("ttl", ttl);
            }
            if (probe.Detail is string detail)
            {
                json.WriteString("detail", detail);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
