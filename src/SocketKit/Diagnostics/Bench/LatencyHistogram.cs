using System.Numerics;
using SocketKit.Metrics;

namespace SocketKit.Diagnostics.Bench;

/// <summary>
/// A latency histogram in the manner of HdrHistogram: values in nanoseconds, log-linear buckets of 64 steps
/// per power of two, so every recorded value is kept to within 1/64 (1.6%) in constant memory (30 KiB),
/// whatever the range. Thread-safe: many connections record into one histogram.
/// </summary>
public sealed class LatencyHistogram
{
    private const int LinearLimit = 128;
    private const int SubBuckets = 64;
    private readonly long[] _counts = new long[LinearLimit + (64 - 7) * SubBuckets];
    private long _count;
    private long _max;
    private long _min = long.MaxValue;

    /// <summary>How many values were recorded.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The largest value recorded, exactly, in nanoseconds; 0 when empty.</summary>
    public long Max => Interlocked.Read(ref _max);

    /// <summary>The smallest value recorded, exactly, in nanoseconds; 0 when empty.</summary>
    public long Min => Count == 0 ? 0 : Interlocked.Read(ref _min);

    /// <summary>Records one value in nanoseconds (negative values count as 0).</summary>
    public void Record(long nanoseconds)
    {
        long value = Math.Max(0, nanoseconds);
        Interlocked.Increment(ref _counts[IndexOf(value)]);
        Interlocked.Increment(ref _count);
        InterlockedExtremes.Max(ref _max, value);
        InterlockedExtremes.Min(ref _min, value);
    }

    /// <summary>
    /// The values in <paramref name="rows"/> ranges from <see cref="Min"/> to <see cref="Max"/>, each range's upper end
    /// a constant factor above the last (so a slow tail gets rows of its own), with how many values fell in each
    /// (each value counted in the range of its bucket's highest value); empty when nothing was recorded.
    /// </summary>
    public IReadOnlyList<(long UpTo, long Count)> Distribution(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        if (Count == 0)
        {
            return [];
        }
        long low = Math.Max(1, Min), high = Math.Max(low, Max);
        double factor = Math.Pow((double)high / low, 1.0 / rows);
        var bounds = new long[rows];
        for (int r = 0; r < rows; r++)
        {
            bounds[r] = r == rows - 1 ? high : Math.Max(low, (long)Math.Ceiling(low * Math.Pow(factor, r + 1)));
        }
        var counts = new long[rows];
        for (int i = 0; i < _counts.Length; i++)
        {
            long n = Interlocked.Read(ref _counts[i]);
            if (n == 0)
            {
                continue;
            }
            long value = Math.Min(HighestOf(i), high);
            int row = Array.FindIndex(bounds, b => value <= b);
            counts[row < 0 ? rows - 1 : row] += n;
        }
        var result = new List<(long, long)>(rows);
        for (int r = 0; r < rows; r++)
        {
            if (r > 0 && bounds[r] == bounds[r - 1])
            {
                result[^1] = (bounds[r], result[^1].Item2 + counts[r]); // Ranges too narrow to tell apart become one.
                continue;
            }
            result.Add((bounds[r], counts[r]));
        }
        return result;
    }

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> percent of the values lie (0 to 100), as the
    /// highest value its bucket can hold (never an underestimate), capped at <see cref="Max"/>; 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        long total = Count;
        if (total == 0)
        {
            return 0;
        }
        long rank = Math.Max(1, (long)Math.Ceiling(Math.Clamp(percentile, 0, 100) / 100 * total));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Min(HighestOf(i), Max);
            }
        }
        return Max;
    }

    private static int IndexOf(long value)
    {
        if (value < LinearLimit)
        {
            return (int)value;
        }
        int shift = 63 - BitOperations.LeadingZeroCount((ulong)value) - 6; // value >> shift is in [64, 127]
        return LinearLimit + (shift - 1) * SubBuckets + (int)((value >> shift) - SubBuckets);
    }

    private static long HighestOf(int index)
    {
        if (index < LinearLimit)
        {
            return index;
        }
        int shift = (index - LinearLimit) / SubBuckets + 1;
        long sub = (index - LinearLimit) % SubBuckets + SubBuckets;
        return ((sub + 1) << shift) - 1;
    }
}
