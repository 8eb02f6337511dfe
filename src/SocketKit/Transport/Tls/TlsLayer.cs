using SocketKit.Transport.Connections;

namespace SocketKit.Transport.Tls;

/// <summary>
/// TLS as a connection's byte layer, over a <see cref="TlsPump"/>: ciphertext from below is fed to the pump and its
/// plaintext passed up; plaintext from above is encrypted into records; the pump's handshake records go out as they
/// come. The handshake's end (well or not) is told to the connection, which lifts its deadline; close_notify is the
/// layer's goodbye.
/// </summary>
/// <remarks>
/// The pump is used from one thread at a time but, on the asynchronous engines, not always the same one: every call
/// hands it to the calling thread first (<see cref="TlsPump.Adopt"/>).
/// </remarks>
internal sealed class TlsLayer(TlsPump pump) : ByteLayer
{
    private bool _handshaking = true;
    private bool _ended; // The plaintext stream's end was passed up.

    /// <summary>A server's side: the handshake starts now, on the calling thread, and waits for the client's hello.</summary>
    public static TlsLayer ForServer(TlsServerOptions options) => new(TlsPump.ForServer(options));

    public override bool TransformsOutbound => true;

    public override ReadOnlyMemory<byte> Outgoing => pump.OutgoingMemory;

    public override int OutgoingCount => pump.OutgoingCount;

    public override void Receive(ReadOnlyMemory<byte> bytes)
    {
        pump.Adopt();
        pump.Feed(bytes.Span);
        PassPlaintext(ended: false);
    }

    public override void ReceiveEnd()
    {
        pump.Adopt();
        pump.FeedEnd();
        PassPlaintext(ended: true);
    }

    private void PassPlaintext(bool ended)
    {
        if (_handshaking && !pump.IsHandshaking)
        {
            // Over, well or not: from now on the connection's other deadlines are what is timed.
            _handshaking = false;
            Host.HandshakeDone(pump.IsAuthenticated ? pump.RemoteCertificate : null, pump.IsAuthenticated ? null : pump.HandshakeFailure);
        }
        if (!pump.IsAuthenticated)
        {
            if (ended && !Host.IsDone)
            {
                Host.End(ConnectionCloseReason.PeerClosed);
            }
            return; // The handshake's own records (if any) are pending.
        }
        while (!Host.IsDone && pump.TryRead(out ReadOnlyMemory<byte> plaintext))
        {
            PassUp(plaintext);
        }
        if (!Host.IsDone && !_ended && (pump.PeerClosed || ended))
        {
            // close_notify, or the TCP stream ended between records: nothing more can arrive.
            _ended = true;
            PassUpEnd();
        }
    }

    public override void Write(ReadOnlyMemory<byte> bytes)
    {
        pump.Adopt();
        pump.Write(bytes);
    }

    public override void Consume(int count) => pump.Consume(count);

    public override void Close()
    {
        pump.Adopt();
        pump.Close();
    }

    public override void Dispose()
    {
        pump.Adopt();
        pump.Dispose();
    }
}
