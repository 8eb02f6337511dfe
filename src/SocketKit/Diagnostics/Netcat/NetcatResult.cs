namespace SocketKit.Diagnostics.Netcat;

/// <summary>What a relay moved.</summary>
/// <param name="Sent">Bytes from the input to the peer.</param>
/// <param name="Received">Bytes from the peer to the output.</param>
public sealed record NetcatResult(long Sent, long Received);
