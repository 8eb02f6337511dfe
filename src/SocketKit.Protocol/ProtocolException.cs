namespace SocketKit.Protocol;

/// <summary>
/// The peer sent bytes that break the protocol. A length-prefixed stream cannot resynchronise after
/// a framing error, so the connection that raised it is finished; other connections are not affected.
/// </summary>
public sealed class ProtocolException : Exception
{
    /// <summary>Creates the exception for one broken rule.</summary>
    public ProtocolException(ProtocolError error, string message, Exception? inner = null)
        : base(message, inner) => Error = error;

    /// <summary>Which rule or limit was broken.</summary>
    public ProtocolError Error { get; }

    /// <summary>
    /// True when the whole message was framed before the error was found (its content is bad, its
    /// boundaries are known), so an error response can still be sent on the same stream.
    /// </summary>
    public bool StreamInSync => Error is ProtocolError.UnsupportedEncoding or ProtocolError.InvalidContentEncoding
        or ProtocolError.InvalidContentJson or ProtocolError.ContentNotObject;
}
