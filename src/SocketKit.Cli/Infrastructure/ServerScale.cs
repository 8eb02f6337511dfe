namespace SocketKit.Cli.Infrastructure;

/// <summary>What --workers, --reuse-port and --proxy-protocol say: listeners per endpoint, port sharing, PROXY headers first.</summary>
internal sealed record ServerScale(int Workers, bool ReusePort, bool ProxyProtocol);
