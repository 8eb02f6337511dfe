using System.Security.Cryptography.X509Certificates;

namespace SocketKit.Transport.Connections;

/// <summary>The connection as its <see cref="ByteLayer"/>s see it: where the top layer's bytes go, and what a layer may tell it.</summary>
internal interface IByteLayerHost
{
    /// <summary>The connection: as accepted, or as a PROXY header named it.</summary>
    ConnectionInfo Info { get; }

    /// <summary>True once the conversation is over: a layer passes nothing more up.</summary>
    bool IsDone { get; }

    /// <summary>The top layer's bytes, for the handler.</summary>
    void Deliver(ReadOnlyMemory<byte> bytes);

    /// <summary>The top layer's stream ended: the handler has its last word, and the conversation is over.</summary>
    void DeliverEnd();

    /// <summary>Bytes a layer took for itself that count as received (the PROXY header): counted, logged, and timed as a request begun.</summary>
    void ReceivedOwn(ReadOnlySpan<byte> bytes);

    /// <summary>A layer read who the client is (the PROXY header): false when the server refuses it; otherwise its handler is made for it.</summary>
    bool NameClient(ConnectionInfo client);

    /// <summary>A handshake ended (TLS): its deadline is lifted; with <paramref name="failure"/> the connection ends as failed, logged.</summary>
    /// <param name="clientCertificate">The client's certificate the handshake accepted, if any.</param>
    /// <param name="failure">Why the handshake failed, or null when it succeeded.</param>
    void HandshakeDone(X509Certificate2? clientCertificate, Exception? failure);

    /// <summary>A layer ends the conversation without the handler's word (a refused header, a stream ended during a handshake).</summary>
    void End(ConnectionCloseReason reason);
}
