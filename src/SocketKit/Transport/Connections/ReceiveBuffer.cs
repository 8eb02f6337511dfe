namespace SocketKit.Transport.Connections;

/// <summary>
/// Feeds received bytes to a handler and keeps what it leaves unconsumed (a partial header at most,
/// since decoders copy content out as it comes), so engines that read into a shared buffer can reuse it.
/// </summary>
/// <remarks>A struct, kept inside its connection's driver: one object fewer per connection. Never copy one.</remarks>
internal struct ReceiveBuffer
{
    private byte[]? _carry; // Null while nothing waits: an idle connection holds no buffer.
    private int _carryLength;

    public int UnconsumedBytes => _carryLength;

    public NextStep Feed(IConnectionHandler handler, ReadOnlyMemory<byte> received, IBufferWriter<byte> output)
    {
        ReadOnlySequence<byte> data;
        if (_carryLength == 0)
        {
            data = new ReadOnlySequence<byte>(received);
        }
        else
        {
            EnsureCapacity(_carryLength + received.Length);
            received.Span.CopyTo(_carry.AsSpan(_carryLength));
            _carryLength += received.Length;
            data = new ReadOnlySequence<byte>(_carry!, 0, _carryLength);
        }
        NextStep step = handler.OnData(ref data, output);
        Keep(data);
        return step;
    }

    /// <summary>Keeps <paramref name="received"/> after what waits already, without offering it: the handler is at work.</summary>
    public void Append(ReadOnlyMemory<byte> received)
    {
        if (received.IsEmpty)
        {
            return;
        }
        EnsureCapacity(_carryLength + received.Length);
        received.Span.CopyTo(_carry.AsSpan(_carryLength));
        _carryLength += received.Length;
    }

    public NextStep Finish(IConnectionHandler handler, IBufferWriter<byte> output) =>
        handler.OnPeerClosed(new ReadOnlySequence<byte>(_carry ?? [], 0, _carryLength), output);

    private void Keep(ReadOnlySequence<byte> rest)
    {
        int length = (int)rest.Length;
        if (length == 0)
        {
            _carryLength = 0;
            _carry = null; // Most requests arrive whole: the few split ones pay for a new array, not every idle connection.
            return;
        }
        // rest may point into _carry itself; copy through a temporary when it does.
        byte[] copy = rest.ToArray();
        EnsureCapacity(length);
        copy.CopyTo(_carry!, 0);
        _carryLength = length;
    }

    private void EnsureCapacity(int needed)
    {
        int length = _carry?.Length ?? 0;
        if (length < needed)
        {
            Array.Resize(ref _carry, Math.Max(needed, Math.Max(256, length * 2)));
        }
    }
}
