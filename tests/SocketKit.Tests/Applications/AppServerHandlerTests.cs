using System.Buffers;
using System.Text;
using SocketKit.Applications.App;
using SocketKit.Transport.Connections;

namespace SocketKit.Tests.Applications;

/// <summary>The application server's handler without a socket: the phase it reports to the engine, and what it writes when the conversation ends.</summary>
[Tier(TestTier.Unit)]
public class AppServerHandlerTests
{
    private static byte[] Search(string value, bool keepAlive)
    {
        byte[] content = Encoding.UTF8.GetBytes($"{{\"action\": \"search\", \"value\": \"{value}\"}}");
        return MessageEncoder.Encode(new MessageHeader(ContentTypes.TextJson, ContentTypes.Utf8Encoding, content.Length) { KeepAlive = keepAlive }, content);
    }

    private static byte[] Answer(Message request, bool keepAlive)
    {
        AppResponse response = AppServerHandler.Answer(TutorialHandlers.CreateRouter(), request);
        return MessageEncoder.Encode(new MessageHeader(response.ContentType, response.ContentEncoding, response.Content.Length) { KeepAlive = keepAlive }, response.Content.Span);
    }

    private static byte[] ErrorAnswer(string message)
    {
        AppResponse response = AppResponse.Result($"Error: {message}.");
        return MessageEncoder.Encode(new MessageHeader(response.ContentType, response.ContentEncoding, response.Content.Length), response.Content.Span);
    }

    private static NextStep Feed(IConnectionHandler handler, ref byte[] pending, ReadOnlySpan<byte> piece, ArrayBufferWriter<byte> output)
    {
        pending = [.. pending, .. piece];
        var data = new ReadOnlySequence<byte>(pending);
        NextStep step = handler.OnData(ref data, output);
        pending = data.ToArray();
        return step;
    }

