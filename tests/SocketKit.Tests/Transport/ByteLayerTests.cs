namespace SocketKit.Tests.Transport;

/// <summary>
/// A byte layer added from outside the engines: a test-only layer that scrambles every byte each way (XOR) and counts
/// them, put under the handler through <see cref="ServerOptions.ByteLayers"/> alone, serves the tutorial's
/// conversations on every engine, over plain TCP (the only layer) and over TLS (above it). A server that did not run
/// the layer would read scrambled bytes as no request at all.
/// </summary>
[Tier(TestTier.Socket)]
public sealed class ByteLayerTests
{
    private const byte Key = 0x5A;

    public static TheoryData<EngineKind, string> Cases()
    {
        var cases = new TheoryData<EngineKind, string>();
        foreach (EngineKind engine in Enum.GetValues<EngineKind>())
        {
            cases.Add(engine, "plain");
            cases.Add(engine, "tls");
        }
        return cases;
    }

    private static TestTransport Transport(string name) => name == "tls" ? TestTransport.Tls : TestTransport.Ipv4;

    private static SocketServer Start(EngineKind engine, TestTransport transport, Counts counts)
    {
        AppRouter router = TutorialHandlers.CreateRouter();
        ServerOptions options = TestServers.Options(engine, transport) with { ByteLayers = [_ => new ScramblingLayer(counts)] };
        return SocketServer.Start(options, connection => new AppServerHandler(router, connection));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ALayerAddedThroughTheOptionsCarriesEveryRequestAndAnswerBothWays(EngineKind engine, string transportName)
    {
        TestTransport transport = Transport(transportName);
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        var counts = new Counts();
        await using SocketServer server = Start(engine, transport, counts);

        byte[] answer = await transport.ExchangeUntilCloseAsync(server, Scramble(v.Request));

        Assert.Equal(Convert.ToHexString(v.Response), Convert.ToHexString(Scramble(answer)));
        Assert.Equal(v.Request.Length, counts.In);
        Assert.Equal(answer.Length, counts.Out);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PipelinedKeepAliveRequestsSentAByteAtATimeThroughTheLayerAreAnsweredInOrder(EngineKind engine, string transportName)
    {
        TestTransport transport = Transport(transportName);
        string[] values = ["morpheus", "ring", "\U0001F436"];
        byte[] requests = [.. values.SelectMany((value, i) =>
        {
            Message m = AppRequests.Json("search", value, keepAlive: i < values.Length - 1);
            return MessageEncoder.Encode(m.Header, m.Content.Span);
        })];
        var counts = new Counts();
        await using SocketServer server = Start(engine, transport, counts);

        byte[] answer = await transport.ExchangeUntilCloseAsync(server, Scramble(requests), pieceSize: 1);

        List<Message> responses = Splits.Decode(Scramble(answer), []);
        Assert.Equal(values.Length, responses.Count);
        for (int i = 0; i < values.Length; i++)
        {
            AppResponse expected = AppServerHandler.Answer(TutorialHandlers.CreateRouter(), AppRequests.Json("search", values[i]));
            Assert.Equal(expected.Content.ToArray(), responses[i].Content.ToArray());
        }
        Assert.Equal(requests.Length, counts.In);
        Assert.Equal(answer.Length, counts.Out);
    }

    private static byte[] Scramble(ReadOnlySpan<byte> bytes)
    {
        byte[] scrambled = bytes.ToArray();
        for (int i = 0; i < scrambled.Length; i++)
        {
            scrambled[i] ^= Key;
        }
        return scrambled;
    }

    /// <summary>The bytes every connection's layer passed each way; read by the test once the server has closed.</summary>
    private sealed class Counts
    {
        private long _in;
        private long _out;

        public long In => Interlocked.Read(ref _in);

        public long Out => Interlocked.Read(ref _out);

        public void Received(int count) => Interlocked.Add(ref _in, count);

        public void Sent(int count) => Interlocked.Add(ref _out, count);
    }

    /// <summary>XORs every byte each way with <see cref="Key"/>, and counts them: it changes outbound bytes, so it keeps its own.</summary>
    private sealed class ScramblingLayer(Counts counts) : ByteLayer
    {
        private byte[] _outgoing = new byte[256];
        private int _outgoingCount;

        public override bool TransformsOutbound => true;

        public override ReadOnlyMemory<byte> Outgoing => _outgoing.AsMemory(0, _outgoingCount);

        public override int OutgoingCount => _outgoingCount;

        public override void Receive(ReadOnlyMemory<byte> bytes)
        {
            counts.Received(bytes.Length);
            PassUp(Scramble(bytes.Span));
        }

        public override void Write(ReadOnlyMemory<byte> bytes)
        {
            counts.Sent(bytes.Length);
            if (_outgoing.Length < _outgoingCount + bytes.Length)
            {
                Array.Resize(ref _outgoing, Math.Max(_outgoing.Length * 2, _outgoingCount + bytes.Length));
            }
            Scramble(bytes.Span).CopyTo(_outgoing.AsSpan(_outgoingCount));
            _outgoingCount += bytes.Length;
        }

        public override void Consume(int count)
        {
            _outgoing.AsSpan(count, _outgoingCount - count).CopyTo(_outgoing);
            _outgoingCount -= count;
        }
    }
}
