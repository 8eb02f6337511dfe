using System.Globalization;

namespace SocketKit.Diagnostics.Ping;

/// <summary>
/// Counts probes and round-trip times, and formats them as Linux iputils ping does
/// (<c>3 packets transmitted, 3 received, 0% packet loss, time 2003ms</c> and
/// <c>rtt min/avg/max/mdev = 0.031/0.040/0.049/0.009 ms</c>).
/// </summary>
public sealed class PingStatistics
{
    private double _sum;
    private double _sumOfSquares;

    /// <summary>Probes sent.</summary>
    public int Transmitted { get; private set; }

    /// <summary>Probes answered.</summary>
    public int Received { get; private set; }

    /// <summary>The shortest round trip, in milliseconds (0 before any reply).</summary>
    public double MinMilliseconds { get; private set; }

    /// <summary>The longest round trip, in milliseconds (0 before any reply).</summary>
    public double MaxMilliseconds { get; private set; }

    /// <summary>The mean round trip, in milliseconds (0 before any reply).</summary>
    public double AverageMilliseconds => Received == 0 ? 0 : _sum / Received;

    /// <summary>The mean deviation as iputils computes it: sqrt(mean(t²) − mean(t)²), in milliseconds.</summary>
    public double MdevMilliseconds => Received == 0 ? 0 : Math.Sqrt(Math.Max(0, (_sumOfSquares / Received) - (AverageMilliseconds * AverageMilliseconds)));

    /// <summary>The share of probes without an answer, in percent.</summary>
    public double LossPercent => Transmitted == 0 ? 0 : (Transmitted - Received) * 100.0 / Transmitted;

    /// <summary>Counts a probe sent.</summary>
    public void Sent() => Transmitted++;

    /// <summary>Counts an answer that took <paramref name="milliseconds"/>.</summary>
    public void Answered(double milliseconds)
    {
        MinMilliseconds = Received == 0 ? milliseconds : Math.Min(MinMilliseconds, milliseconds);
        MaxMilliseconds = Received == 0 ? milliseconds : Math.Max(MaxMilliseconds, milliseconds);
        Received++;
        _sum += milliseconds;
        _sumOfSquares += milliseconds * milliseconds;
    }

    /// <summary>The summary line, with the whole run's duration in milliseconds.</summary>
    public string SummaryLine(TimeSpan elapsed) => string.Create(CultureInfo.InvariantCulture,
        $"{Transmitted} packets transmitted, {Received} received, {LossPercent:G6}% packet loss, time {(long)elapsed.TotalMilliseconds}ms");

    /// <summary>The rtt line, or null when nothing answered (iputils prints none then).</summary>
    public string? RttLine() => Received == 0 ? null : string.Create(CultureInfo.InvariantCulture,
        $"rtt min/avg/max/mdev = {MinMilliseconds:F3}/{AverageMilliseconds:F3}/{MaxMilliseconds:F3}/{MdevMilliseconds:F3} ms");

    /// <summary>A round trip as iputils prints it on a reply line: 3 decimals below 1 ms, 2 below 10, 1 below 100, none above.</summary>
    public static string FormatTime(double milliseconds) => milliseconds.ToString(
        milliseconds >= 100 ? "F0" : milliseconds >= 10 ? "F1" : milliseconds >= 1 ? "F2" : "F3", CultureInfo.InvariantCulture);
}
