using static SocketKit.Transport.Readiness.NativeReadiness;

namespace SocketKit.Transport.Listening;

/// <summary>
/// The process's limit on open descriptors (RLIMIT_NOFILE), which bounds the connections a server can hold: every
/// connection is one, and the runtime needs some of its own.
/// </summary>
internal static class DescriptorLimit
{
    /// <summary>
    /// Descriptors kept back, beyond those already open, for what the process opens later: the runtime keeps two open
    /// for every assembly it loads (a TLS handshake loads several), and cannot load one when none is left.
    /// </summary>
    public const int Reserve = 64;

    /// <summary>
    /// Raises the soft limit to the hard one, as servers such as nginx and HAProxy do (the soft default, often 1,024,
    /// is a guard for programs that do not expect many descriptors), and returns the limit now in force; null where
    /// the platform has no such limit or it cannot be read.
    /// </summary>
    public static unsafe long? Raise()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        RLimit limit;
        if (getrlimit(RlimitNoFile, &limit) != 0)
        {
            return null;
        }
        if (limit.Current < limit.Maximum)
        {
            RLimit raised = limit with { Current = limit.Maximum };
            // macOS refuses more than OPEN_MAX for an unlimited hard limit: keep what we had then.
            if (setrlimit(RlimitNoFile, &raised) == 0)
            {
                limit = raised;
            }
        }
        return limit.Current >= long.MaxValue ? long.MaxValue : (long)limit.Current;
    }

    /// <summary>The most connections the process can hold under <paramref name="limit"/> descriptors, with those open now and the reserve kept back; at least 1.</summary>
    public static int MaxConnectionsUnder(long limit) => (int)Math.Clamp(limit - OpenNow() - Reserve, 1, int.MaxValue);

    /// <summary>How many descriptors the process holds now (Linux and macOS list them; elsewhere a guess of 100).</summary>
    public static int OpenNow()
    {
        foreach (string folder in (ReadOnlySpan<string>)["/proc/self/fd", "/dev/fd"])
        {
            try
            {
                return Directory.EnumerateFileSystemEntries(folder).Count();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
        return 100;
    }
}
