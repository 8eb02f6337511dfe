using System.Globalization;
using System.Text;
using System.Text.Json;
using SocketKit.Diagnostics.Bench;
using SocketKit.Transport;

namespace SocketKit.Cli.Output;

/// <summary>A bench run for a person: aligned lines, the figures in the units one reads (us, ms, MB).</summary>
internal sealed class BenchText : IResultRenderer<BenchResult>
{
    public string Render(BenchResult r)
    {
        BenchOptions o = r.Options;
        var text = new StringBuilder();
        string what = o.Kind == BenchKind.Echo
            ? $"echo {o.MessageBytes:N0} B"
            : o.KeepAlive == 1 ? "app, one request per connection" : $"app, {o.KeepAlive:N0} requests per connection, pipeline {o.Pipeline}";
        text.AppendLine(CultureInfo.InvariantCulture, $"bench {what} -> {EndPoints.Format(o.EndPoint)}, {o.Connections:N0} connections, {r.Elapsed.TotalSeconds:F2} s{(o.Verify ? ", verified" : "")}");
        if (r.ConnectAllTime is { } connectAll)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  connected    all {o.Connections:N0} in {connectAll.TotalMilliseconds:N0} ms");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"  throughput   {r.RequestsPerSecond:N0} {(o.Kind == BenchKind.Echo ? "msg" : "req")}/s, {r.ReceivedMBPerSecond:N2} MB/s received ({r.Completed:N0} in all)");
        text.Append("  latency     ");
        foreach (double p in BenchFigures.Percentiles)
        {
            text.Append(CultureInfo.InvariantCulture, $" p{p}={Micro(r.Latency.ValueAtPercentile(p))}");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $" max={Micro(r.Latency.Max)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  errors       {(r.ErrorCount == 0 ? "none" : ErrorList(r))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  client CPU   {Cpu(r.ClientCpu, r)}");
        if (r.Server is { } s)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  server CPU   {Cpu(s.MeasureEnd.CpuTime - s.MeasureStart.CpuTime, r)}");
            text.Append(CultureInfo.InvariantCulture, $"  server RSS   {Mb(s.BeforeConnecting.RssBytes)} before connecting");
            if (s.AllConnected is { } connected)
            {
                text.Append(CultureInfo.InvariantCulture, $", {Mb(connected.RssBytes)} with all connected ({BenchFigures.PerConnection(r, connected):N0} B per connection)");
            }
            text.AppendLine(CultureInfo.InvariantCulture, $", {Mb(s.MeasureEnd.RssBytes)} at the end; {s.MeasureEnd.Threads} threads");
            if (s.IdleStart is { } idleStart && s.AllConnected is { } idleEnd)
            {
                TimeSpan idleCpu = idleEnd.CpuTime - idleStart.CpuTime;
                text.AppendLine(CultureInfo.InvariantCulture, $"  server idle  {idleCpu.TotalMilliseconds:N0} ms CPU in {o.Idle.TotalSeconds:F1} s idle ({100 * idleCpu / o.Idle:F1}%)");
            }
        }
        return text.ToString().TrimEnd() + "\n";
    }

    /// <summary>The error kinds and their counts, the most frequent first: "connection_refused 3, timed_out 1".</summary>
    public static string ErrorList(BenchResult r) =>
        string.Join(", ", r.Errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key} {e.Value:N0}"));

    private static string Cpu(TimeSpan cpu, BenchResult r) => r.Completed == 0
        ? $"{100 * cpu / r.Elapsed:F0}%"
        : $"{100 * cpu / r.Elapsed:F0}% ({cpu.TotalMicroseconds / r.Completed:F2} us per {(r.Options.Kind == BenchKind.Echo ? "message" : "request")})";

    private static string Micro(long nanoseconds) => nanoseconds >= 10_000_000
        ? $"{nanoseconds / 1e6:F1}ms"
        : $"{nanoseconds / 1e3:F0}us";

    private static string Mb(long bytes) => $"{bytes / 1e6:F1} MB";
}

