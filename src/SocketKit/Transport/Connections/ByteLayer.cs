namespace SocketKit.Transport.Connections;

/// <summary>
/// One layer of the bytes between a connection's socket and its handler: the PROXY header, TLS, or any other that
/// changes or reads the bytes on their way. A connection's layers are a chain, the wire at the bottom and the handler
/// on top; a plain connection has none. Inbound, a layer takes the bytes from below (<see cref="Receive"/>,
/// <see cref="ReceiveEnd"/>) and passes what is for the layers above with <see cref="PassUp"/>; outbound, a layer that
/// changes what goes out (<see cref="TransformsOutbound"/>) takes the bytes from above (<see cref="Write"/>) and keeps
/// its own wire bytes (<see cref="Outgoing"/>) until the layer below or the socket takes them (<see cref="Consume"/>).
/// A layer that only reads (the PROXY header) leaves the outbound bytes alone, with no copy.
/// </summary>
/// <remarks>
/// Not thread-safe: the connection's driver calls its layers from one thread at a time. Calls come per read and per
/// send, never per byte. What a layer must tell the connection (a client named, a handshake's end, a refusal) goes to
/// its <see cref="Host"/>.
/// </remarks>
internal abstract class ByteLayer : IDisposable
{
    private IByteLayerHost? _host;
    private ByteLayer? _above;

    /// <summary>The connection this layer serves.</summary>
    protected IByteLayerHost Host => _host ?? throw new InvalidOperationException("the layer is not in a connection's chain");

    /// <summary>
    /// True when the handler is to be made only once this layer has named the client (<see cref="IByteLayerHost.NameClient"/>):
    /// the PROXY header's layer. Default false.
    /// </summary>
    public virtual bool NamesClient => false;

    /// <summary>True when this layer changes what goes out, and so implements <see cref="Write"/>, <see cref="Outgoing"/> and <see cref="Consume"/>. Default false.</summary>
    public virtual bool TransformsOutbound => false;

    /// <summary>Its own wire bytes waiting to go down (a layer that <see cref="TransformsOutbound"/>): valid until the next call.</summary>
    public virtual ReadOnlyMemory<byte> Outgoing => ReadOnlyMemory<byte>.Empty;

    /// <summary>How many bytes <see cref="Outgoing"/> holds.</summary>
    public virtual int OutgoingCount => 0;

    /// <summary>Puts the layer in a chain: <paramref name="above"/> is the next layer up, null for the handler.</summary>
    internal void Attach(IByteLayerHost host, ByteLayer? above)
    {
        _host = host;
        _above = above;
    }

    /// <summary>Bytes from below, in any split; the layer passes what is for above with <see cref="PassUp"/>. Default: all of them.</summary>
    public virtual void Receive(ReadOnlyMemory<byte> bytes) => PassUp(bytes);

    /// <summary>The stream from below ended (the peer's FIN); the layer passes the end up with <see cref="PassUpEnd"/>. Default: at once.</summary>
    public virtual void ReceiveEnd() => PassUpEnd();

    /// <summary>Bytes from above to send: the layer appends its wire bytes to <see cref="Outgoing"/>.</summary>
    public virtual void Write(ReadOnlyMemory<byte> bytes) =>
        throw new NotSupportedException($"{GetType().Name} does not change outbound bytes");

    /// <summary>The layer below (or the socket) took the first <paramref name="count"/> bytes of <see cref="Outgoing"/>.</summary>
    public virtual void Consume(int count)
    {
    }

    /// <summary>The conversation is over and every byte above is written: the layer's goodbye (TLS's close_notify) goes to <see cref="Outgoing"/>. Called again, it adds nothing.</summary>
    public virtual void Close()
    {
    }

    /// <summary>The connection is closed: the layer lets go of what it holds.</summary>
    public virtual void Dispose()
    {
    }

    /// <summary>Hands <paramref name="bytes"/> to the layer above, or the handler; they are used before this returns.</summary>
    protected void PassUp(ReadOnlyMemory<byte> bytes)
    {
        if (_above is { } above)
        {
            above.Receive(bytes);
        }
        else
        {
            Host.Deliver(bytes);
        }
    }

    /// <summary>Tells the layer above (or the handler) that nothing more will come.</summary>
    protected void PassUpEnd()
    {
        if (_above is { } above)
        {
            above.ReceiveEnd();
        }
        else
        {
            Host.DeliverEnd();
        }
    }
}
