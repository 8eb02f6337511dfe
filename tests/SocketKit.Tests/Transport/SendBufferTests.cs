namespace SocketKit.Tests.Transport;

/// <summary>
/// The bytes a connection has to send: room is offered up to the limit and never past it, asking past it fails before
/// any byte is copied, growing keeps what was written, and what is sent in parts stays until everything is.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class SendBufferTests
{
    private static byte[] Bytes(int count, int from = 0) => [.. Enumerable.Range(from, count).Select(i => (byte)(i * 13 + 1))];

    private static void Write(SendBuffer buffer, byte[] bytes)
    {
        bytes.CopyTo(buffer.GetSpan(bytes.Length));
        buffer.Advance(bytes.Length);
    }

    [Fact]
    public void ANewBufferHoldsNothing()
    {
        var buffer = new SendBuffer(limit: 1000);
        Assert.Equal(0, buffer.WrittenCount);
        Assert.True(buffer.WrittenMemory.IsEmpty);
        Assert.True(buffer.WrittenSpan.IsEmpty);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(5000)] // Above the first array's size.
    public void TheRoomOfferedReachesTheLimitAndNeverPassesIt(int limit)
    {
        var buffer = new SendBuffer(limit);
        Assert.InRange(buffer.GetSpan().Length, 1, limit);
        Assert.Equal(limit, buffer.GetMemory(limit).Length);
        buffer.Advance(limit - 1);
        Assert.Equal(1, buffer.GetSpan(1).Length);
    }

    [Fact]
    public void WritingExactlyTheLimitSucceedsAndOneByteMoreFailsLeavingWhatWasWritten()
    {
        const int limit = 300;
        var buffer = new SendBuffer(limit);
        byte[] written = Bytes(limit);
        Write(buffer, written);
        Assert.Equal(limit, buffer.WrittenCount);

        var full = Assert.Throws<SendBufferFullException>(() => buffer.GetSpan(1));
        Assert.Contains($"{limit:N0} bytes", full.Message);
        Assert.Throws<SendBufferFullException>(() => buffer.GetMemory());
        Assert.Equal(written, buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void AskingForMoreThanTheLimitFailsBeforeAnyByteIsWritten()
    {
        var buffer = new SendBuffer(limit: 1000);
        Assert.Throws<SendBufferFullException>(() => buffer.GetMemory(1001));
        Assert.Equal(0, buffer.WrittenCount);
        Write(buffer, Bytes(1000)); // The failed request left the buffer usable.
        Assert.Equal(1000, buffer.WrittenCount);
    }

    [Theory]
    [InlineData(3000, 5000)]   // Past the first array: it grows.
    [InlineData(4096, 1)]      // Exactly full, then one more byte.
    [InlineData(1, 100_000)]   // Much more than doubling.
    public void GrowingKeepsEveryByteWritten(int first, int second)
    {
        var buffer = new SendBuffer(limit: 1 << 20);
        byte[] a = Bytes(first), b = Bytes(second, first);
        Write(buffer, a);
        Span<byte> room = buffer.GetSpan(second);
        Assert.True(room.Length >= second, $"{room.Length} bytes of room for {second}");
        b.CopyTo(room);
        buffer.Advance(second);
        Assert.Equal([.. a, .. b], buffer.WrittenMemory.ToArray());
    }

    [Fact]
    public void AdvancingPastTheRoomOrBackwardsIsRefused()
    {
        var buffer = new SendBuffer(limit: 10);
        Assert.Throws<InvalidOperationException>(() => buffer.Advance(1)); // No room asked for yet.
        int room = buffer.GetSpan().Length;
        Assert.Throws<InvalidOperationException>(() => buffer.Advance(room + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Advance(-1));
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void BytesSentInPartsStayAndCountAgainstTheLimitUntilEverythingIsSent()
    {
        const int limit = 6000;
        var buffer = new SendBuffer(limit);
        byte[] first = Bytes(4000);
        Write(buffer, first);
        // The socket took 1,500 bytes; the handler writes more before the rest goes.
        int sent = 1500;
        Assert.Equal(first[..sent], buffer.WrittenMemory[..sent].ToArray());
        byte[] more = Bytes(2000, 4000);
        Write(buffer, more); // Grows past the first array while part is sent.
        Assert.Equal([.. first[sent..], .. more], buffer.WrittenMemory[sent..].ToArray());
        // What was sent is still counted: the limit bounds the buffer, not what is left to send.
        Assert.Throws<SendBufferFullException>(() => buffer.GetSpan(limit - buffer.WrittenCount + 1));
    }

    [Fact]
    public void AResetBufferStartsEmptyAndIsUsedAgain()
    {
        var buffer = new SendBuffer(limit: 100);
        Write(buffer, Bytes(100));
        buffer.Reset();
        Assert.Equal(0, buffer.WrittenCount);
        Assert.True(buffer.WrittenMemory.IsEmpty);
        byte[] again = Bytes(100, 50); // The whole limit again: the sent bytes no longer count.
        Write(buffer, again);
        Assert.Equal(again, buffer.WrittenSpan.ToArray());
        buffer.Reset();
        buffer.Reset(); // Twice is harmless: nothing is returned to the pool twice.
        Assert.Equal(0, buffer.WrittenCount);
    }
}
