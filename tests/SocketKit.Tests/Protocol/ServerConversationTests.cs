namespace SocketKit.Tests.Protocol;

/// <summary>The server's conversation without a socket: its states, its keep-alive rule, and its sticky end.</summary>
[Tier(TestTier.Unit)]
public class ServerConversationTests
{
    public static TheoryData<string> Vectors => ReferenceVectors.Names();

    /// <summary>Where a conversation fed <paramref name="fed"/> bytes of one message stands, from the message's own framing.</summary>
    private static ConversationState ExpectedWhileReading(byte[] message, int fed)
    {
        int headerEnd = MessageDecoder.ProtoHeaderLength + ((message[0] << 8) | message[1]);
        return fed == 0 ? ConversationState.Idle
            : fed < headerEnd ? ConversationState.Header
            : fed < message.Length ? ConversationState.Content
            : ConversationState.Answering;
    }

    private static byte[] Request(string text, bool keepAlive) =>
        MessageEncoder.Encode(new MessageHeader("binary/x", "binary", Encoding.ASCII.GetByteCount(text)) { KeepAlive = keepAlive }, Encoding.ASCII.GetBytes(text));

    /// <summary>The answer these tests give a request: its content, reversed.</summary>
    private static byte[] AnswerContent(Message request) => [.. request.Content.ToArray().Reverse()];

    private static ConversationEvent Receive(ServerConversation conversation, byte[] bytes, out int unconsumed)
    {
        var data = new ReadOnlySequence<byte>(bytes);
        ConversationEvent next = conversation.Receive(ref data);
        unconsumed = (int)data.Length;
        return next;
    }

    /// <summary>
    /// A conversation that has ended (<paramref name="ended"/>) after its answer went to <paramref name="output"/>: a
    /// request that arrives is dropped unread, another answer of the same kind is refused and writes nothing, and the end
    /// of the stream changes nothing.
    /// </summary>
    private static void AssertEnded(ServerConversation conversation, ConversationState ended, ArrayBufferWriter<byte> output, string contentType, string contentEncoding)
    {
        int answered = output.WrittenCount;
        ConversationEvent next = Receive(conversation, Request("more", keepAlive: true), out int unconsumed);
        Assert.Equal(ConversationEventKind.Finished, next.Kind);
        Assert.Equal(0, unconsumed);
        Assert.Equal(ended, conversation.State);
        Assert.Throws<InvalidOperationException>(() => conversation.Respond(output, contentType, contentEncoding, "x"u8));
        Assert.Equal(answered, output.WrittenCount);
        Assert.Null(conversation.ReceiveEndOfStream(0));
        Assert.Equal(ended, conversation.State);
    }

    /// <summary>
    /// Delivers <paramref name="stream"/> in the pieces <paramref name="cuts"/> makes, answering every request, as a
    /// connection handler does; returns what was written and the state after each piece.
    /// </summary>
    private static (byte[] Written, List<Message> Requests) Converse(ServerConversation conversation, byte[] stream, int[] cuts, Action<int, ConversationState>? afterPiece = null)
    {
        var output = new ArrayBufferWriter<byte>();
        var requests = new List<Message>();
        byte[] pending = [];
        int start = 0;
        foreach (int end in cuts.Append(stream.Length))
        {
            pending = [.. pending, .. stream.AsSpan(start, end - start)];
            start = end;
            var data = new ReadOnlySequence<byte>(pending);
            while (true)
            {
                ConversationEvent next = conversation.Receive(ref data);
                if (next.Kind == ConversationEventKind.Request)
                {
                    requests.Add(next.Request with { Content = next.Request.Content.ToArray() });
                    conversation.Respond(output, next.Request.Header.ContentType, ContentTypes.BinaryEncoding, AnswerContent(next.Request));
                }
                else if (next.Kind == ConversationEventKind.ProtocolError)
                {
                    conversation.Respond(output, ContentTypes.TextJson, ContentTypes.Utf8Encoding, "{}"u8);
                }
                else
                {
                    break;
                }
            }
            pending = data.ToArray();
            afterPiece?.Invoke(end, conversation.State);
        }
        return (output.WrittenSpan.ToArray(), requests);
    }

