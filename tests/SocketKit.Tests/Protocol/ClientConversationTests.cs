namespace SocketKit.Tests.Protocol;

/// <summary>
/// The client's conversation without a socket: answers in any split and in request order, keep-alive against close,
/// the sticky error, and a server that closes too early. The answers come from a <see cref="ServerConversation"/>, so
/// both roles are checked against each other as well as against the reference's bytes.
/// </summary>
[Tier(TestTier.Unit)]
public class ClientConversationTests
{
    public static TheoryData<string> Vectors => ReferenceVectors.Names();

    private static Message Request(string text, bool keepAlive) =>
        new(new MessageHeader("binary/x", ContentTypes.BinaryEncoding, Encoding.ASCII.GetByteCount(text)) { KeepAlive = keepAlive }, Encoding.ASCII.GetBytes(text));

    /// <summary>What a SocketKit server answers to <paramref name="requests"/>, pipelined: each request's content reversed, keep-alive as asked.</summary>
    private static byte[] ServerAnswers(byte[] requests)
    {
        var server = new ServerConversation();
        var output = new ArrayBufferWriter<byte>();
        var data = new ReadOnlySequence<byte>(requests);
        while (server.Receive(ref data) is { Kind: ConversationEventKind.Request } next)
        {
            server.Respond(output, ContentTypes.ServerBinary, ContentTypes.BinaryEncoding, next.Request.Content.ToArray().Reverse().ToArray());
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Sends every request through <paramref name="client"/>; returns their bytes.</summary>
    private static byte[] SendAll(ClientConversation client, IEnumerable<Message> requests)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (Message request in requests)
        {
            client.Send(output, request);
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Feeds <paramref name="stream"/> in the pieces <paramref name="cuts"/> makes, taking every answer, until an event
    /// other than an answer or need-data; returns the answers (content copied) and that last event.
    /// </summary>
    private static (List<ClientConversationEvent> Answers, ClientConversationEvent Last, int Unconsumed) Feed(ClientConversation client, byte[] stream, int[] cuts,
        Action<int, ClientConversationState>? afterPiece = null)
    {
        var answers = new List<ClientConversationEvent>();
        ClientConversationEvent last = ClientConversationEvent.NeedData;
        byte[] pending = [];
        foreach (ArraySegment<byte> piece in Splits.Pieces(stream, cuts))
        {
            pending = [.. pending, .. piece];
            var data = new ReadOnlySequence<byte>(pending);
            while (true)
            {
                last = client.Receive(ref data);
                if (last.Kind != ClientConversationEventKind.Answer)
                {
                    break;
                }
                answers.Add(last);
            }
            pending = data.ToArray();
            afterPiece?.Invoke(piece.Offset + piece.Count, client.State);
            if (last.Kind is ClientConversationEventKind.ProtocolError)
            {
                break;
            }
        }
        return (answers, last, pending.Length);
    }

    [Fact]
    public void ANewConversationIsReadyAndOwesNothing()
    {
        var client = new ClientConversation();
        Assert.Equal(ClientConversationState.Ready, client.State);
        Assert.True(client.CanSend);
        Assert.False(client.ServerCloses);
        Assert.Equal(0, client.InFlight);
        Assert.Null(client.Failure);
        Assert.Same(ProtocolLimits.Default, client.Limits);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void EveryReferenceRequestIsWrittenAsTheReferenceAndItsAnswerReadInEverySplit(string name)
    {
        ReferenceVector v = ReferenceVectors.Get(name);
        Message request = Assert.Single(Splits.Decode(v.Request, []));
        Message reference = Assert.Single(Splits.Decode(v.Response, []));
        int headerEnd = MessageDecoder.ProtoHeaderLength + ((v.Response[0] << 8) | v.Response[1]);
        foreach ((string split, int[] cuts) in Splits.Of(v.Response.Length))
        {
            var client = new ClientConversation();
            Assert.Equal(v.Request, SendAll(client, [request]));
            Assert.False(client.CanSend, split); // The reference's request asks no keep-alive: it is the last.
            Assert.Equal(ClientConversationState.Awaiting, client.State);
            (List<ClientConversationEvent> answers, ClientConversationEvent last, int unconsumed) = Feed(client, v.Response, cuts, (fed, state) =>
            {
                ClientConversationState expected = fed == 0 ? ClientConversationState.Awaiting
                    : fed < v.Response.Length ? ClientConversationState.Receiving
                    : ClientConversationState.Done;
                Assert.True(expected == state, $"{name}, {split}, after {fed} bytes ({(fed < headerEnd ? "header" : "content")}): {state}");
            });
            ClientConversationEvent answer = Assert.Single(answers);
            Assert.Equal(0, answer.Sequence);
            Assert.False(answer.KeepsConnection);
            Assert.True(v.Response.AsSpan().SequenceEqual(MessageEncoder.Encode(answer.Answer.Header, answer.Answer.Content.Span)), split);
            Assert.True(reference.Content.Span.SequenceEqual(answer.Answer.Content.Span), split);
            Assert.Equal(ClientConversationEventKind.Finished, last.Kind);
            Assert.Equal(0, unconsumed);
            Assert.Equal(0, client.InFlight);
            Assert.Null(client.ReceiveEndOfStream(0));
            Assert.Equal(ClientConversationState.Done, client.State);
        }
    }

    [Fact]
    public void PipelinedAnswersComeInRequestOrderInEverySplit()
    {
        string[] texts = ["one", "", "three", "four"];
        Message[] requests = [.. texts.Select((t, i) => Request(t, keepAlive: i < texts.Length - 1))];
        var sending = new ClientConversation();
        byte[] answers = ServerAnswers(SendAll(sending, requests));
        Assert.Equal(texts.Length, sending.InFlight);
        foreach ((string split, int[] cuts) in Splits.Of(answers.Length))
        {
            var client = new ClientConversation();
            SendAll(client, requests);
            (List<ClientConversationEvent> got, ClientConversationEvent last, _) = Feed(client, answers, cuts);
            Assert.True(texts.Select(t => new string(t.Reverse().ToArray())).SequenceEqual(got.Select(a => Encoding.ASCII.GetString(a.Answer.Content.Span))), split);
            Assert.True(got.Select(a => a.Sequence).SequenceEqual([0L, 1, 2, 3]), split);
            Assert.True(got.Select(a => a.KeepsConnection).SequenceEqual([true, true, true, false]), split);
            Assert.Equal(ClientConversationEventKind.Finished, last.Kind);
            Assert.Equal(ClientConversationState.Done, client.State);
            Assert.Equal(4, client.Answered);
            Assert.Equal(0, client.InFlight);
        }
    }

    [Fact]
    public void RequestsMaySeverallyBeSentWhileEarlierAnswersArrive()
    {
        var client = new ClientConversation();
        byte[] first = SendAll(client, [Request("ab", keepAlive: true)]);
        byte[] answer = ServerAnswers(first);
        var data = new ReadOnlySequence<byte>(answer[..3]);
        Assert.Equal(ClientConversationEventKind.NeedData, client.Receive(ref data).Kind);
        Assert.Equal(ClientConversationState.Receiving, client.State);
        Assert.True(client.CanSend);
        SendAll(client, [Request("cd", keepAlive: false)]);
        Assert.Equal(2, client.InFlight);
        data = new ReadOnlySequence<byte>([.. data.ToArray(), .. answer[3..]]);
        ClientConversationEvent next = client.Receive(ref data);
        Assert.Equal(ClientConversationEventKind.Answer, next.Kind);
        Assert.Equal("ba", Encoding.ASCII.GetString(next.Answer.Content.Span));
        Assert.Equal(ClientConversationState.Awaiting, client.State);
        Assert.Equal(1, client.InFlight);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AKeptAliveAnswerLeavesTheConversationOpenAndOneWithoutKeepAliveEndsIt(bool granted)
    {
        var client = new ClientConversation();
        SendAll(client, [Request("abc", keepAlive: true)]);
        byte[] answer = MessageEncoder.Encode(new MessageHeader(ContentTypes.ServerBinary, ContentTypes.BinaryEncoding, 3) { KeepAlive = granted }, "cba"u8);
        var data = new ReadOnlySequence<byte>(answer);
        ClientConversationEvent next = client.Receive(ref data);
        Assert.Equal(ClientConversationEventKind.Answer, next.Kind);
        Assert.Equal(granted, next.KeepsConnection);
        Assert.Equal(granted ? ClientConversationState.Ready : ClientConversationState.Done, client.State);
        Assert.Equal(granted, client.CanSend);
        Assert.Equal(!granted, client.ServerCloses);
        // Either way the server may close now: idle after a kept-alive answer, or as it said.
        Assert.Null(client.ReceiveEndOfStream(0));
        Assert.Equal(ClientConversationState.Done, client.State);
        Assert.False(client.CanSend);
    }

    [Fact]
    public void AnAnswerWithoutKeepAliveLosesTheRequestsStillInFlightAndNoneMayFollow()
    {
        // The reference server: it answers the first request without keep-alive and closes, whatever was pipelined after it.
        var client = new ClientConversation();
        SendAll(client, [Request("one", keepAlive: true), Request("two", keepAlive: true), Request("three", keepAlive: true)]);
        byte[] answer = MessageEncoder.Encode(new MessageHeader(ContentTypes.ServerBinary, ContentTypes.BinaryEncoding, 3), "eno"u8);
        var data = new ReadOnlySequence<byte>(answer);
        ClientConversationEvent next = client.Receive(ref data);
        Assert.False(next.KeepsConnection);
        Assert.Equal(ClientConversationState.Done, client.State);
        Assert.Equal(2, client.InFlight);
        Assert.False(client.CanSend);
        Assert.Throws<InvalidOperationException>(() => SendAll(client, [Request("four", keepAlive: true)]));
        Assert.Equal(2, client.InFlight);
        Assert.Null(client.ReceiveEndOfStream(0)); // The close it announced is no fault.
        Assert.Null(client.Failure);
    }

    [Fact]
    public void ARequestWithoutKeepAliveIsTheLastAndTheServerClosesAfterItsAnswer()
    {
        var client = new ClientConversation();
        SendAll(client, [Request("abc", keepAlive: false)]);
        Assert.False(client.CanSend);
        Assert.True(client.ServerCloses);
        Assert.Throws<InvalidOperationException>(() => client.Sent(1, lastKeepsAlive: true));
        // A server granting what was not asked still ends the conversation: the client asked for the end.
        var data = new ReadOnlySequence<byte>(MessageEncoder.Encode(new MessageHeader(ContentTypes.ServerBinary, ContentTypes.BinaryEncoding, 3) { KeepAlive = true }, "cba"u8));
        Assert.Equal(ClientConversationEventKind.Answer, client.Receive(ref data).Kind);
        Assert.Equal(ClientConversationState.Done, client.State);
    }

    [Fact]
    public void RequestsEncodedByTheCallerAreCountedAsSent()
    {
        var client = new ClientConversation();
        byte[] one = MessageEncoder.Encode(Request("ab", keepAlive: true).Header, "ab"u8);
        client.Sent(3, lastKeepsAlive: true);
        Assert.Equal(3, client.InFlight);
        Assert.True(client.CanSend);
        (List<ClientConversationEvent> got, _, _) = Feed(client, ServerAnswers([.. one, .. one, .. one]), []);
        Assert.Equal(3, got.Count);
        Assert.Equal(ClientConversationState.Ready, client.State);
        Assert.Throws<ArgumentOutOfRangeException>(() => client.Sent(0, lastKeepsAlive: true));
    }

    [Theory]
    [MemberData(nameof(ServerConversationTests.Broken), MemberType = typeof(ServerConversationTests))]
    public void AnAnswerThatBreaksTheProtocolIsAStickyErrorInEverySplit(string name, byte[] bytes, ProtocolError error)
    {
        Message[] requests = [Request("ok", keepAlive: true), Request("broken", keepAlive: true), Request("never", keepAlive: false)];
        byte[] first = ServerAnswers(SendAll(new ClientConversation(), requests[..1]));
        byte[] stream = [.. first, .. bytes, .. first];
        foreach ((string split, int[] cuts) in Splits.Of(stream.Length))
        {
            var client = new ClientConversation();
            SendAll(client, requests);
            (List<ClientConversationEvent> got, ClientConversationEvent last, _) = Feed(client, stream, cuts);
            Assert.Single(got);
            Assert.True(last.Kind == ClientConversationEventKind.ProtocolError && last.Error?.Error == error, $"{name}, {split}: {last.Kind} {last.Error?.Error}");
            AssertStuckWith(client, last.Error!);
        }
    }

    [Fact]
    public void BytesWhenNoRequestAwaitsAnAnswerBreakTheConversation()
    {
        var client = new ClientConversation();
        byte[] answer = ServerAnswers(SendAll(new ClientConversation(), [Request("abc", keepAlive: true)]));
        var data = new ReadOnlySequence<byte>(answer[..1]);
        ClientConversationEvent next = client.Receive(ref data);
        Assert.Equal(ClientConversationEventKind.ProtocolError, next.Kind);
        Assert.Equal(ProtocolError.UnrequestedAnswer, next.Error?.Error);
        Assert.Equal(0, data.Length);
        AssertStuckWith(client, next.Error!);
    }

    [Fact]
    public void BytesAfterAnAnswerWithoutKeepAliveBreakTheConversationInEverySplit()
    {
        Message request = Request("abc", keepAlive: false);
        byte[] answer = ServerAnswers(SendAll(new ClientConversation(), [request]));
        byte[] stream = [.. answer, .. answer];
        foreach ((string split, int[] cuts) in Splits.Of(stream.Length))
        {
            var client = new ClientConversation();
            SendAll(client, [request]);
            (List<ClientConversationEvent> got, ClientConversationEvent last, _) = Feed(client, stream, cuts);
            Assert.Single(got);
            Assert.True(last.Error?.Error == ProtocolError.UnrequestedAnswer, $"{split}: {last.Kind}");
            AssertStuckWith(client, last.Error!);
        }
    }

    [Fact]
    public void AServerThatClosesInTheMiddleOfAnAnswerBreaksTheConversationInEveryPrefix()
    {
        Message request = Request("abc", keepAlive: true);
        byte[] answer = ServerAnswers(SendAll(new ClientConversation(), [request]));
        for (int fed = 1; fed < answer.Length; fed++)
        {
            var client = new ClientConversation();
            SendAll(client, [request]);
            (List<ClientConversationEvent> got, ClientConversationEvent last, int unconsumed) = Feed(client, answer[..fed], []);
            Assert.Empty(got);
            Assert.Equal(ClientConversationEventKind.NeedData, last.Kind);
            ProtocolException? truncated = client.ReceiveEndOfStream(unconsumed);
            Assert.True(truncated?.Error == ProtocolError.TruncatedMessage, $"after {fed} bytes: {truncated?.Error}");
            AssertStuckWith(client, truncated!);
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 0)]
    [InlineData(3, 2)]
    public void AServerThatClosesWithAnswersOwedBreaksTheConversation(int sent, int answered)
    {
        Message[] requests = [.. Enumerable.Range(0, sent).Select(i => Request($"r{i}", keepAlive: true))];
        var client = new ClientConversation();
        byte[] answers = ServerAnswers(SendAll(client, requests));
        byte[] firstAnswers = Splits.Decode(answers, []).Take(answered).SelectMany(m => MessageEncoder.Encode(m.Header, m.Content.Span)).ToArray();
        (List<ClientConversationEvent> got, _, int unconsumed) = Feed(client, firstAnswers, []);
        Assert.Equal(answered, got.Count);
        ProtocolException? unanswered = client.ReceiveEndOfStream(unconsumed);
        Assert.Equal(ProtocolError.UnansweredRequest, unanswered?.Error);
        Assert.Contains($"with {sent - answered} request", unanswered!.Message);
        AssertStuckWith(client, unanswered);
    }

    /// <summary>Every later call reports the same error: receiving, the stream's end, and sending.</summary>
    private static void AssertStuckWith(ClientConversation client, ProtocolException error)
    {
        Assert.Equal(ClientConversationState.Error, client.State);
        Assert.Same(error, client.Failure);
        Assert.False(client.CanSend);
        byte[] more = MessageEncoder.Encode(Request("x", keepAlive: true).Header, "x"u8);
        var data = new ReadOnlySequence<byte>(more);
        ClientConversationEvent again = client.Receive(ref data);
        Assert.Equal(ClientConversationEventKind.ProtocolError, again.Kind);
        Assert.Same(error, again.Error);
        Assert.Equal(0, data.Length);
        Assert.Same(error, client.ReceiveEndOfStream(0));
        Assert.Same(error, Assert.Throws<ProtocolException>(() => SendAll(client, [Request("y", keepAlive: true)])));
        Assert.Same(error, Assert.Throws<ProtocolException>(() => client.Sent(1, lastKeepsAlive: true)));
        Assert.Equal(ClientConversationState.Error, client.State);
    }
}