    [Fact]
    public void ThePhaseFollowsTheRequestByteByByteAndIsIdleOnceAnsweredWithKeepAlive()
    {
        byte[] request = Search("ring", keepAlive: true);
        int headerEnd = MessageDecoder.ProtoHeaderLength + ((request[0] << 8) | request[1]);
        var handler = new AppServerHandler(TutorialHandlers.CreateRouter());
        var output = new ArrayBufferWriter<byte>();
        Assert.Equal(ConnectionPhase.Idle, handler.Phase);
        byte[] pending = [];
        for (int fed = 1; fed <= request.Length; fed++)
        {
            Assert.Equal(NextStep.Receive, Feed(handler, ref pending, request.AsSpan(fed - 1, 1), output));
            ConnectionPhase expected = fed == request.Length ? ConnectionPhase.Idle : fed < headerEnd ? ConnectionPhase.Request : ConnectionPhase.Content;
            Assert.True(expected == handler.Phase, $"after {fed} bytes: {handler.Phase}");
        }
        Assert.Equal(Answer(Assert.Single(Splits.Decode(request, [])), keepAlive: true), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void AfterARequestWithoutKeepAliveTheHandlerClosesIsIdleAndReadsNothingMore()
    {
        var handler = new AppServerHandler(TutorialHandlers.CreateRouter());
        var output = new ArrayBufferWriter<byte>();
        byte[] pending = [];
        byte[] request = Search("morpheus", keepAlive: false);
        Assert.Equal(NextStep.CloseAfterSending, Feed(handler, ref pending, [.. request, .. Search("ring", keepAlive: true)], output));
        Assert.Empty(pending);
        Assert.Equal(ConnectionPhase.Idle, handler.Phase);
        int written = output.WrittenCount;
        Assert.Equal(NextStep.CloseAfterSending, Feed(handler, ref pending, Search("ring", keepAlive: true), output));
        Assert.Empty(pending);
        Assert.Equal(written, output.WrittenCount);
        Assert.Equal(Answer(Assert.Single(Splits.Decode(request, [])), keepAlive: false), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void ABrokenHeaderAfterAKeptAliveRequestIsAnsweredOnceWithoutKeepAliveThenNothingIsRead()
    {
        var handler = new AppServerHandler(TutorialHandlers.CreateRouter());
        var output = new ArrayBufferWriter<byte>();
        byte[] pending = [];
        byte[] first = Search("ring", keepAlive: true);
        byte[] broken = [0, 0];
        var decoder = new MessageDecoder();
        var brokenData = new ReadOnlySequence<byte>(broken);
        string message = Assert.Throws<ProtocolException>(() => decoder.TryDecode(ref brokenData, out _)).Message;

        Assert.Equal(NextStep.CloseAfterSending, Feed(handler, ref pending, [.. first, .. broken, .. Search("morpheus", keepAlive: true)], output));
        Assert.Empty(pending);
        Assert.Equal(ConnectionPhase.Idle, handler.Phase);
        Assert.Equal([.. Answer(Assert.Single(Splits.Decode(first, [])), keepAlive: true), .. ErrorAnswer(message)], output.WrittenSpan.ToArray());
        Assert.Equal(NextStep.CloseAfterSending, handler.OnPeerClosed(ReadOnlySequence<byte>.Empty, output));
        int written = output.WrittenCount;
        Assert.Equal(NextStep.CloseAfterSending, Feed(handler, ref pending, first, output));
        Assert.Equal(written, output.WrittenCount);
    }

    [Fact]
    public void ContentNestedPastTheLimitIsAnsweredWithoutKeepAliveAndEndsTheConversation()
    {
        var limits = new ProtocolLimits { MaxJsonDepth = 4 };
        byte[] content = Encoding.UTF8.GetBytes("{\"action\": \"search\", \"value\": [[[[[1]]]]]}");
        string message = Assert.Throws<ProtocolException>(() => JsonContent.ParsePython(content, ContentTypes.Utf8Encoding, limits)).Message;
        byte[] request = MessageEncoder.Encode(new MessageHeader(ContentTypes.TextJson, ContentTypes.Utf8Encoding, content.Length) { KeepAlive = true }, content);
        var handler = new AppServerHandler(TutorialHandlers.CreateRouter(), limits: limits);
        var output = new ArrayBufferWriter<byte>();
        byte[] pending = [];
        Assert.Equal(NextStep.CloseAfterSending, Feed(handler, ref pending, [.. request, .. Search("ring", keepAlive: true)], output));
        Assert.Equal(ErrorAnswer(message), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void ContentInAnEncodingItDoesNotDecodeIsAnsweredAndTheConversationGoesOn()
    {
        byte[] content = [(byte)'{', 0xFF, (byte)'}'];
        string message = Assert.Throws<ProtocolException>(() => JsonContent.ParsePython(content, ContentTypes.Utf8Encoding)).Message;
        byte[] request = MessageEncoder.Encode(new MessageHeader(ContentTypes.TextJson, ContentTypes.Utf8Encoding, content.Length) { KeepAlive = true }, content);
        byte[] error = ErrorAnswer(message);
        Message answer = Assert.Single(Splits.Decode(error, []));
        var handler = new AppServerHandler(TutorialHandlers.CreateRouter());
        var output = new ArrayBufferWriter<byte>();
        byte[] pending = [];
        Assert.Equal(NextStep.Receive, Feed(handler, ref pending, request, output));
        Assert.Equal(MessageEncoder.Encode(answer.Header with { KeepAlive = true }, answer.Content.Span), output.WrittenSpan.ToArray());
        Assert.Equal(ConnectionPhase.Idle, handler.Phase);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(30)]
    public void AStreamThatEndsInARequestIsClosedWithoutAnAnswer(int keep)
    {
        var handler = new AppServerHandler(TutorialHandlers.CreateRouter());
        var output = new ArrayBufferWriter<byte>();
        byte[] pending = [];
        Assert.Equal(NextStep.Receive, Feed(handler, ref pending, Search("ring", keepAlive: false).AsSpan(0, keep), output));
        Assert.Equal(ConnectionPhase.Request, handler.Phase);
        Assert.Equal(NextStep.CloseAfterSending, handler.OnPeerClosed(new ReadOnlySequence<byte>(pending), output));
        Assert.Equal(0, output.WrittenCount);
    }
}
