namespace SocketKit.Logging;

/// <summary>Events of the PROXY protocol layer (ids 40-49), kept apart from <see cref="Log"/> so each layer owns its events.</summary>
internal static partial class ProxyLog
{
    [LoggerMessage(40, LogLevel.Information, "Connection {ConnectionId} from {Proxy} is for client {Client} (PROXY v{Version})")]
    public static partial void Relayed(ILogger logger, long connectionId, string proxy, string client, int version);

    [LoggerMessage(41, LogLevel.Information, "Connection {ConnectionId} from {Proxy} speaks for the balancer itself (PROXY v{Version} {Command})")]
    public static partial void Unrelayed(ILogger logger, long connectionId, string proxy, int version, string command);

    [LoggerMessage(42, LogLevel.Warning, "Refused connection {ConnectionId} from {Remote}: {Error}: {Detail}")]
    public static partial void Refused(ILogger logger, long connectionId, string remote, string error, string detail);
}
