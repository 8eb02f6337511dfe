using SocketKit.Diagnostics.Bench;

namespace SocketKit.Tests.Diagnostics;

/// <summary>The load generator against servers whose answers are known: right ones pass verification, wrong ones are caught.</summary>
[Tier(TestTier.Socket)]
public class LoadGeneratorTests
{
    private static BenchOptions Options(BenchKind kind, SocketServer server) => new()
    {
        Kind = kind,
        EndPoint = new IPEndPoint(IPAddress.Loopback, server.Port()),
        Connections = 4,
        Requests = 200,
        Duration = TimeSpan.FromSeconds(20),
        Verify = true,
    };

    [Theory]
    [InlineData(1, 1)]
    [InlineData(50, 1)]
    [InlineData(50, 8)]
    public async Task EveryAppRequestIsAnsweredWithTheExpectedBytes(int keepAlive, int pipeline)
    {
        await using SocketServer server = TestServers.App(EngineKind.Select);
        BenchOptions options = Options(BenchKind.App, server) with { KeepAlive = keepAlive, Pipeline = pipeline };
        BenchResult r = await LoadGenerator.RunAsync(options);
        long requests = options.Requests!.Value;
        Assert.Empty(r.Errors);
        Assert.Equal(requests, r.Completed);
        Assert.Equal(requests, r.Latency.Count);
        Assert.True(r.BytesReceived > requests * 60, $"received {r.BytesReceived} bytes");
    }

    [Fact]
    public async Task VerificationCatchesAServerThatGetsOneByteWrong()
    {
        // U+1F431 (cat) differs from the reference's U+1F430 (rabbit) in the last byte of its UTF-8.
        AppRouter wrong = new AppRouter().MapAction("search", _ => AppResponse.Result("Follow the white rabbit. \U0001F431"));
        await using SocketServer server = TestServers.App(EngineKind.Select, wrong);
        BenchOptions options = Options(BenchKind.App, server);
        BenchResult r = await LoadGenerator.RunAsync(options);
        Assert.Equal(0, r.Completed);
        Assert.Equal(options.Requests!.Value, r.Errors[BenchErrors.WrongBytes]);
    }

    [Fact]
    public async Task WithoutVerificationTheSameWrongServerCountsAsAnswered()
    {
        AppRouter wrong = new AppRouter().MapAction("search", _ => AppResponse.Result("Follow the white rabbit. \U0001F431"));
        await using SocketServer server = TestServers.App(EngineKind.Select, wrong);
        BenchOptions options = Options(BenchKind.App, server) with { Verify = false };
        BenchResult r = await LoadGenerator.RunAsync(options);
        Assert.Empty(r.Errors);
        Assert.Equal(options.Requests!.Value, r.Completed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100_000)]
    public async Task EchoMessagesOfAnySizeComeBackVerified(int size)
    {
        await using SocketServer server = TestServers.Echo(EngineKind.Select);
        BenchOptions options = Options(BenchKind.Echo, server) with { MessageBytes = size, Requests = 50 };
        BenchResult r = await LoadGenerator.RunAsync(options);
        long requests = options.Requests!.Value;
        Assert.Empty(r.Errors);
        Assert.Equal(requests, r.Completed);
        Assert.Equal(requests * size, r.BytesReceived);
    }

    [Fact]
    public async Task VerificationCatchesAnEchoServerThatChangesAByte()
    {
        await using SocketServer server = SocketServer.Start(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, _ => new ByteFlippingEcho());
        BenchOptions options = Options(BenchKind.Echo, server) with { Requests = 20 };
        BenchResult r = await LoadGenerator.RunAsync(options);
        Assert.Equal(0, r.Completed);
        Assert.Equal(options.Requests!.Value, r.Errors[BenchErrors.WrongBytes]);
    }

    [Theory]
    [InlineData(0)] // Unpaced.
    [InlineData(1)] // Paced by an interval (each connection waits on its deadline in the loop).
    public async Task AConnectionTheServerClosesIsCountedAndConnectedAgainPacedOrNot(int intervalMs)
    {
        // Echoes one message whole, then closes: every connection answers once, then is "closed" and made again.
        await using SocketServer server = SocketServer.Start(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, _ => new OneEchoThenClose());
        BenchOptions options = Options(BenchKind.Echo, server) with { Requests = 100, Duration = TimeSpan.FromSeconds(30), Interval = TimeSpan.FromMilliseconds(intervalMs) };
        BenchResult r = await LoadGenerator.RunAsync(options).WaitAsync(options.Duration + TimeSpan.FromSeconds(10));
        // Each request was sent, on a connection made again after each close: answered, or lost with the close that
        // followed an answer (a FIN or, when the request reached the closed socket first, a reset).
        Assert.True(r.Errors.Keys.All(k => k is BenchErrors.Closed or BenchErrors.Reset), string.Join(", ", r.Errors));
        Assert.Equal(options.Requests!.Value, r.Completed + r.Errors.Values.Sum());
        Assert.True(r.Completed > options.Connections, $"{r.Completed} answered: connections were not made again");
    }

