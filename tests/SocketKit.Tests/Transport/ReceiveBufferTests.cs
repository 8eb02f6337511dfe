namespace SocketKit.Tests.Transport;

/// <summary>
/// The bytes a handler leaves unconsumed wait in the receive buffer and come back first, with what arrives next, in
/// order: at every size (growth), from any point of what was carried (compaction), and to the handler at the peer's close.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class ReceiveBufferTests
{
    /// <summary>A handler that records what it is offered and consumes as many bytes as it is told.</summary>
    private sealed class Handler(Func<byte[], int> consume, NextStep step = NextStep.Receive) : IConnectionHandler
    {
        public List<byte[]> Offered { get; } = [];
        public byte[]? AtClose { get; private set; }

        public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
        {
            byte[] offered = data.ToArray();
            Offered.Add(offered);
            data = data.Slice(consume(offered));
            return step;
        }

        public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output)
        {
            AtClose = unconsumed.ToArray();
            return NextStep.CloseAfterSending;
        }
    }

    private static readonly ArrayBufferWriter<byte> Output = new();

    private static byte[] Bytes(int count, int from = 0) => [.. Enumerable.Range(from, count).Select(i => (byte)(i * 7 + 3))];

    [Fact]
    public void WhatIsConsumedIsNotOfferedAgain()
    {
        var handler = new Handler(offered => offered.Length);
        var buffer = new ReceiveBuffer();
        byte[] first = Bytes(10), second = Bytes(20, 10);
        buffer.Feed(handler, first, Output);
        buffer.Feed(handler, second, Output);
        Assert.Equal([first, second], handler.Offered);
        Assert.Equal(0, buffer.UnconsumedBytes);
    }

    [Fact]
    public void WhatIsLeftComesBackFirstWithTheNextBytes()
    {
        var handler = new Handler(offered => offered.Length - 3); // Keeps the last three: a partial header, say.
        var buffer = new ReceiveBuffer();
        byte[] first = Bytes(10), second = Bytes(5, 10);
        buffer.Feed(handler, first, Output);
        Assert.Equal(3, buffer.UnconsumedBytes);
        buffer.Feed(handler, second, Output);
        Assert.Equal([.. first[^3..], .. second], handler.Offered[1]);
        Assert.Equal(3, buffer.UnconsumedBytes);
    }

    [Theory]
    [InlineData(1)]      // A byte at a time: the carry grows from empty.
    [InlineData(255)]    // Around the first capacity.
    [InlineData(257)]
    [InlineData(70_000)] // Past the size an idle connection may keep.
    public void NothingConsumedKeepsEveryByteInOrderAsTheCarryGrows(int chunk)
    {
        var handler = new Handler(_ => 0);
        var buffer = new ReceiveBuffer();
        byte[] all = Bytes(chunk * 5);
        for (int sent = 0; sent < all.Length; sent += chunk)
        {
            buffer.Feed(handler, all.AsMemory(sent, chunk), Output);
            Assert.Equal(all[..(sent + chunk)], handler.Offered[^1]);
        }
        Assert.Equal(all.Length, buffer.UnconsumedBytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(299)]  // All but the last byte of the carry.
    [InlineData(150)]  // The rest overlaps where it moves to.
    public void ConsumingPartOfTheCarryMovesTheRestToTheFront(int consumed)
    {
        var buffer = new ReceiveBuffer();
        byte[] all = Bytes(300), next = Bytes(40, 300);
        buffer.Feed(new Handler(_ => 0), all, Output);
        var handler = new Handler(offered => offered.Length == all.Length + next.Length ? consumed : 0);
        buffer.Feed(handler, next, Output);
        Assert.Equal(all.Length + next.Length - consumed, buffer.UnconsumedBytes);

        buffer.Feed(handler, Bytes(1, 340), Output);
        byte[] everything = [.. all, .. next, .. Bytes(1, 340)];
        Assert.Equal(everything[consumed..], handler.Offered[^1]);
    }

    [Fact]
    public void ALargeCarryOnceConsumedLeavesTheBufferReadyForSmallOnes()
    {
        var buffer = new ReceiveBuffer();
        buffer.Feed(new Handler(_ => 0), Bytes(100_000), Output);
        var handler = new Handler(offered => offered.Length);
        buffer.Feed(handler, Bytes(1, 5), Output); // The whole carry and the new byte, all consumed.
        Assert.Equal(100_001, handler.Offered[0].Length);
        Assert.Equal(0, buffer.UnconsumedBytes);

        var keeping = new Handler(_ => 0);
        byte[] small = Bytes(3, 9);
        buffer.Feed(keeping, small, Output);
        buffer.Feed(keeping, small, Output);
        Assert.Equal([.. small, .. small], keeping.Offered[^1]);
    }

    [Fact]
    public void AnEmptyReadOffersWhatIsCarried()
    {
        var buffer = new ReceiveBuffer();
        byte[] first = Bytes(10);
        buffer.Feed(new Handler(o => o.Length - 4), first, Output);
        var handler = new Handler(_ => 0);
        buffer.Feed(handler, ReadOnlyMemory<byte>.Empty, Output);
        Assert.Equal(first[^4..], handler.Offered[0]);
    }

    [Fact]
    public void TheHandlersNextStepIsReturned()
    {
        var buffer = new ReceiveBuffer();
        Assert.Equal(NextStep.CloseAfterSending, buffer.Feed(new Handler(o => o.Length, NextStep.CloseAfterSending), Bytes(4), Output));
        Assert.Equal(NextStep.Receive, buffer.Feed(new Handler(o => o.Length, NextStep.Receive), Bytes(4), Output));
    }

    [Fact]
    public void AtThePeersCloseTheHandlerGetsWhatItLeft()
    {
        var buffer = new ReceiveBuffer();
        byte[] sent = Bytes(10);
        var handler = new Handler(o => o.Length - 6);
        buffer.Feed(handler, sent, Output);
        Assert.Equal(NextStep.CloseAfterSending, buffer.Finish(handler, Output));
        Assert.Equal(sent[^6..], handler.AtClose);

        var empty = new ReceiveBuffer();
        empty.Finish(handler, Output);
        Assert.Empty(handler.AtClose!);
    }
}
