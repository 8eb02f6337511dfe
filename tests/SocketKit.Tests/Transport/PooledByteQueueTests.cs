using SocketKit.Transport.Tls;

namespace SocketKit.Tests.Transport;

/// <summary>The TLS pump's byte queue, in memory: first in, first out, whatever the pieces, as it moves and grows.</summary>
[Tier(TestTier.Unit)]
public sealed class PooledByteQueueTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(1000, 4097)]
    [InlineData(5000, 1)]
    public void BytesComeOutInTheOrderTheyWentInWhateverThePieces(int appendPiece, int takePiece)
    {
        byte[] all = new byte[20_000];
        new Random(appendPiece * 31 + takePiece).NextBytes(all);
        var queue = new PooledByteQueue();
        var taken = new List<byte>();
        int appended = 0;
        byte[] piece = new byte[takePiece];
        // Appends and takes interleave, so the queue both moves what it holds to the front and grows.
        while (taken.Count < all.Length)
        {
            if (appended < all.Length)
            {
                int n = Math.Min(appendPiece, all.Length - appended);
                queue.Append(all.AsSpan(appended, n));
                appended += n;
            }
            Assert.Equal(appended - taken.Count, queue.Count);
            int got = queue.Take(piece);
            taken.AddRange(piece.AsSpan(0, got).ToArray());
        }
        Assert.Equal(all, taken);
        Assert.Equal(0, queue.Count);
        Assert.True(queue.Memory.IsEmpty);
    }

    [Fact]
    public void ConsumeDropsTheOldestBytesAndSpanShowsTheRest()
    {
        var queue = new PooledByteQueue();
        queue.Append("hello, "u8);
        queue.Append("world"u8);
        queue.Consume("hello, ".Length);
        Assert.Equal("world"u8.ToArray(), queue.Span.ToArray());
        Assert.Equal("world"u8.ToArray(), queue.Memory.ToArray());
    }

    [Fact]
    public void ConsumingMoreThanIsQueuedIsRefused()
    {
        var queue = new PooledByteQueue();
        queue.Append("abc"u8);
        Assert.Throws<ArgumentOutOfRangeException>(() => queue.Consume(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => queue.Consume(-1));
        Assert.Equal(3, queue.Count);
    }

    [Fact]
    public void ClearEmptiesIt()
    {
        var queue = new PooledByteQueue();
        queue.Append(new byte[10_000]);
        queue.Clear();
        Assert.Equal(0, queue.Count);
        queue.Append("x"u8);
        Assert.Equal("x"u8.ToArray(), queue.Span.ToArray());
    }
}
