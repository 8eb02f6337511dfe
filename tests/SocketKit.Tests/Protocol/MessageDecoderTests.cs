namespace SocketKit.Tests.Protocol;

[Tier(TestTier.Unit)]
public class MessageDecoderTests
{
    public static TheoryData<string, byte[], ProtocolError> Malformed => new()
    {
        { "empty header", [0, 0], ProtocolError.EmptyHeader },
        { "header not JSON", Frames.Raw("{not json}"), ProtocolError.InvalidHeaderJson },
        { "header with trailing garbage", Frames.Raw(Frames.Header() + "x"), ProtocolError.InvalidHeaderJson },
        { "header is an array", Frames.Raw("[1, 2]"), ProtocolError.HeaderNotObject },
        { "header is a string", Frames.Raw("\"hello\""), ProtocolError.HeaderNotObject },
        { "header not UTF-8", Frames.Raw([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']), ProtocolError.HeaderNotUtf8 },
        { "missing byteorder", Frames.Raw("{\"content-type\": \"text/json\", \"content-encoding\": \"utf-8\", \"content-length\": 0}"), ProtocolError.MissingHeaderKey },
        { "missing content-length", Frames.Raw("{\"byteorder\": \"little\", \"content-type\": \"text/json\", \"content-encoding\": \"utf-8\"}"), ProtocolError.MissingHeaderKey },
        { "missing content-type", Frames.Raw("{\"byteorder\": \"little\", \"content-encoding\": \"utf-8\", \"content-length\": 0}"), ProtocolError.MissingHeaderKey },
        { "missing content-encoding", Frames.Raw("{\"byteorder\": \"little\", \"content-type\": \"text/json\", \"content-length\": 0}"), ProtocolError.MissingHeaderKey },
        { "negative content-length", Frames.Raw(Frames.Header(length: -1)), ProtocolError.InvalidHeaderValue },
        { "fractional content-length", Frames.Raw(Frames.Header().Replace("\"content-length\": 0", "\"content-length\": 4.0")), ProtocolError.InvalidHeaderValue },
        { "string content-length", Frames.Raw(Frames.Header().Replace("\"content-length\": 0", "\"content-length\": \"4\"")), ProtocolError.InvalidHeaderValue },
        { "boolean content-length", Frames.Raw(Frames.Header().Replace("\"content-length\": 0", "\"content-length\": true")), ProtocolError.InvalidHeaderValue },
        { "numeric content-type", Frames.Raw(Frames.Header().Replace("\"text/json\"", "7")), ProtocolError.InvalidHeaderValue },
        { "unknown byteorder", Frames.Raw(Frames.Header().Replace("little", "middle")), ProtocolError.InvalidHeaderValue },
        { "keep-alive not boolean", Frames.Raw(Frames.Header(extra: ", \"keep-alive\": \"yes\"")), ProtocolError.InvalidHeaderValue },
        { "content-length 2^40", Frames.Raw(Frames.Header(length: 1L << 40)), ProtocolError.ContentTooLarge },
        { "content-length past 64 bits", Frames.Raw(Frames.Header().Replace("\"content-length\": 0", "\"content-length\": 123456789012345678901234567890")), ProtocolError.ContentTooLarge },
        { "deep nesting in an unknown key", Frames.Raw(Frames.Header(extra: ", \"x\": " + new string('[', 100) + new string(']', 100))), ProtocolError.NestingTooDeep },
    };

    [Fact]
    public void AHeaderThatIsNotJsonSaysWhereInBytesOnce()
    {
        ProtocolException ex = Assert.Throws<ProtocolException>(() => Splits.Decode(Frames.Raw("{not json}"), []));
        Assert.Equal(ProtocolError.InvalidHeaderJson, ex.Error);
        Assert.StartsWith("the JSON header is not valid JSON (at byte 1): ", ex.Message);
        Assert.DoesNotContain("LineNumber", ex.Message);
        Assert.DoesNotContain("BytePositionInLine", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedInputGivesATypedErrorInEverySplit(string name, byte[] bytes, ProtocolError expected)
    {
        foreach ((string split, int[] cuts) in Splits.Of(bytes.Length))
        {
            ProtocolException ex = Assert.Throws<ProtocolException>(() => Splits.Decode(bytes, cuts));
            Assert.True(expected == ex.Error, $"{name}, {split}: {ex.Error}: {ex.Message}");
        }
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void ADecoderThatFoundAnErrorCannotBeReadFurther(string name, byte[] bytes, ProtocolError expected)
    {
        var decoder = new MessageDecoder();
        var data = new ReadOnlySequence<byte>(bytes);
        ProtocolException ex = Assert.Throws<ProtocolException>(() => decoder.TryDecode(ref data, out _));
        Assert.True(expected == ex.Error, name);
        var valid = new ReadOnlySequence<byte>(ReferenceVectors.Get("search-morpheus").Request);
        InvalidOperationException again = Assert.Throws<InvalidOperationException>(() => decoder.TryDecode(ref valid, out _));
        Assert.Contains(expected.ToString(), again.Message);
        Assert.Equal(ReferenceVectors.Get("search-morpheus").Request.Length, valid.Length);
        Assert.Throws<InvalidOperationException>(() => decoder.CompleteAtEndOfStream(0));
    }

    [Fact]
    public void ADecoderWhoseStreamEndedMidMessageCannotBeReadFurther()
    {
        var decoder = new MessageDecoder();
        var data = new ReadOnlySequence<byte>(new byte[] { 0x00 });
        Assert.False(decoder.TryDecode(ref data, out _));
        Assert.Equal(ProtocolError.TruncatedMessage, Assert.Throws<ProtocolException>(() => decoder.CompleteAtEndOfStream(data.Length)).Error);
        Assert.Throws<InvalidOperationException>(() => decoder.TryDecode(ref data, out _));
        Assert.Throws<InvalidOperationException>(() => decoder.CompleteAtEndOfStream(data.Length));
    }

    [Fact]
    public void AnOversizedHeaderIsRefusedAtItsProtoheaderBeforeAnyHeaderByteArrives()
    {
        var decoder = new MessageDecoder(new ProtocolLimits { MaxHeaderBytes = 100 });
        var data = new ReadOnlySequence<byte>(new byte[] { 0x00, 0x65 }); // 101
        ProtocolException ex = Assert.Throws<ProtocolException>(() => decoder.TryDecode(ref data, out _));
        Assert.Equal(ProtocolError.HeaderTooLarge, ex.Error);
        Assert.Contains("101", ex.Message);
        Assert.Contains("100", ex.Message);
    }

    [Fact]
    public void OversizedContentIsRefusedWhenTheHeaderEndsBeforeAnyContentArrives()
    {
        var decoder = new MessageDecoder(new ProtocolLimits { MaxContentBytes = 10 });
        var data = new ReadOnlySequence<byte>(Frames.Raw(Frames.Header(length: 11)));
        ProtocolException ex = Assert.Throws<ProtocolException>(() => decoder.TryDecode(ref data, out _));
        Assert.Equal(ProtocolError.ContentTooLarge, ex.Error);
    }

    [Fact]
    public void DecoderDoesNotConsumeAnIncompleteProtoHeader()
    {
        var decoder = new MessageDecoder();
        var data = new ReadOnlySequence<byte>(new byte[] { 0x00 });
        Assert.False(decoder.TryDecode(ref data, out _));
        Assert.Equal(1, data.Length);
        Assert.True(decoder.IsAtMessageBoundary);
    }

    [Fact]
    public void DecoderLeavesTheNextMessagesBytesInPlace()
    {
        byte[] first = Frames.Raw(Frames.Header("binary/x", "binary", 3), "abc"u8.ToArray());
        byte[] second = Frames.Raw(Frames.Header("binary/x", "binary", 2), "de"u8.ToArray());
        var decoder = new MessageDecoder();
        var data = new ReadOnlySequence<byte>([.. first, .. second[..5]]);
        Assert.True(decoder.TryDecode(ref data, out Message m));
        Assert.Equal("abc", Encoding.ASCII.GetString(m.Content.Span));
        Assert.Equal(5, data.Length);
        Assert.False(decoder.TryDecode(ref data, out _));
    }

    [Fact]
    public void PipelinedMessagesDecodeInOrderInEverySplit()
    {
        byte[] stream = [.. ReferenceVectors.All.SelectMany(v => v.Request)];
        List<Message> messages = Splits.Decode(stream, [stream.Length / 3, stream.Length / 2, stream.Length - 1]);
        Assert.Equal(ReferenceVectors.All.Count, messages.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            Assert.Equal(ReferenceVectors.All[i].Request, MessageEncoder.Encode(messages[i].Header, messages[i].Content.Span));
        }
    }

    [Fact]
    public void UnknownKeysAreIgnoredAndKeyOrderDoesNotMatter()
    {
        byte[] bytes = Frames.Raw("{ \"content-length\" : 2, \"x-extra\": {\"a\": [1, 2]}, \"content-encoding\": \"binary\", \"content-type\": \"binary/x\", \"byteorder\": \"big\" }", "hi"u8.ToArray());
        Message m = Assert.Single(Splits.Decode(bytes, []));
        Assert.Equal(new MessageHeader("binary/x", "binary", 2) { ByteOrder = "big" }, m.Header);
    }

    [Fact]
    public void KeepAliveIsReadFromTheHeader()
    {
        Message m = Assert.Single(Splits.Decode(Frames.Raw(Frames.Header(extra: ", \"keep-alive\": true")), []));
        Assert.True(m.Header.KeepAlive);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(50)]
    public void AStreamThatEndsMidMessageIsReportedAsTruncated(int keep)
    {
        byte[] bytes = ReferenceVectors.Get("search-morpheus").Request[..keep];
        ProtocolException ex = Assert.Throws<ProtocolException>(() => Splits.Decode(bytes, []));
        Assert.Equal(ProtocolError.TruncatedMessage, ex.Error);
    }
}
