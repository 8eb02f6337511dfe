using System.Globalization;

namespace SocketKit.Transport.Settings;

/// <summary>Reads and writes sizes as people type them: 16KiB, 1MiB, 2GiB, or plain bytes (KB/MB are read as powers of 1024 too).</summary>
public static class ByteSizes
{
    /// <summary>Parses a size in bytes; false for anything else, including negative values and sizes past <see cref="long.MaxValue"/>.</summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        string t = text.Trim();
        (string number, long scale) = t.ToUpperInvariant() switch
        {
            var u when u.EndsWith("KIB", StringComparison.Ordinal) || u.EndsWith("KB", StringComparison.Ordinal) || u.EndsWith('K') => (Strip(t), 1024L),
            var u when u.EndsWith("MIB", StringComparison.Ordinal) || u.EndsWith("MB", StringComparison.Ordinal) || u.EndsWith('M') => (Strip(t), 1024L * 1024),
            var u when u.EndsWith("GIB", StringComparison.Ordinal) || u.EndsWith("GB", StringComparison.Ordinal) || u.EndsWith('G') => (Strip(t), 1024L * 1024 * 1024),
            var u when u.EndsWith('B') => (t[..^1], 1L),
            _ => (t, 1L),
        };
        if (!decimal.TryParse(number.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal n))
        {
            return false;
        }
        decimal value = n * scale;
        if (value > long.MaxValue || value != decimal.Truncate(value))
        {
            return false;
        }
        bytes = (long)value;
        return true;
    }

    /// <summary>Writes a size in the largest binary unit that divides it: 16KiB, 1MiB, 1000 (bytes).</summary>
    public static string Format(long bytes) => bytes switch
    {
        >= 1024L * 1024 * 1024 when bytes % (1024L * 1024 * 1024) == 0 => $"{bytes / (1024L * 1024 * 1024)}GiB",
        >= 1024L * 1024 when bytes % (1024L * 1024) == 0 => $"{bytes / (1024L * 1024)}MiB",
        >= 1024 when bytes % 1024 == 0 => $"{bytes / 1024}KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture),
    };

    private static string Strip(string t) => t.TrimEnd('B', 'b').TrimEnd('I', 'i').TrimEnd('K', 'k', 'M', 'm', 'G', 'g');
}
