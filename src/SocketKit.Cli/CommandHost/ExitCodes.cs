namespace SocketKit.Cli.CommandHost;

/// <summary>What socketkit's exit status means, for scripts.</summary>
internal static class ExitCodes
{
    /// <summary>It worked.</summary>
    public const int Success = 0;

    /// <summary>A network, protocol or other runtime failure (the message says which).</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong: unknown option, bad host or port, missing argument.</summary>
    public const int Usage = 2;

    /// <summary>A fault in socketkit itself, not in the network or the command line (EX_SOFTWARE of sysexits.h).</summary>
    public const int Software = 70;

    /// <summary>Interrupted by Ctrl+C before a client finished (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM before a client finished (128 + SIGTERM).</summary>
    public const int Terminated = 143;
}
