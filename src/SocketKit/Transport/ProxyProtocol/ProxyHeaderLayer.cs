using SocketKit.Transport.Connections;

namespace SocketKit.Transport.ProxyProtocol;

/// <summary>
/// The PROXY header as a connection's bottom byte layer, read through a <see cref="ProxyPreamble"/> from the raw bytes
/// before anything else (TLS included): the header's bytes are counted as received and timed as a request begun; once
/// it is whole, the client it names is admitted (or refused) and the handler made for it, and every later byte passes
/// up untouched. A refused header closes the connection without a reply. Outbound bytes are not its business.
/// </summary>
internal sealed class ProxyHeaderLayer(ProxyPreamble preamble) : ByteLayer
{
    private bool _read;

    public override bool NamesClient => true;

    public override void Receive(ReadOnlyMemory<byte> bytes)
    {
        if (_read)
        {
            PassUp(bytes);
            return;
        }
        bool read = preamble.TryRead(bytes, out ConnectionInfo client, out ReadOnlyMemory<byte> rest);
        Host.ReceivedOwn(bytes.Span[..(bytes.Length - rest.Length)]);
        if (!read)
        {
            if (preamble.Refused)
            {
                Host.End(ConnectionCloseReason.Done);
            }
            return;
        }
        if (!Host.NameClient(client))
        {
            preamble.Drop();
            Host.End(ConnectionCloseReason.Refused);
            return;
        }
        _read = true;
        if (!rest.IsEmpty)
        {
            PassUp(rest);
        }
    }

    public override void ReceiveEnd()
    {
        if (_read)
        {
            PassUpEnd();
            return;
        }
        // Before the header was whole (or after it was refused): no handler was made, nothing is answered.
        preamble.End();
        if (!Host.IsDone)
        {
            Host.End(ConnectionCloseReason.PeerClosed);
        }
    }
}
