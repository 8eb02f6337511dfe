using System.Buffers;

namespace SocketKit.Transport;

/// <summary>A handler wrote more than the connection may buffer for sending.</summary>
internal sealed class SendBufferFullException(int limit) : Exception($"the response would exceed the send buffer limit of {limit:N0} bytes")
{
}

/// <summary>
/// The bytes a connection has to send, bounded: a handler that asks for room beyond
/// <see cref="ServerLimits.MaxSendBufferBytes"/> is stopped before the bytes exist, so the limit holds for memory,
/// not only for what is counted.
/// </summary>
internal sealed class SendBuffer(int limit) : IBufferWriter<byte>
{
    private byte[] _buffer = [];
    private int _written;

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _buffer.Length) throw new InvalidOperationException("advanced past the buffer");
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

    public void Reset()
    {
        _written = 0;
        if (_buffer.Length > 64 * 1024)
        {
            _buffer = []; // An idle connection keeps no large buffer.
        }
    }

    private int Reserve(int sizeHint)
    {
        int wanted = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= wanted)
        {
            return _buffer.Length - _written;
        }
        if ((long)_written + wanted > limit)
        {
            throw new SendBufferFullException(limit);
        }
        long grown = Math.Max((long)_written + wanted, Math.Max(256, (long)_buffer.Length * 2));
        Array.Resize(ref _buffer, (int)Math.Min(grown, limit));
        return _buffer.Length - _written;
    }
}