    [Fact]
    public async Task ARunAgainstNothingEndsAtItsDurationWithTheErrorsCounted()
    {
        using HeldPort held = Ports.Hold(); // Bound, never listening: connections are refused.
        IPEndPoint closed = held.EndPoint;
        var watch = Stopwatch.StartNew();
        BenchResult r = await LoadGenerator.RunAsync(new BenchOptions { Kind = BenchKind.App, EndPoint = closed, Connections = 2, Duration = TimeSpan.FromMilliseconds(300) });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(0, r.Completed);
        Assert.True(r.Errors.GetValueOrDefault(BenchErrors.Refused) > 0, string.Join(", ", r.Errors));
    }

    [Fact]
    public async Task TheServersCpuAndMemoryAreSampledFromProc()
    {
        await using SocketServer server = TestServers.App(EngineKind.Select);
        BenchResult r = await LoadGenerator.RunAsync(Options(BenchKind.App, server) with { ServerPid = Environment.ProcessId, KeepAlive = 100, Idle = TimeSpan.FromMilliseconds(100) });
        ServerSamples s = Assert.IsType<ServerSamples>(r.Server);
        Assert.True(s.MeasureEnd.CpuTime > s.BeforeConnecting.CpuTime);
        Assert.True(s.MeasureEnd.RssBytes > 1_000_000);
        Assert.NotNull(s.AllConnected);
        Assert.NotNull(r.ConnectAllTime);
    }

    [Theory]
    [InlineData(BenchKind.Echo)]
    [InlineData(BenchKind.App)]
    public async Task AServerThatStallsForOneSecondIsSeenByTheOpenLoopsPercentilesAndHiddenByTheClosedLoops(BenchKind kind)
    {
        await using SocketServer server = kind == BenchKind.Echo ? TestServers.Echo(EngineKind.Select) : TestServers.App(EngineKind.Select);
        (BenchResult closed, int closedStalls) = await RunThroughAStallAsync(server, kind, rate: null);
        (BenchResult open, int openStalls) = await RunThroughAStallAsync(server, kind, rate: 200);
        Assert.Equal((1, 1), (closedStalls, openStalls));
        Assert.Empty(closed.Errors);
        Assert.Empty(open.Errors);
        // Both saw the stall: one request in the closed loop, every one due during it in the open loop.
        Assert.True(closed.Latency.Max >= 900_000_000, $"closed loop max {closed.Latency.Max} ns");
        Assert.True(open.Latency.Max >= 900_000_000, $"open loop max {open.Latency.Max} ns");
        // About a quarter of the open loop's requests were due while the server stalled, waiting 0 to 1 s: its p90 is
        // hundreds of ms. The closed loop sent nothing while it waited, so its p90 is one of thousands of quick answers.
        long closedP90 = closed.Latency.ValueAtPercentile(90), openP90 = open.Latency.ValueAtPercentile(90);
        Assert.True(openP90 >= 300_000_000, $"open loop p90 {openP90} ns");
        Assert.True(openP90 >= 10 * closedP90, $"open loop p90 {openP90} ns, closed loop p90 {closedP90} ns");
        // And the open loop held its rate through the stall, sending the overdue requests once the server was back.
        Assert.InRange(open.SentPerSecond, 190, 210);
    }

    private static async Task<(BenchResult Result, int Stalls)> RunThroughAStallAsync(SocketServer server, BenchKind kind, double? rate)
    {
        // The answers stop for 1 s about half a second into the open loop's run (100 echoes of 64 B, or 100 answers of about 150 B).
        var stall = new Faults { StallAfterBytes = kind == BenchKind.Echo ? 6_400 : 15_000, StallFor = TimeSpan.FromSeconds(1) };
        await using FaultRelay relay = FaultRelay.Start(new IPEndPoint(IPAddress.Loopback, server.Port()), toClient: stall);
        BenchResult result = await LoadGenerator.RunAsync(new BenchOptions
        {
            Kind = kind,
            EndPoint = relay.EndPoint,
            Connections = 1,
            Duration = TimeSpan.FromSeconds(4),
            KeepAlive = kind == BenchKind.App ? 1_000_000 : 1,
            Rate = rate,
        });
        return (result, relay.Stalls);
    }

