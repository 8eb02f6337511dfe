using System.Globalization;

namespace SocketKit.Diagnostics.Bench;

/// <summary>A process's CPU time and memory at one moment, read from /proc (Linux).</summary>
/// <param name="CpuTime">User plus system CPU time used so far.</param>
/// <param name="RssBytes">Resident set size, in bytes.</param>
/// <param name="Threads">The process's thread count.</param>
public readonly record struct ProcessSample(TimeSpan CpuTime, long RssBytes, int Threads)
{
    // USER_HZ, the unit of /proc/PID/stat times, is 100 on every Linux architecture .NET runs on.
    private const double ClockTicksPerSecond = 100;

    /// <summary>Reads /proc/PID/stat and /proc/PID/status.</summary>
    /// <exception cref="InvalidOperationException">There is no such process, or no /proc.</exception>
    public static ProcessSample Read(int pid)
    {
        string stat, status;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
            status = File.ReadAllText($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            throw new InvalidOperationException($"no process {pid} to sample: /proc/{pid} cannot be read");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"no permission to read /proc/{pid}");
        }
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcessSample(TimeSpan.FromSeconds(ticks / ClockTicksPerSecond), StatusValue(status, "VmRSS:") * 1024, (int)StatusValue(status, "Threads:"));
    }

    /// <summary>This process, from the runtime (no /proc needed).</summary>
    public static ProcessSample Current()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new ProcessSample(process.TotalProcessorTime, process.WorkingSet64, process.Threads.Count);
    }

    private static long StatusValue(string status, string key)
    {
        foreach (string line in status.Split('\n'))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }
}
