using System.Net;

namespace SocketKit.Transport;

/// <summary>Who a connection is: a number unique in its server, and both ends.</summary>
public sealed record ConnectionInfo(long Id, EndPoint LocalEndPoint, EndPoint RemoteEndPoint)
{
    /// <summary>The peer's address as text.</summary>
    public string Remote { get; } = EndPoints.Format(RemoteEndPoint);
}
