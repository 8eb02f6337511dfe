namespace SocketKit.Protocol.Proxy;

/// <summary>
/// A connection that must start with a PROXY protocol header did not start with a valid one. Nothing after it
/// can be trusted to come from a load balancer, so the connection is refused.
/// </summary>
public sealed class ProxyHeaderException : Exception
{
    /// <summary>Creates the exception for one broken rule.</summary>
    public ProxyHeaderException(ProxyHeaderError error, string message)
        : base(message) => Error = error;

    /// <summary>Which rule or limit was broken.</summary>
    public ProxyHeaderError Error { get; }
}
