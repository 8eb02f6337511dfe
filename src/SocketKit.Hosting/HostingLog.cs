using Microsoft.Extensions.Logging;

namespace SocketKit.Hosting;

/// <summary>The hosting layer's own log messages (the servers log their connections themselves).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(101, LogLevel.Information, "Server {Name}: drain timeout {Drain} shortened to {Limit} to end within the host's shutdown timeout of {Shutdown}")]
    public static partial void DrainShortened(ILogger logger, string name, TimeSpan drain, TimeSpan limit, TimeSpan shutdown);

    [LoggerMessage(103, LogLevel.Debug, "Server {Name} cannot listen: {Detail}")]
    public static partial void BindFailed(ILogger logger, string name, string detail, Exception exception);

    [LoggerMessage(102, LogLevel.Warning, "Server {Name}: the host's shutdown timeout ran out with {Connections} connection(s) still open")]
    public static partial void ShutdownTimedOut(ILogger logger, string name, long connections);
}
