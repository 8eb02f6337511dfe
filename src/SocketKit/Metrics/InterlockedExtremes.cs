namespace SocketKit.Metrics;

/// <summary>
/// Keeps the largest or smallest value seen in a shared 64-bit field without a lock, as peaks and latency extremes are
/// kept while many threads record at once.
/// </summary>
internal static class InterlockedExtremes
{
    /// <summary>Sets <paramref name="location"/> to <paramref name="value"/> when the value is larger.</summary>
    public static void Max(ref long location, long value) => Keep(ref location, value, larger: true);

    /// <summary>Sets <paramref name="location"/> to <paramref name="value"/> when the value is smaller.</summary>
    public static void Min(ref long location, long value) => Keep(ref location, value, larger: false);

    private static void Keep(ref long location, long value, bool larger)
    {
        long current = Interlocked.Read(ref location);
        while (larger ? value > current : value < current)
        {
            long seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }
}
