using System.Net;

namespace SocketKit.Protocol.Proxy;

/// <summary>What a load balancer's PROXY protocol header said about the connection it relays.</summary>
/// <param name="Version">1 (the text form) or 2 (the binary form).</param>
/// <param name="Command">Whether the connection is relayed for a client, or is the balancer's own (a health check).</param>
/// <param name="Source">The client's address and port; null when the header names none (v1 UNKNOWN, v2 LOCAL, UNSPEC or UNIX): use the connection's own.</param>
/// <param name="Destination">The address and port the client connected to; null exactly when <paramref name="Source"/> is.</param>
/// <param name="HeaderBytes">How many bytes the header took on the wire, TLVs included.</param>
public sealed record ProxyHeader(int Version, ProxyCommand Command, IPEndPoint? Source, IPEndPoint? Destination, int HeaderBytes);

/// <summary>The command of a PROXY header.</summary>
public enum ProxyCommand
{
    /// <summary>The connection is relayed on behalf of the client the header names (v1 always, v2 PROXY).</summary>
    Proxy,

    /// <summary>v2 LOCAL: the balancer speaks for itself (health checks); the addresses are the connection's own.</summary>
    Local,
}
