using SocketKit.Transport;

namespace SocketKit.Cli.Infrastructure;

/// <summary>
/// Lets <c>unix:PATH</c> stand wherever HOST PORT is accepted. A Unix socket has no port, so the HOST argument
/// alone fills both positions: <c>app-client unix:/tmp/app.sock search ring</c> reads as HOST PORT ACTION VALUE.
/// The command line is rewritten before parsing by giving the unused PORT a placeholder right after the path.
/// </summary>
internal static class UnixHostArguments
{
    /// <summary>The port that stands in for the one a Unix socket does not have.</summary>
    public const string PortPlaceholder = "0";

    public static string[] Expand(string[] args)
    {
        // Only the first such argument is HOST: a later one would be a message or a value, and is left as typed.
        int index = Array.FindIndex(args, a => a.StartsWith(EndPoints.UnixPrefix, StringComparison.Ordinal));
        if (index < 0 || (index > 0 && args[index - 1].StartsWith('-') && args[index - 1] is not ("-q" or "-v" or "--quiet" or "--verbose" or "--once")))
        {
            return args;
        }
        return [.. args[..(index + 1)], PortPlaceholder, .. args[(index + 1)..]];
    }
}
