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

    /// <summary>A handler fed as an engine feeds it: the tutorial's router, one output, and what it left unread given back with the next piece.</summary>
    private sealed class FedHandler(ProtocolLimits? limits = null)
    {
        public AppServerHandler Handler { get; } = new(TutorialHandlers.CreateRouter(), limits: limits);

        public ArrayBufferWriter<byte> Output { get; } = new();

        /// <summary>The bytes received and not yet consumed.</summary>
        public byte[] Pending { get; private set; } = [];

        public NextStep Feed(ReadOnlySpan<byte> piece)
        {
            Pending = [.. Pending, .. piece];
            var data = new ReadOnlySequence<byte>(Pending);
            NextStep step = Handler.OnData(ref data, Output);
            Pending = data.ToArray();
            return step;
        }
    }

    [Fact]
    public void ThePhaseFollowsTheRequestByteByByteAndIsIdleOnceAnsweredWithKeepAlive()
    {
        byte[] request = Search("ring", keepAlive: true);
        int headerEnd = MessageDecoder.ProtoHeaderLength + ((request[0] << 8) | request[1]);
        var connection = new FedHandler();
        Assert.Equal(ConnectionPhase.Idle, connection.Handler.Phase);
        for (int fed = 1; fed <= request.Length; fed++)
        {
            Assert.Equal(NextStep.Receive, connection.Feed(request.AsSpan(fed - 1, 1)));
            ConnectionPhase expected = fed == request.Length ? ConnectionPhase.Idle : fed < headerEnd ? ConnectionPhase.Request : ConnectionPhase.Content;
            Assert.True(expected == connection.Handler.Phase, $"after {fed} bytes: {connection.Handler.Phase}");
        }
        Assert.Equal(Answer(Assert.Single(Splits.Decode(request, [])), keepAlive: true), connection.Output.WrittenSpan.ToArray());
    }

    [Fact]
    public void AfterARequestWithoutKeepAliveTheHandlerClosesIsIdleAndReadsNothingMore()
    {
        var connection = new FedHandler();
        byte[] request = Search("morpheus", keepAlive: false);
        Assert.Equal(NextStep.CloseAfterSending, connection.Feed([.. request, .. Search("ring", keepAlive: true)]));
        Assert.Empty(connection.Pending);
        Assert.Equal(ConnectionPhase.Idle, connection.Handler.Phase);
        int written = connection.Output.WrittenCount;
        Assert.Equal(NextStep.CloseAfterSending, connection.Feed(Search("ring", keepAlive: true)));
        Assert.Empty(connection.Pending);
        Assert.Equal(written, connection.Output.WrittenCount);
        Assert.Equal(Answer(Assert.Single(Splits.Decode(request, [])), keepAlive: false), connection.Output.WrittenSpan.ToArray());
    }

    [Fact]
    public void ABrokenHeaderAfterAKeptAliveRequestIsAnsweredOnceWithoutKeepAliveThenNothingIsRead()
    {
        var connection = new FedHandler();
        byte[] first = Search("ring", keepAlive: true);
        byte[] broken = [0, 0];
        var decoder = new MessageDecoder();
        var brokenData = new ReadOnlySequence<byte>(broken);
        string message = Assert.Throws<ProtocolException>(() => decoder.TryDecode(ref brokenData, out _)).Message;

        Assert.Equal(NextStep.CloseAfterSending, connection.Feed([.. first, .. broken, .. Search("morpheus", keepAlive: true)]));
        Assert.Empty(connection.Pending);
        Assert.Equal(ConnectionPhase.Idle, connection.Handler.Phase);
        Assert.Equal([.. Answer(Assert.Single(Splits.Decode(first, [])), keepAlive: true), .. ErrorAnswer(message)], connection.Output.WrittenSpan.ToArray());
        Assert.Equal(NextStep.CloseAfterSending, connection.Handler.OnPeerClosed(ReadOnlySequence<byte>.Empty, connection.Output));
        int written = connection.Output.WrittenCount;
        Assert.Equal(NextStep.CloseAfterSending, connection.Feed(first));
        Assert.Equal(written, connection.Output.WrittenCount);
    }

    [Fact]
    public void ContentNestedPastTheLimitIsAnsweredWithoutKeepAliveAndEndsTheConversation()
    {
        var limits = new ProtocolLimits { MaxJsonDepth = 4 };
        byte[] content = Encoding.UTF8.GetBytes("{\"action\": \"search\", \"value\": [[[[[1]]]]]}");
        string message = Assert.Throws<ProtocolException>(() => JsonContent.ParsePython(content, ContentTypes.Utf8Encoding, limits)).Message;
        byte[] request = MessageEncoder.Encode(new MessageHeader(ContentTypes.TextJson, ContentTypes.Utf8Encoding, content.Length) { KeepAlive = true }, content);
        var connection = new FedHandler(limits);
        Assert.Equal(NextStep.CloseAfterSending, connection.Feed([.. request, .. Search("ring", keepAlive: true)]));
        Assert.Equal(ErrorAnswer(message), connection.Output.WrittenSpan.ToArray());
    }

    [Fact]
    public void ContentInAnEncodingItDoesNotDecodeIsAnsweredAndTheConversationGoesOn()
    {
        byte[] content = [(byte)'{', 0xFF, (byte)'}'];
        string message = Assert.Throws<ProtocolException>(() => JsonContent.ParsePython(content, ContentTypes.Utf8Encoding)).Message;
        byte[] request = MessageEncoder.Encode(new MessageHeader(ContentTypes.TextJson, ContentTypes.Utf8Encoding, content.Length) { KeepAlive = true }, content);
        byte[] error = ErrorAnswer(message);
        Message answer = Assert.Single(Splits.Decode(error, []));
        var connection = new FedHandler();
        Assert.Equal(NextStep.Receive, connection.Feed(request));
        Assert.Equal(MessageEncoder.Encode(answer.Header with { KeepAlive = true }, answer.Content.Span), connection.Output.WrittenSpan.ToArray());
        Assert.Equal(ConnectionPhase.Idle, connection.Handler.Phase);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(30)]
    public void AStreamThatEndsInARequestIsClosedWithoutAnAnswer(int keep)
    {
        var connection = new FedHandler();
        Assert.Equal(NextStep.Receive, connection.Feed(Search("ring", keepAlive: false).AsSpan(0, keep)));
        Assert.Equal(ConnectionPhase.Request, connection.Handler.Phase);
        Assert.Equal(NextStep.CloseAfterSending, connection.Handler.OnPeerClosed(new ReadOnlySequence<byte>(connection.Pending), connection.Output));
        Assert.Equal(0, connection.Output.WrittenCount);
    }
}