    [Theory]
    [InlineData(BenchKind.Echo)]
    [InlineData(BenchKind.App)]
    public async Task ARequestWithNoAnswerWithinTheTimeoutIsTimedOutAndNoLatencyIsRecorded(BenchKind kind)
    {
        using Socket silent = Listeners.Listen(new IPEndPoint(IPAddress.Loopback, 0), 16); // Connects complete; nothing is ever read or answered.
        BenchResult r = await LoadGenerator.RunAsync(new BenchOptions
        {
            Kind = kind,
            EndPoint = silent.LocalEndPoint!,
            Connections = 2,
            Duration = TimeSpan.FromSeconds(1),
            Timeout = TimeSpan.FromMilliseconds(400),
        });
        Assert.Equal(0, r.Completed);
        Assert.Equal(0, r.Latency.Count);
        // Each connection's requests time out one after another for the whole second (and the last in the drain).
        Assert.InRange(r.Errors[BenchErrors.TimedOut], 2, 8);
        Assert.Single(r.Errors);
    }

    [Fact]
    public async Task AnEchoServerLoadedAsAnAppServerIsNotTheApplicationProtocol()
    {
        await using SocketServer server = TestServers.Echo(EngineKind.Select);
        BenchOptions options = Options(BenchKind.App, server) with { Verify = false, KeepAlive = 10 };
        BenchResult r = await LoadGenerator.RunAsync(options);
        Assert.Equal(0, r.Completed);
        Assert.Equal(options.Requests!.Value, r.Errors[BenchErrors.NotTheAppProtocol]);
    }

    [Fact]
    public async Task AServerThatDoesNotKeepConnectionsAliveIsCountedAndEveryRequestStillAnswered()
    {
        await using SocketServer server = AnswerOnceThenClose.Start();
        BenchOptions options = Options(BenchKind.App, server) with { KeepAlive = 10 };
        BenchResult r = await LoadGenerator.RunAsync(options);
        Assert.Empty(r.Errors);
        Assert.Equal(options.Requests!.Value, r.Completed);
        Assert.Equal(options.Requests!.Value, r.NotKeptAlive);
    }

    [Fact]
    public async Task TheTimelineCountsEverySecondsRequestsAndTheirSum()
    {
        await using SocketServer server = TestServers.Echo(EngineKind.Select);
        BenchResult r = await LoadGenerator.RunAsync(Options(BenchKind.Echo, server) with { Requests = null, Duration = TimeSpan.FromSeconds(2.5), Rate = 100 });
        Assert.Empty(r.Errors);
        Assert.InRange(r.Timeline.Count, 3, 4);
        Assert.Equal(Enumerable.Range(1, r.Timeline.Count), r.Timeline.Select(s => s.Second));
        Assert.Equal(r.Completed, r.Timeline.Sum(s => s.Completed));
        Assert.All(r.Timeline.Take(2), s => Assert.InRange(s.Sent, 80, 120)); // 100 a second, whole seconds.
        Assert.All(r.Timeline.Where(s => s.Completed > 0), s => Assert.InRange(s.MeanNanoseconds, 1, s.MaxNanoseconds));
    }

    [Fact]
    public void AProcessThatDoesNotExistCannotBeSampled() =>
        Assert.Throws<InvalidOperationException>(() => ProcessSample.Read(int.MaxValue));

    private sealed class OneEchoThenClose : IConnectionHandler
    {
        public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
        {
            if (data.Length < 64)
            {
                return NextStep.Receive; // The whole message first (the load's default size).
            }
            output.Write(data.Slice(0, 64).ToArray());
            data = data.Slice(64);
            return NextStep.CloseAfterSending;
        }

        public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output) => NextStep.CloseAfterSending;
    }

    private sealed class ByteFlippingEcho : IConnectionHandler
    {
        public NextStep OnData(ref ReadOnlySequence<byte> data, IBufferWriter<byte> output)
        {
            byte[] bytes = data.ToArray();
            bytes[0] ^= 1;
            output.Write(bytes);
            data = data.Slice(data.End);
            return NextStep.Receive;
        }

        public NextStep OnPeerClosed(ReadOnlySequence<byte> unconsumed, IBufferWriter<byte> output) => NextStep.CloseAfterSending;
    }
}
