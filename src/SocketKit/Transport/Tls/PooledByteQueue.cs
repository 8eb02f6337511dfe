namespace SocketKit.Transport.Tls;

/// <summary>
/// Bytes waiting their turn, first in first out, in one array rented from the shared pool while it holds bytes and
/// returned once empty: an idle connection holds none, and a large burst leaves no large buffer behind.
/// </summary>
/// <remarks>Not thread-safe: a queue belongs to one <see cref="TlsPump"/>.</remarks>
internal sealed class PooledByteQueue
{
    private byte[] _buffer = [];
    private int _start;
    private int _end;

    /// <summary>How many bytes are queued.</summary>
    public int Count => _end - _start;

    /// <summary>The queued bytes, oldest first; valid until the queue next changes.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(_start, _end - _start);

    /// <summary><see cref="Span"/> as memory, for a send that outlives a span.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(_start, _end - _start);

    /// <summary>Adds <paramref name="bytes"/> at the end, moving or growing the array when they do not fit after what is held.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_buffer.Length - _end < bytes.Length)
        {
            int live = _end - _start;
            if (_buffer.Length - live < bytes.Length)
            {
                byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(_buffer.Length * 2, 4096), live + bytes.Length));
                _buffer.AsSpan(_start, live).CopyTo(bigger);
                Release();
                _buffer = bigger;
            }
            else
            {
                _buffer.AsSpan(_start, live).CopyTo(_buffer);
            }
            _start = 0;
            _end = live;
        }
        bytes.CopyTo(_buffer.AsSpan(_end));
        _end += bytes.Length;
    }

    /// <summary>Moves as many of the oldest bytes as fit into <paramref name="destination"/>; returns how many.</summary>
    public int Take(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, Count);
        Span[..n].CopyTo(destination);
        Consume(n);
        return n;
    }

    /// <summary>Drops the oldest <paramref name="count"/> bytes (they went out).</summary>
    public void Consume(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        _start += count;
        if (_start == _end)
        {
            Clear();
        }
    }

    /// <summary>Drops everything and gives the array back to the pool.</summary>
    public void Clear()
    {
        _start = _end = 0;
        Release();
    }

    private void Release()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
