namespace SocketKit.Hosting;

/// <summary>The configurable part of <see cref="Transport.ServerLimits"/> and <see cref="Protocol.ProtocolLimits"/>; null keeps the default.</summary>
public sealed class SocketKitLimitsOptions
{
    /// <summary>The most connections served at once (default 10,000).</summary>
    public int? MaxConnections { get; set; }

    /// <summary>The most connections one client address may hold at once (<c>--max-connections-per-address</c>). Null: no limit but MaxConnections.</summary>
    public int? MaxConnectionsPerAddress { get; set; }

    /// <summary>The most bytes a connection may have waiting to be sent (default 2 MiB).</summary>
    public int? MaxSendBufferBytes { get; set; }

    /// <summary>The longest JSON header of a request, in bytes (default 65,535, the wire's maximum).</summary>
    public int? MaxHeaderBytes { get; set; }

    /// <summary>The largest request content, in bytes (default 1 MiB).</summary>
    public int? MaxContentBytes { get; set; }

    /// <summary>The deepest JSON nesting accepted (default 64).</summary>
    public int? MaxJsonDepth { get; set; }
}
