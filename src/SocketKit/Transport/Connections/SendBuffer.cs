namespace SocketKit.Transport.Connections;

/// <summary>A handler wrote more than the connection may buffer for sending.</summary>
internal sealed class SendBufferFullException(int limit) : Exception($"the response would exceed the send buffer limit of {limit:N0} bytes")
{
}

/// <summary>
/// The bytes a connection has to send, bounded: a handler that asks for room beyond
/// <see cref="ServerLimits.MaxSendBufferBytes"/> is stopped before the bytes exist, so the limit holds for memory,
/// not only for what is counted. The array comes from the shared pool and goes back once everything is sent, so an
/// idle connection holds no output buffer.
/// </summary>
internal sealed class SendBuffer(int limit) : IBufferWriter<byte>
{
    private const int MinimumSize = 4096;
    private byte[]? _buffer;
    private int _written;

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => WrittenMemory.Span;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        // The room offered, not the pooled array (which may be longer): past it the limit would not hold.
        if (_written + count > Math.Min(_buffer?.Length ?? 0, limit)) throw new InvalidOperationException("advanced past the room offered");
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        int room = Reserve(sizeHint); // May replace _buffer: reserve before taking the slice.
        return _buffer.AsMemory(_written, room);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        int room = Reserve(sizeHint);
        return _buffer.AsSpan(_written, room);
    }

    /// <summary>Everything written has been sent: the array goes back to the pool.</summary>
    public void Reset()
    {
        _written = 0;
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    private int Reserve(int sizeHint)
    {
        int wanted = Math.Max(sizeHint, 1);
        int capacity = _buffer?.Length ?? 0;
        int room = Math.Min(capacity, limit) - _written;
        if (room >= wanted)
        {
            return room;
        }
        if ((long)_written + wanted > limit)
        {
            throw new SendBufferFullException(limit);
        }
        // The pool may hand out more than asked; the room offered never passes the limit.
        int size = (int)Math.Min(Math.Max((long)_written + wanted, Math.Max(MinimumSize, 2L * capacity)), limit);
        byte[] bigger = ArrayPool<byte>.Shared.Rent(size);
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _written).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = bigger;
        return Math.Min(_buffer.Length, limit) - _written;
    }
}
