namespace SocketKit.Tests.Protocol;

/// <summary>Every reference vector, both ways: our bytes are the reference's bytes, and we read the reference's bytes in any split.</summary>
[Tier(TestTier.Unit)]
public class ReferenceVectorTests
{
    public static TheoryData<string> Vectors => ReferenceVectors.Names();

    [Fact]
    public void EveryVectorLoadsWithItsRequestAndResponseBytes()
    {
        Assert.NotEmpty(ReferenceVectors.All);
        Assert.All(ReferenceVectors.All, v => Assert.True(v.Request.Length > 2 && v.Response.Length > 2, v.Name));
        Assert.Equal(ReferenceVectors.All.Count, ReferenceVectors.All.Select(v => v.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void EncodingTheRequestGivesTheReferenceBytes(string name)
    {
        ReferenceVector v = ReferenceVectors.Get(name);
        byte[] content = v.JsonContent is { } json
            ? JsonContent.Write(w => w.WriteValue(json))
            : v.BinaryContent!;
        byte[] encoded = MessageEncoder.Encode(new MessageHeader(v.ContentType, v.ContentEncoding, content.Length) { ByteOrder = "little" }, content);
        Assert.Equal(Convert.ToHexString(v.Request), Convert.ToHexString(encoded));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void TheRequestDecodesTheSameInEverySplit(string name) => AssertDecodesInEverySplit(ReferenceVectors.Get(name).Request);

    [Theory]
    [MemberData(nameof(Vectors))]
    public void TheResponseDecodesTheSameInEverySplit(string name) => AssertDecodesInEverySplit(ReferenceVectors.Get(name).Response);

    [Theory]
    [MemberData(nameof(Vectors))]
    public void TheServerHandlerAnswersTheRequestWithExactlyTheReferenceResponse(string name)
    {
        ReferenceVector v = ReferenceVectors.Get(name);
        var handler = new AppServerHandler(TutorialHandlers.CreateRouter());
        var output = new ArrayBufferWriter<byte>();
        var data = new ReadOnlySequence<byte>(v.Request);
        var step = handler.OnData(ref data, output);
        Assert.Equal(NextStep.CloseAfterSending, step);
        Assert.Equal(Convert.ToHexString(v.Response), Convert.ToHexString(output.WrittenSpan));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void TheDecodedRequestReencodesToTheSameBytes(string name)
    {
        ReferenceVector v = ReferenceVectors.Get(name);
        Message m = Assert.Single(Splits.Decode(v.Request, []));
        Assert.Equal(v.Request, MessageEncoder.Encode(m.Header, m.Content.Span));
    }

    private static void AssertDecodesInEverySplit(byte[] bytes)
    {
        Message whole = Assert.Single(Splits.Decode(bytes, []));
        int headerLength = (bytes[0] << 8) | bytes[1];
        Assert.Equal(bytes.Length - 2 - headerLength, whole.Header.ContentLength);
        Assert.Equal(bytes[(2 + headerLength)..], whole.Content.ToArray());
        foreach ((string split, int[] cuts) in Splits.Of(bytes.Length))
        {
            Message m = Assert.Single(Splits.Decode(bytes, cuts));
            Assert.True(whole.Header == m.Header, split);
            Assert.True(whole.Content.Span.SequenceEqual(m.Content.Span), split);
        }
    }
}
