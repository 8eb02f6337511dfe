using System.Buffers;
using SocketKit.Applications.App;
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
        await using SocketServer server = TestServers.App(EngineKind.Async);
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
        await using SocketServer server = TestServers.App(EngineKind.Async, wrong);
        BenchOptions options = Options(BenchKind.App, server);
        BenchResult r = await LoadGenerator.RunAsync(options);
        Assert.Equal(0, r.Completed);
        Assert.Equal(options.Requests!.Value, r.Errors["wrong bytes"]);
    }

    [Fact]
    public async Task WithoutVerificationTheSameWrongServerCountsAsAnswered()
    {
        AppRouter wrong = new AppRouter().MapAction("search", _ => AppResponse.Result("Follow the white rabbit. \U0001F431"));
        await using SocketServer server = TestServers.App(EngineKind.Async, wrong);
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
        await using SocketServer server = TestServers.Echo(EngineKind.Async);
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
        Assert.Equal(options.Requests!.Value, r.Errors["wrong bytes"]);
    }

    [Fact]
    public async Task OnTheReadinessLoopsAConnectionTheServerClosesIsCountedAndDroppedAndTheRunEnds()
    {
        // Echoes one message whole, then closes: each connection answers once, then is "closed early".
        await using SocketServer server = SocketServer.Start(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, _ => new OneEchoThenClose());
        BenchOptions options = Options(BenchKind.Echo, server) with { Requests = 1_000, Duration = TimeSpan.FromSeconds(30) };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        BenchResult r = await LoadGenerator.RunAsync(options).WaitAsync(options.Duration + TimeSpan.FromSeconds(10));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}: the run did not end with its last connection");
        Assert.Equal(options.Connections, r.Completed);
        Assert.Equal(options.Connections, r.Errors["closed early"]);
    }

    [Fact]
    public async Task ARunAgainstNothingEndsAtItsDurationWithTheErrorsCounted()
    {
        using HeldPort held = Ports.Hold(); // Bound, never listening: connections are refused.
        IPEndPoint closed = held.EndPoint;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        BenchResult r = await LoadGenerator.RunAsync(new BenchOptions { Kind = BenchKind.App, EndPoint = closed, Connections = 2, Duration = TimeSpan.FromMilliseconds(300) });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(0, r.Completed);
        Assert.True(r.Errors.GetValueOrDefault("ConnectionRefused") > 0, string.Join(", ", r.Errors));
    }

    [Fact]
    public async Task TheServersCpuAndMemoryAreSampledFromProc()
    {
        await using SocketServer server = TestServers.App(EngineKind.Async);
        BenchResult r = await LoadGenerator.RunAsync(Options(BenchKind.App, server) with { ServerPid = Environment.ProcessId, KeepAlive = 100, Idle = TimeSpan.FromMilliseconds(100) });
        ServerSamples s = Assert.IsType<ServerSamples>(r.Server);
        Assert.True(s.MeasureEnd.CpuTime > s.BeforeConnecting.CpuTime);
        Assert.True(s.MeasureEnd.RssBytes > 1_000_000);
        Assert.NotNull(s.AllConnected);
        Assert.NotNull(r.ConnectAllTime);
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