    [Fact]
    public void ANewConversationIsIdleAndOwesNothing()
    {
        var conversation = new ServerConversation();
        Assert.Equal(ConversationState.Idle, conversation.State);
        Assert.False(conversation.IsAnswerOwed);
        Assert.Null(conversation.Failure);
        Assert.Same(ProtocolLimits.Default, conversation.Limits);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void EveryReferenceRequestPassesThroughIdleHeaderAndContentAndIsAnsweredWithTheReferenceBytesInEverySplit(string name)
    {
        ReferenceVector v = ReferenceVectors.Get(name);
        Message reference = Assert.Single(Splits.Decode(v.Response, []));
        foreach ((string split, int[] cuts) in Splits.Of(v.Request.Length))
        {
            var conversation = new ServerConversation();
            var output = new ArrayBufferWriter<byte>();
            byte[] pending = [];
            int start = 0;
            Message? request = null;
            foreach (int end in cuts.Append(v.Request.Length))
            {
                pending = [.. pending, .. v.Request.AsSpan(start, end - start)];
                start = end;
                ConversationEvent next = Receive(conversation, pending, out int unconsumed);
                pending = pending[^unconsumed..];
                if (request is not null)
                {
                    // An empty last piece, after the answer: the conversation is over and reads nothing.
                    Assert.True(next.Kind == ConversationEventKind.Finished, $"{split}: {next.Kind}");
                    continue;
                }
                Assert.True(ExpectedWhileReading(v.Request, end) == conversation.State, $"{split}, after {end} bytes: {conversation.State}");
                if (next.Kind == ConversationEventKind.Request)
                {
                    Assert.Equal(v.Request.Length, end);
                    request = next.Request;
                    Assert.True(conversation.IsAnswerOwed, split);
                    conversation.Respond(output, reference.Header.ContentType, reference.Header.ContentEncoding, reference.Content.Span);
                }
                else
                {
                    Assert.True(next.Kind == ConversationEventKind.NeedData, $"{split}: {next.Kind}");
                }
            }
            Assert.True(request is not null, split);
            Assert.Equal(v.Request, MessageEncoder.Encode(request.Value.Header, request.Value.Content.Span));
            // The reference's requests ask no keep-alive: one response, byte for byte, then the conversation is over.
            Assert.True(v.Response.AsSpan().SequenceEqual(output.WrittenSpan), split);
            Assert.Equal(ConversationState.Done, conversation.State);
            Assert.False(conversation.IsAnswerOwed);
        }
    }

    public static TheoryData<string, byte[], ConversationEventKind, int, ConversationState, ProtocolError?> FirstPieces => new()
    {
        // A whole request in one piece goes from Idle to Answering.
        { "a whole request", Request("abc", keepAlive: false), ConversationEventKind.Request, 0, ConversationState.Answering, null },
        // One byte of a protoheader is a request begun, though the decoder has consumed nothing.
        { "one byte of a protoheader", Request("abc", keepAlive: false)[..1], ConversationEventKind.NeedData, 1, ConversationState.Header, null },
        // The error event carries the broken rule and consumes every byte, the request after it too.
        { "an empty header, then a request", [0, 0, .. Request("abc", keepAlive: true)], ConversationEventKind.ProtocolError, 0, ConversationState.Error, ProtocolError.EmptyHeader },
    };

    [Theory]
    [MemberData(nameof(FirstPieces))]
    public void TheFirstPieceIsReportedConsumedAndMovesTheStateAsItsBytesSay(string name, byte[] piece, ConversationEventKind kind, int unconsumed, ConversationState state, ProtocolError? error)
    {
        var conversation = new ServerConversation();
        ConversationEvent next = Receive(conversation, piece, out int left);
        Assert.True(kind == next.Kind, $"{name}: {next.Kind}");
        Assert.Equal(unconsumed, left);
        Assert.Equal(state, conversation.State);
        Assert.Equal(error, next.Error?.Error);
        Assert.Same(next.Error, conversation.Failure);
        // A whole request and a protocol error are each owed an answer; a request begun is not, yet.
        Assert.Equal(kind != ConversationEventKind.NeedData, conversation.IsAnswerOwed);
    }

    [Fact]
    public void RespondAndEndAnswersWithoutKeepAliveWhateverTheRequestAskedAndReadsNothingMore()
    {
        var conversation = new ServerConversation();
        byte[] both = [.. Request("abc", keepAlive: true), .. Request("def", keepAlive: true)];
        ConversationEvent next = Receive(conversation, both, out int unconsumed);
        Assert.Equal(ConversationEventKind.Request, next.Kind);
        Assert.True(next.Request.Header.KeepAlive);

        var output = new ArrayBufferWriter<byte>();
        conversation.RespondAndEnd(output, ContentTypes.TextJson, ContentTypes.Utf8Encoding, "{}"u8);
        var decoder = new MessageDecoder();
        var written = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.True(decoder.TryDecode(ref written, out Message answer));
        Assert.False(answer.Header.KeepAlive);
        Assert.Equal(ConversationState.Done, conversation.State);
        // The second request, already received, is never read: the conversation is over.
        Assert.Equal(ConversationEventKind.Finished, Receive(conversation, both[^unconsumed..], out _).Kind);
        Assert.Throws<InvalidOperationException>(() => conversation.RespondAndEnd(output, ContentTypes.TextJson, ContentTypes.Utf8Encoding, "{}"u8));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheResponseGrantsKeepAliveExactlyWhenTheRequestAsksForIt(bool keepAlive)
    {
        var conversation = new ServerConversation();
        ConversationEvent next = Receive(conversation, Request("abc", keepAlive), out _);
        var output = new ArrayBufferWriter<byte>();
        conversation.Respond(output, ContentTypes.ServerBinary, ContentTypes.BinaryEncoding, "cba"u8);
        byte[] expected = MessageEncoder.Encode(new MessageHeader(ContentTypes.ServerBinary, ContentTypes.BinaryEncoding, 3) { KeepAlive = keepAlive }, "cba"u8);
        Assert.Equal(expected, output.WrittenSpan.ToArray());
        Assert.Equal(keepAlive ? ConversationState.Idle : ConversationState.Done, conversation.State);
        Assert.False(conversation.IsAnswerOwed);
        Assert.Equal(keepAlive, next.Request.Header.KeepAlive);
    }

    [Fact]
    public void AKeptAliveConversationWhoseNextRequestHasBegunIsInItsHeader()
    {
        var conversation = new ServerConversation();
        byte[] second = Request("de", keepAlive: false);
        ConversationEvent next = Receive(conversation, [.. Request("abc", keepAlive: true), .. second[..3]], out int unconsumed);
        Assert.Equal(ConversationEventKind.Request, next.Kind);
        Assert.Equal(3, unconsumed);
        Assert.Equal(ConversationState.Answering, conversation.State);
        conversation.Respond(new ArrayBufferWriter<byte>(), ContentTypes.ServerBinary, ContentTypes.BinaryEncoding, "x"u8);
        Assert.Equal(ConversationState.Header, conversation.State);
    }

    [Fact]
    public void PipelinedRequestsAreAnsweredInOrderInEverySplitAndWhatFollowsTheLastIsDropped()
    {
        string[] texts = ["one", "", "three", "four"];
        byte[] stream = [.. texts.SelectMany((t, i) => Request(t, keepAlive: i < texts.Length - 1)), .. "not read"u8];
        byte[] expected = [.. texts.SelectMany((t, i) => MessageEncoder.Encode(
            new MessageHeader("binary/x", ContentTypes.BinaryEncoding, t.Length) { KeepAlive = i < texts.Length - 1 },
            Encoding.ASCII.GetBytes(t).Reverse().ToArray()))];
        foreach ((string split, int[] cuts) in Splits.Of(stream.Length))
        {
            var conversation = new ServerConversation();
            (byte[] written, List<Message> requests) = Converse(conversation, stream, cuts);
            Assert.True(texts.SequenceEqual(requests.Select(r => Encoding.ASCII.GetString(r.Content.Span))), split);
            Assert.True(expected.AsSpan().SequenceEqual(written), split);
            Assert.Equal(ConversationState.Done, conversation.State);
        }
    }

    [Fact]
    public void PipelinedKeptAliveRequestsGoBackToIdleBetweenThem()
    {
        byte[] first = Request("abc", keepAlive: true);
        byte[] second = Request("defg", keepAlive: true);
        byte[] stream = [.. first, .. second];
        var seen = new List<(int, ConversationState)>();
        Converse(new ServerConversation(), stream, [.. Enumerable.Range(1, stream.Length - 1)], (fed, state) => seen.Add((fed, state)));
        Assert.Equal(stream.Length, seen.Count);
        foreach ((int fed, ConversationState state) in seen)
        {
            // A request answered with keep-alive leaves the conversation Idle, before any byte of the next.
            ConversationState expected = fed < first.Length ? ExpectedWhileReading(first, fed) : ExpectedWhileReading(second, fed - first.Length);
            expected = expected == ConversationState.Answering ? ConversationState.Idle : expected;
            Assert.True(expected == state, $"after {fed} bytes: {state}, expected {expected}");
        }
        Assert.Equal(ConversationState.Idle, seen[^1].Item2);
    }

    public static TheoryData<string, byte[], ProtocolError> Broken => new()
    {
        { "empty header", [0, 0], ProtocolError.EmptyHeader },
        { "header not JSON", Frames.Raw("{not json}"), ProtocolError.InvalidHeaderJson },
        { "negative content-length", Frames.Raw(Frames.Header(length: -1)), ProtocolError.InvalidHeaderValue },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void AProtocolErrorIsAnsweredOnceWithoutKeepAliveAndEndsTheConversationInEverySplit(string name, byte[] bytes, ProtocolError error)
    {
        // A kept-alive request first: the error's answer must still refuse keep-alive.
        byte[] first = Request("ok", keepAlive: true);
        byte[] stream = [.. first, .. bytes, .. Request("never read", keepAlive: true)];
        byte[] expected = [.. MessageEncoder.Encode(new MessageHeader("binary/x", ContentTypes.BinaryEncoding, 2) { KeepAlive = true }, "ko"u8),
            .. MessageEncoder.Encode(new MessageHeader(ContentTypes.TextJson, ContentTypes.Utf8Encoding, 2), "{}"u8)];
        foreach ((string split, int[] cuts) in Splits.Of(stream.Length))
        {
            var conversation = new ServerConversation();
            (byte[] written, List<Message> requests) = Converse(conversation, stream, cuts);
            Assert.True(expected.AsSpan().SequenceEqual(written), $"{name}, {split}");
            Assert.Single(requests);
            Assert.Equal(ConversationState.Error, conversation.State);
            Assert.True(error == conversation.Failure?.Error, $"{name}, {split}: {conversation.Failure?.Error}");
            Assert.False(conversation.IsAnswerOwed);
        }
    }

    [Fact]
    public void AnErrorIsStickyNothingIsReadAgainAndOnlyOneAnswerIsWritten()
    {
        var conversation = new ServerConversation();
        Receive(conversation, [0, 0], out _);
        ProtocolException failure = conversation.Failure!;
        var output = new ArrayBufferWriter<byte>();
        conversation.Respond(output, ContentTypes.TextJson, ContentTypes.Utf8Encoding, "{}"u8);
        AssertEnded(conversation, ConversationState.Error, output, ContentTypes.TextJson, ContentTypes.Utf8Encoding);
        Assert.Same(failure, conversation.Failure);
    }

    [Fact]
    public void AfterDoneBytesAreDroppedUnreadAndNothingMayBeWritten()
    {
        var conversation = new ServerConversation();
        Receive(conversation, Request("abc", keepAlive: false), out _);
        var output = new ArrayBufferWriter<byte>();
        conversation.Respond(output, ContentTypes.ServerBinary, ContentTypes.BinaryEncoding, "cba"u8);
        AssertEnded(conversation, ConversationState.Done, output, ContentTypes.ServerBinary, ContentTypes.BinaryEncoding);
        Assert.Null(conversation.Failure);
    }

    [Fact]
    public void ARequestMustBeAnsweredBeforeMoreIsReceivedOrTheStreamEnds()
    {
        var conversation = new ServerConversation();
        Receive(conversation, Request("abc", keepAlive: true), out _);
        Assert.Throws<InvalidOperationException>(() => Receive(conversation, Request("def", keepAlive: true), out _));
        Assert.Throws<InvalidOperationException>(() => conversation.ReceiveEndOfStream(0));
        Assert.Equal(ConversationState.Answering, conversation.State);
    }

    [Fact]
    public void NothingMayBeWrittenBeforeARequestArrives()
    {
        var conversation = new ServerConversation();
        Assert.Throws<InvalidOperationException>(() => conversation.Respond(new ArrayBufferWriter<byte>(), ContentTypes.ServerBinary, ContentTypes.BinaryEncoding, "x"u8));
        Receive(conversation, Request("abc", keepAlive: true)[..5], out _);
        Assert.Throws<InvalidOperationException>(() => conversation.Respond(new ArrayBufferWriter<byte>(), ContentTypes.ServerBinary, ContentTypes.BinaryEncoding, "x"u8));
        Assert.Equal(ConversationState.Header, conversation.State);
    }

    [Fact]
    public void TheStreamMayEndBetweenRequests()
    {
        var conversation = new ServerConversation();
        Assert.Null(conversation.ReceiveEndOfStream(0));
        Assert.Equal(ConversationState.Done, conversation.State);
        Assert.Equal(ConversationEventKind.Finished, Receive(conversation, Request("abc", keepAlive: true), out _).Kind);
    }

    [Fact]
    public void AStreamThatEndsInARequestEndsTheConversationWithNoAnswerOwedInEveryPrefix()
    {
        byte[] request = Request("abc", keepAlive: true);
        for (int fed = 1; fed < request.Length; fed++)
        {
            var conversation = new ServerConversation();
            Receive(conversation, request[..fed], out int unconsumed);
            ConversationState before = conversation.State;
            ProtocolException? truncated = conversation.ReceiveEndOfStream(unconsumed);
            Assert.True(truncated?.Error == ProtocolError.TruncatedMessage, $"after {fed} bytes ({before})");
            Assert.Equal(ConversationState.Error, conversation.State);
            Assert.Same(truncated, conversation.Failure);
            Assert.False(conversation.IsAnswerOwed);
        }
    }

    [Fact]
    public void ContentThatBreaksALimitEndsTheConversationAndItsAnswerRefusesKeepAlive()
    {
        var conversation = new ServerConversation();
        Receive(conversation, [.. Request("abc", keepAlive: true), .. Request("next", keepAlive: true)], out _);
        conversation.RejectRequest(new ProtocolException(ProtocolError.NestingTooDeep, "too deep"));
        Assert.Equal(ConversationState.Error, conversation.State);
        var output = new ArrayBufferWriter<byte>();
        conversation.Respond(output, ContentTypes.TextJson, ContentTypes.Utf8Encoding, "{}"u8);
        Assert.Equal(MessageEncoder.Encode(new MessageHeader(ContentTypes.TextJson, ContentTypes.Utf8Encoding, 2), "{}"u8), output.WrittenSpan.ToArray());
        Assert.Equal(ConversationEventKind.Finished, Receive(conversation, Request("next", keepAlive: true), out _).Kind);
    }

    [Fact]
    public void ContentInAnEncodingThatDoesNotDecodeLeavesTheConversationAsTheRequestAsked()
    {
        var conversation = new ServerConversation();
        Receive(conversation, Request("abc", keepAlive: true), out _);
        var error = new ProtocolException(ProtocolError.InvalidContentEncoding, "not utf-8");
        Assert.True(error.StreamInSync);
        conversation.RejectRequest(error);
        Assert.Equal(ConversationState.Answering, conversation.State);
        var output = new ArrayBufferWriter<byte>();
        conversation.Respond(output, ContentTypes.TextJson, ContentTypes.Utf8Encoding, "{}"u8);
        Assert.True(Assert.Single(Splits.Decode(output.WrittenSpan.ToArray(), [])).Header.KeepAlive);
        Assert.Equal(ConversationState.Idle, conversation.State);
        Assert.Null(conversation.Failure);
        Assert.Throws<InvalidOperationException>(() => conversation.RejectRequest(error));
    }
}
