using System.Globalization;

namespace SocketKit.Transport.Settings;

/// <summary>
/// Reads and writes durations as people type them: 500ms, 30s, 2m, 1h (a bare number is seconds), or as .NET
/// configuration writes a TimeSpan (00:00:30, 1.00:00:00), so the command line and configuration take the same text.
/// </summary>
public static class Durations
{
    /// <summary>
    /// Parses a duration; false for anything else, including negative values in units. A TimeSpan's own form
    /// (hh:mm:ss) is read as TimeSpan reads it, sign included, so that a range check can say what is wrong with it.
    /// </summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        string t = text.Trim().ToLowerInvariant();
        if (t.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out value);
        }
        (string number, double scale) = t switch
        {
            _ when t.EndsWith("ms", StringComparison.Ordinal) => (t[..^2], 0.001),
            _ when t.EndsWith('s') => (t[..^1], 1.0),
            _ when t.EndsWith('m') => (t[..^1], 60.0),
            _ when t.EndsWith('h') => (t[..^1], 3600.0),
            _ => (t, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n) || !(n * scale <= TimeSpan.MaxValue.TotalSeconds))
        {
            return false;
        }
        value = TimeSpan.FromSeconds(n * scale);
        return true;
    }

    /// <summary>Writes a duration in the largest unit that keeps it short: 250ms, 10s, 1.5s, 2m.</summary>
    public static string Format(TimeSpan value) => value.TotalSeconds switch
    {
        < 1 => $"{value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)}ms",
        < 120 => $"{value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}s",
        _ => $"{value.TotalMinutes.ToString("0.###", CultureInfo.InvariantCulture)}m",
    };
}
