using SocketKit.Diagnostics.Bench;

namespace SocketKit.Tests.Diagnostics;

/// <summary>
/// bench's application load on the client readiness loops, against servers of the default engine: one connection per
/// request or many requests per connection, a server that stalls, one that closes in the middle of an answer, one
/// that answers with what is not the protocol; over TLS too.
/// </summary>
[Tier(TestTier.Socket)]
public class LoadGeneratorOnTheLoopTests
{
    private static readonly ServerOptions Default = new() { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) };

    private static BenchOptions AppLoad(EndPoint endPoint) => new()
    {
        Kind = BenchKind.App,
        EndPoint = endPoint,
        Connections = 4,
        Requests = 120,
        Duration = TimeSpan.FromSeconds(20),
        Verify = true,
    };

    [Theory]
    [InlineData(1, 1)] // One-shot: the reference conversation, a connection per request.
    [InlineData(10, 1)] // Keep-alive: ten requests a connection.
    [InlineData(12, 4)] // Keep-alive, pipelined four deep.
    public async Task EveryRequestIsAnsweredOnAsManyConnectionsAsTheKeepAliveCountMakes(int keepAlive, int pipeline)
    {
        await using SocketServer server = SocketServer.Start(Default, connection => new AppServerHandler(TutorialHandlers.CreateRouter(), connection));
        BenchOptions options = AppLoad(server.LocalEndPoint!) with { KeepAlive = keepAlive, Pipeline = pipeline };
        BenchResult r = await LoadGenerator.RunAsync(options).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Empty(r.Errors);
        Assert.Equal(options.Requests, r.Completed);
        Assert.Equal(0, r.NotKeptAlive);
        // Each connection carries keepAlive requests, but the last of each of the four loads' connections may carry fewer.
        long connections = server.Counters.ConnectionsAccepted;
        Assert.InRange(connections, options.Requests!.Value / keepAlive, (options.Requests.Value / keepAlive) + options.Connections);
    }

    [Fact]
    public async Task AServerThatStallsLongerThanTheTimeoutCostsTimedOutRequestsAndTheLoadGoesOnOnNewConnections()
    {
        await using SocketServer server = SocketServer.Start(Default, connection => new AppServerHandler(TutorialHandlers.CreateRouter(), connection));
        // After about ten answers on a connection the relay holds its answers for 5 s: the request waiting then times
        // out at 1 s, and the load goes on on a new connection, which stalls in its turn.
        var stall = new Faults { StallAfterBytes = 1_500, StallFor = TimeSpan.FromSeconds(5) };
        await using FaultRelay relay = FaultRelay.Start(server.LocalEndPoint!, toClient: stall);
        BenchResult r = await LoadGenerator.RunAsync(AppLoad(relay.EndPoint) with
        {
            Connections = 1,
            Requests = null,
            KeepAlive = 1_000,
            Duration = TimeSpan.FromSeconds(3),
            Timeout = TimeSpan.FromSeconds(1),
        }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(relay.Stalls >= 2, $"{relay.Stalls} stalls: the load did not go on after the first");
        Assert.Equal(relay.Stalls, r.Errors[BenchErrors.TimedOut]); // Each stall cost the one request waiting, no more.
        Assert.Single(r.Errors);
        // More answers than one connection gets before its stall: the new connections answered too.
        Message request = AppRequests.Json("search", "morpheus", keepAlive: true);
        AppResponse answer = AppServerHandler.Answer(TutorialHandlers.CreateRouter(), request);
        int answerBytes = MessageEncoder.Encode(new MessageHeader(answer.ContentType, answer.ContentEncoding, answer.Content.Length) { KeepAlive = true }, answer.Content.Span).Length;
        Assert.True(r.Completed > stall.StallAfterBytes / answerBytes, $"{r.Completed} answered, {stall.StallAfterBytes / answerBytes} a connection before its stall");
        Assert.True(r.Latency.Max < 1_000_000_000, $"a latency of {r.Latency.Max} ns was recorded past the timeout");
    }

    [Fact]
    public async Task AServerThatClosesInTheMiddleOfEveryAnswerCostsEachRequestAsClosed()
    {
        await using SocketServer server = SocketServer.Start(Default, _ => new HalfAnswerThenClose());
        BenchOptions options = AppLoad(server.LocalEndPoint!) with { Requests = 40, KeepAlive = 5 };
        BenchResult r = await LoadGenerator.RunAsync(options).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, r.Completed);
        Assert.Equal(0, r.Latency.Count);
        Assert.Equal(options.Requests, r.Errors[BenchErrors.Closed]);
        Assert.Single(r.Errors);
        // A new connection for each request; each of the load's connections may open one more before it finds the run spent.
        Assert.InRange(server.Counters.ConnectionsAccepted, options.Requests!.Value, options.Requests.Value + options.Connections);
    }

    [Fact]
    public async Task AServerThatAnswersWithWhatIsNotAMessageIsNotTheApplicationProtocol()
    {
        // A length prefix that promises a header, then bytes that are not JSON: the client's conversation refuses it.
        await using SocketServer server = SocketServer.Start(Default, _ => new Answers([0, 5, .. "hello"u8]));
        BenchOptions options = AppLoad(server.LocalEndPoint!) with { Requests = 30, KeepAlive = 10 };
        BenchResult r = await LoadGenerator.RunAsync(options).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, r.Completed);
        Assert.Equal(options.Requests, r.Errors[BenchErrors.NotTheAppProtocol]);
        Assert.Single(r.Errors);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    public async Task OverTlsAtAFixedRateEveryAnswerIsVerified(int keepAlive)
    {
        await using SocketServer server = TestServers.App(Default.Engine, transport: TestTransport.Tls);
        BenchResult r = await LoadGenerator.RunAsync(AppLoad(new IPEndPoint(IPAddress.Loopback, server.Port())) with
        {
            Tls = TestTransport.Tls.Client.Tls,
            Connections = 2,
            Requests = null,
            Rate = 100,
            Duration = TimeSpan.FromSeconds(2),
            KeepAlive = keepAlive,
        }).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(r.Errors);
        Assert.Equal(r.Sent, r.Completed);
        // 100 a second for 2 s, less what the first handshakes took (the schedule starts once a connection is open).
        Assert.InRange(r.Sent, 100, 210);
        // keepAlive requests a connection; each of the two may open one more before it finds the run spent.
        Assert.InRange(server.Counters.ConnectionsAccepted, r.Completed / keepAlive, (r.Completed / keepAlive) + 4);
    }

    /// <summary>Reads a whole request, writes half of the reference answer, and closes.</summary>
    private sealed class HalfAnswerThenClose : IConnectionHandler
    {
        private readonly MessageDecoder _decoder = new();

        public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
        {
            if (!_decoder.TryDecode(ref data, out Message request))
            {
                return NextStep.Receive;
            }
            AppResponse answer = AppServerHandler.Answer(TutorialHandlers.CreateRouter(), request);
            byte[] whole = MessageEncoder.Encode(new MessageHeader(answer.ContentType, answer.ContentEncoding, answer.Content.Length) { KeepAlive = true }, answer.Content.Span);
            output.Write(whole.AsSpan(0, whole.Length / 2));
            return NextStep.CloseAfterSending;
        }

        public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output) => NextStep.CloseAfterSending;
    }

    /// <summary>Answers each whole request with the same bytes, and keeps the connection.</summary>
    private sealed class Answers(byte[] reply) : IConnectionHandler
    {
        private readonly MessageDecoder _decoder = new();

        public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
        {
            while (_decoder.TryDecode(ref data, out _))
            {
                output.Write(reply);
            }
            return NextStep.Receive;
        }

        public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output) => NextStep.CloseAfterSending;
    }
}
