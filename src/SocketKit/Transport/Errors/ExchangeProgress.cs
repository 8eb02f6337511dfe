namespace SocketKit.Transport.Errors;

/// <summary>
/// How far a client's exchange had got when it failed after connecting: what it had sent, what had come back, and
/// how long it had waited since sending. It tells "the server took the request and said nothing" from a network
/// that lost the connection request.
/// </summary>
/// <param name="BytesSent">Bytes the client had written to the connection.</param>
/// <param name="BytesReceived">Bytes that had come back.</param>
/// <param name="Waited">From the end of sending to the failure.</param>
public sealed record ExchangeProgress(long BytesSent, long BytesReceived, TimeSpan Waited);