/// <summary>A bench run for a script: one object, figures rounded, durations in the unit their key names.</summary>
internal sealed class BenchJson : JsonObjectRenderer<BenchResult>
{
    protected override void WriteProperties(Utf8JsonWriter w, BenchResult r)
    {
        BenchOptions o = r.Options;
        w.WriteString("kind", o.Kind.ToString().ToLowerInvariant());
        w.WriteString("target", EndPoints.Format(o.EndPoint));
        w.WriteNumber("connections", o.Connections);
        if (o.Kind == BenchKind.Echo)
        {
            w.WriteNumber("size", o.MessageBytes);
        }
        else
        {
            w.WriteNumber("keepalive", o.KeepAlive);
            w.WriteNumber("pipeline", o.Pipeline);
        }
        w.WriteBoolean("verified", o.Verify);
        w.WriteNumber("seconds", Math.Round(r.Elapsed.TotalSeconds, 3));
        w.WriteNumber("completed", r.Completed);
        w.WriteNumber("per_second", Math.Round(r.RequestsPerSecond, 1));
        w.WriteNumber("mb_per_second", Math.Round(r.ReceivedMBPerSecond, 3));
        w.WriteNumber("bytes_sent", r.BytesSent);
        w.WriteNumber("bytes_received", r.BytesReceived);
        if (r.ConnectAllTime is { } connectAll)
        {
            w.WriteNumber("connect_all_ms", Math.Round(connectAll.TotalMilliseconds, 1));
        }
        w.WriteStartObject("latency_us");
        foreach (double p in BenchFigures.Percentiles)
        {
            w.WriteNumber($"p{p.ToString(CultureInfo.InvariantCulture)}", Math.Round(r.Latency.ValueAtPercentile(p) / 1000.0, 1));
        }
        w.WriteNumber("max", Math.Round(r.Latency.Max / 1000.0, 1));
        w.WriteEndObject();
        w.WriteStartObject("errors");
        foreach ((string kind, long count) in r.Errors.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(JsonOutput.SnakeCase(kind), count);
        }
        w.WriteEndObject();
        WriteCpu(w, "client", r.ClientCpu, r);
        if (r.Server is { } s)
        {
            WriteCpu(w, "server", s.MeasureEnd.CpuTime - s.MeasureStart.CpuTime, r);
            w.WriteNumber("server_rss_before", s.BeforeConnecting.RssBytes);
            if (s.AllConnected is { } connected)
            {
                w.WriteNumber("server_rss_all_connected", connected.RssBytes);
                w.WriteNumber("server_rss_per_connection", BenchFigures.PerConnection(r, connected));
            }
            if (s.IdleStart is { } idleStart && s.AllConnected is { } idleEnd)
            {
                w.WriteNumber("server_idle_cpu_percent", Math.Round(100 * (idleEnd.CpuTime - idleStart.CpuTime) / o.Idle, 2));
            }
            w.WriteNumber("server_rss_end", s.MeasureEnd.RssBytes);
            w.WriteNumber("server_threads", s.MeasureEnd.Threads);
        }
    }

    private static void WriteCpu(Utf8JsonWriter w, string side, TimeSpan cpu, BenchResult r)
    {
        w.WriteNumber($"{side}_cpu_percent", Math.Round(100 * cpu / r.Elapsed, 1));
        w.WriteNumber($"{side}_cpu_us_per_request", r.Completed == 0 ? 0 : Math.Round(cpu.TotalMicroseconds / r.Completed, 2));
    }

}

/// <summary>What both bench renderers derive the same way.</summary>
internal static class BenchFigures
{
    /// <summary>The latency percentiles reported, in this order.</summary>
    public static readonly double[] Percentiles = [50, 90, 99, 99.9];

    /// <summary>The server's resident memory per connection: its growth once all were open, shared out.</summary>
    public static long PerConnection(BenchResult r, ProcessSample connected) =>
        (connected.RssBytes - r.Server!.BeforeConnecting.RssBytes) / r.Options.Connections;
}
