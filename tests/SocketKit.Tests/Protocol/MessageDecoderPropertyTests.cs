using CsCheck;

namespace SocketKit.Tests.Protocol;

/// <summary>Properties of the decoder over generated streams: split-independence, and no exception but the typed one.</summary>
[Tier(TestTier.Unit)]
public class MessageDecoderPropertyTests
{
    private static readonly Gen<MessageHeader> GenHeader =
        from type in Gen.OneOf("text/json", "binary/custom-client-binary-type", "application/octet-stream")
        from encoding in Gen.OneOf("utf-8", "binary", "utf-16", "latin-1")
        from keepAlive in Gen.Bool
        from byteOrder in Gen.OneOf("little", "big")
        select new MessageHeader(type, encoding, 0) { KeepAlive = keepAlive, ByteOrder = byteOrder };

    private static readonly Gen<(MessageHeader Header, byte[] Content)> GenMessage =
        from header in GenHeader
        from content in Gen.Byte.Array[0, 300]
        select (header with { ContentLength = content.Length }, content);

    private static readonly Gen<(byte[] Stream, (MessageHeader Header, byte[] Content)[] Messages, int[] Cuts)> GenStream =
        from messages in GenMessage.Array[0, 8]
        let stream = messages.SelectMany(m => MessageEncoder.Encode(m.Header, m.Content)).ToArray()
        from cuts in Gen.Int[0, stream.Length].Array[0, 12]
        select (stream, messages, cuts.Distinct().Order().ToArray());

    [Fact]
    public void AnySequenceOfValidMessagesInAnySplitDecodesToTheSameMessages()
    {
        GenStream.Sample(t =>
        {
            List<Message> decoded = Splits.Decode(t.Stream, t.Cuts);
            Assert.Equal(t.Messages.Length, decoded.Count);
            for (int i = 0; i < decoded.Count; i++)
            {
                Assert.Equal(t.Messages[i].Header, decoded[i].Header);
                Assert.Equal(t.Messages[i].Content, decoded[i].Content.ToArray());
            }
        }, iter: 2000);
    }

    [Fact]
    public void AnyByteStringYieldsMessagesOrATypedErrorAndNothingElse()
    {
        // Bytes that start like a frame (a small header length, then JSON-ish text) reach deeper than pure noise.
        Gen<byte[]> framed =
            from length in Gen.Int[0, 120]
            from body in Gen.OneOf(Gen.Byte.Array[0, 200], Gen.Char["{}[]\":,0123456789-.eEtrufalsn byteorder content-type-encoding-length"].Array[0, 200].Select(c => Encoding.UTF8.GetBytes(c)))
            select (byte[])[(byte)(length >> 8), (byte)length, .. body];
        Gen.OneOf(Gen.Byte.Array[0, 400], framed).Select(b => (Bytes: b, Cut: b.Length / 2)).Sample(t =>
        {
            try
            {
                Splits.Decode(t.Bytes, [t.Cut]);
            }
            catch (ProtocolException)
            {
                // A typed error is one of the two allowed outcomes.
            }
        }, iter: 20_000);
    }

    [Fact]
    public void AHeaderDeclaringTheMaximumContentCostsMemoryOnlyForTheBytesThatCame()
    {
        var decoder = new MessageDecoder();
        var data = new ReadOnlySequence<byte>(Frames.Raw(Frames.Header("binary/x", "binary", ProtocolLimits.Default.MaxContentBytes), new byte[10]));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.False(decoder.TryDecode(ref data, out _));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < ProtocolLimits.Default.MaxContentBytes / 8, $"allocated {allocated:N0} bytes for 10 content bytes of a declared {ProtocolLimits.Default.MaxContentBytes:N0}");
    }
}
