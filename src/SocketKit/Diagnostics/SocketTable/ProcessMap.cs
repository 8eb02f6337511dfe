namespace SocketKit.Diagnostics.SocketTable;

/// <summary>Maps socket inodes to their processes by reading /proc/PID/fd links ("socket:[12345]"), as netstat -p and ss -p do.</summary>
internal static class ProcessMap
{
    public static Dictionary<ulong, string> Read(string procRoot = "/proc")
    {
        var owners = new Dictionary<ulong, string>();
        foreach (string dir in SafeEnumerate(procRoot))
        {
            string pid = Path.GetFileName(dir);
            if (!pid.All(char.IsAsciiDigit))
            {
                continue;
            }
            string? name = null;
            foreach (string fd in SafeEnumerate(Path.Combine(dir, "fd")))
            {
                string? target;
                try
                {
                    target = new FileInfo(fd).LinkTarget;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The process exited, or belongs to another user: skip it, as netstat does.
                    continue;
                }
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal)
                    && ulong.TryParse(target.AsSpan(8, target.Length - 9), out ulong inode))
                {
                    name ??= ReadName(dir);
                    owners.TryAdd(inode, $"{pid}/{name}");
                }
            }
        }
        return owners;
    }

    private static string ReadName(string dir)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, "comm")).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }

    private static IEnumerable<string> SafeEnumerate(string dir)
    {
        try
        {
            return Directory.GetFileSystemEntries(dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
