using System.Net;

namespace SocketKit.Transport;

/// <summary>Who a connection is: a number unique in its server, and both ends.</summary>
public sealed record ConnectionInfo(long Id, EndPoint LocalEndPoint, EndPoint RemoteEndPoint)
{
    /// <summary>The peer's address as text.</summary>
    public string Remote { get; } = EndPoints.Format(RemoteEndPoint);

    /// <summary>
    /// The load balancer's end of the connection when a PROXY protocol header named the client (then
    /// <see cref="RemoteEndPoint"/> is the client's real address); null for a direct connection.
    /// </summary>
    public EndPoint? ProxyEndPoint { get; init; }
}
