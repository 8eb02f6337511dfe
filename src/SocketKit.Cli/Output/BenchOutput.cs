using SocketKit.Diagnostics.Bench;

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
        if (o.Rate is double rate)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  rate         {rate:N0}/s asked, {r.SentPerSecond:N0}/s sent (open loop: each latency counts from its request's due time)");
        }
        if (r.ConnectAllTime is { } connectAll)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  connected    all {o.Connections:N0} in {connectAll.TotalMilliseconds:N0} ms");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"  throughput   {r.RequestsPerSecond:N0} {(o.Kind == BenchKind.Echo ? "msg" : "req")}/s, {r.ReceivedMBPerSecond:N2} MB/s received ({r.Completed:N0} in all)");
        if (r.Latency.Count == 0)
        {
            text.AppendLine("  latency      none: no request was answered");
        }
        else
        {
            text.Append("  latency     ");
            foreach (double p in BenchFigures.Percentiles)
            {
                text.Append(CultureInfo.InvariantCulture, $" p{p}={Micro(r.Latency.ValueAtPercentile(p))}");
            }
            text.AppendLine(CultureInfo.InvariantCulture, $" max={Micro(r.Latency.Max)}");
            IReadOnlyList<(long UpTo, long Count)> rows = r.Latency.Distribution(BenchFigures.HistogramRows);
            long most = rows.Max(row => row.Count);
            text.AppendLine("  histogram    answers by latency:");
            foreach ((long bound, long count) in rows)
            {
                int bar = (int)Math.Round(BenchFigures.BarWidth * (double)count / most);
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"    <= {Micro(bound),-8} {new string('#', bar),-BenchFigures.BarWidth} {count,12:N0} {100.0 * count / r.Latency.Count,6:F1}%");
            }
        }
        if (r.NotKeptAlive > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  keep-alive   {NotKeptAlive(r)}");
        }
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

    /// <summary>What a server that does not keep connections alive under --keepalive did, in words.</summary>
    public static string NotKeptAlive(BenchResult r) =>
        $"the server does not keep connections alive: {r.NotKeptAlive:N0} answers came without \"keep-alive\": true, and the server closed the connection after each (every request paid for a new connection)";

    /// <summary>One second of the timeline, as a line: "    3s   1,000 sent     998 answered  0 errors  mean 52us  max 1.1ms".</summary>
    public static string TimelineLine(BenchSecond s) => string.Create(CultureInfo.InvariantCulture,
        $"  {s.Second,4}s {s.Sent,10:N0} sent {s.Completed,10:N0} answered {s.Errors,8:N0} errors  mean {(s.Completed == 0 ? "-" : Micro(s.MeanNanoseconds)),8}  max {(s.Completed == 0 ? "-" : Micro(s.MaxNanoseconds)),8}");

    /// <summary>The error kinds and their counts, the most frequent first: "refused 3, timed out 1".</summary>
    public static string ErrorList(BenchResult r) =>
        string.Join(", ", r.Errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key} {e.Value:N0}"));

    private static string Cpu(TimeSpan cpu, BenchResult r) => r.Completed == 0
        ? $"{100 * cpu / r.Elapsed:F0}%"
        : $"{100 * cpu / r.Elapsed:F0}% ({cpu.TotalMicroseconds / r.Completed:F2} us per {(r.Options.Kind == BenchKind.Echo ? "message" : "request")})";

    public static string Micro(long nanoseconds) => nanoseconds >= 10_000_000
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
        w.WriteNumber("timeout_ms", Math.Round(o.Timeout.TotalMilliseconds, 1));
        if (o.Rate is double rate)
        {
            w.WriteNumber("rate", rate);
            w.WriteNumber("sent_per_second", Math.Round(r.SentPerSecond, 1));
        }
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
        if (r.Latency.Count == 0)
        {
            w.WriteNull("latency_us"); // Nothing answered: no figure, rather than zeros that read as fast.
            w.WriteNull("histogram");
        }
        else
        {
            w.WriteStartObject("latency_us");
            foreach (double p in BenchFigures.Percentiles)
            {
                w.WriteNumber($"p{p.ToString(CultureInfo.InvariantCulture)}", Math.Round(r.Latency.ValueAtPercentile(p) / 1000.0, 1));
            }
            w.WriteNumber("max", Math.Round(r.Latency.Max / 1000.0, 1));
            w.WriteEndObject();
            w.WriteStartArray("histogram");
            foreach ((long bound, long count) in r.Latency.Distribution(BenchFigures.HistogramRows))
            {
                w.WriteStartObject();
                w.WriteNumber("up_to_us", Math.Round(bound / 1000.0, 1));
                w.WriteNumber("count", count);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (o.KeepAlive > 1)
        {
            w.WriteNumber("not_kept_alive", r.NotKeptAlive);
        }
        w.WriteStartObject("errors");
        foreach ((string kind, long count) in r.Errors.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(kind.ToLowerInvariant().Replace(' ', '_'), count);
        }
        w.WriteEndObject();
        w.WriteStartArray("timeline");
        foreach (BenchSecond second in r.Timeline)
        {
            w.WriteStartObject();
            w.WriteNumber("second", second.Second);
            w.WriteNumber("sent", second.Sent);
            w.WriteNumber("completed", second.Completed);
            w.WriteNumber("failed", second.Errors);
            w.WriteNumber("mean_us", Math.Round(second.MeanNanoseconds / 1000.0, 1));
            w.WriteNumber("max_us", Math.Round(second.MaxNanoseconds / 1000.0, 1));
            w.WriteEndObject();
        }
        w.WriteEndArray();
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
    public static readonly double[] Percentiles = [50, 75, 90, 99, 99.9, 99.99];

    /// <summary>Rows of the latency histogram, and the longest bar, in characters.</summary>
    public const int HistogramRows = 10;

    public const int BarWidth = 40;

    /// <summary>The server's resident memory per connection: its growth once all were open, shared out.</summary>
    public static long PerConnection(BenchResult r, ProcessSample connected) =>
        (connected.RssBytes - r.Server!.BeforeConnecting.RssBytes) / r.Options.Connections;
}
