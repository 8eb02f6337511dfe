using SocketKit.Transport.Tls;

namespace SocketKit.Applications.MultiConn;

/// <summary>What one of the multiconn client's connections sent and got back.</summary>
/// <param name="ConnectionId">1-based, as the tutorial numbers them.</param>
/// <param name="Sent">The bytes sent.</param>
/// <param name="Received">The bytes that came back.</param>
/// <param name="Error">Why the connection failed, or null when every byte came back.</param>
public sealed record MultiConnResult(int ConnectionId, byte[] Sent, byte[] Received, string? Error)
{
    /// <summary>True when the connection got back as many bytes as it sent.</summary>
    public bool Complete => Error is null && Received.Length == Sent.Length;

    /// <summary>For a refused TLS handshake: why, where the client can tell; null otherwise.</summary>
    public TlsRefusal? TlsRefusal { get; init; }
}
