using System.Diagnostics.Metrics;
using SocketKit.Metrics;

namespace SocketKit.Tests.Metrics;

/// <summary>The "SocketKit.Server" meter, read as any consumer reads it: with a MeterListener.</summary>
[Tier(TestTier.Socket)]
public class SocketKitMetricsTests
{
    [Theory]
    [InlineData(EngineKind.Blocking)]
    [InlineData(EngineKind.Select)]
    public async Task AServerReportsConnectionsRequestsBytesAndProtocolErrors(EngineKind engine)
    {
        using var recorded = new RecordedMetrics();
        await using AppServer server = new AppServer(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Engine = engine }).Start();
        int port = ((IPEndPoint)server.LocalEndPoint).Port;

        byte[] search = Encode(AppRequests.Json("search", "ring"));
        byte[] binary = Encode(AppRequests.Binary("findxyz"u8.ToArray()));
        byte[] broken = [0, 5, .. "hello"u8];
        long received = 0;
        foreach (byte[] request in new[] { search, binary, broken })
        {
            received += (await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint, request)).Length;
        }
        await server.StopAsync();

        Assert.Equal(3, recorded.Sum(SocketKitMetrics.Connections, port));
        Assert.Equal(0, recorded.Sum(SocketKitMetrics.ActiveConnections, port));
        Assert.Equal(3, recorded.Of(SocketKitMetrics.ConnectionDuration, port).Count);
        Assert.Equal(search.Length + binary.Length + broken.Length, recorded.Sum(SocketKitMetrics.BytesReceived, port));
        Assert.Equal(received, recorded.Sum(SocketKitMetrics.BytesSent, port));

        var requests = recorded.Of(SocketKitMetrics.Requests, port);
        Assert.Equal(["search", "_OTHER"], requests.Select(r => (string)r.Tags["socketkit.request.action"]!).Order(StringComparer.Ordinal).Reverse());
        var durations = recorded.Of(SocketKitMetrics.RequestDuration, port);
        Assert.Equal(2, durations.Count);
        Assert.All(durations, d => Assert.InRange(d.Value, double.Epsilon, 10));

        var expectedError = Assert.Throws<ProtocolException>(() =>
        {
            var sequence = new ReadOnlySequence<byte>(broken);
            new MessageDecoder().TryDecode(ref sequence, out _);
        }).Error;
        var errors = recorded.Of(SocketKitMetrics.ProtocolErrors, port);
        Assert.Equal(expectedError.ToString(), Assert.Single(errors).Tags["error.type"]);
    }

    [Fact]
    public async Task AMappedActionIsItsOwnTagAndUnknownActionsShareOne()
    {
        using var recorded = new RecordedMetrics();
        await using AppServer server = new AppServer(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) })
            .MapAction("double", r => AppResponse.Result("42"))
            .Start();
        int port = ((IPEndPoint)server.LocalEndPoint).Port;
        foreach (string action in new[] { "double", "nonsense-1", "nonsense-2" })
        {
            await AppClient.RequestAsync("127.0.0.1", port, AppRequests.Json(action, "21"));
        }
        await server.StopAsync();
        Assert.Equal(["_OTHER", "_OTHER", "double"],
            recorded.Of(SocketKitMetrics.Requests, port).Select(r => (string)r.Tags["socketkit.request.action"]!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AServerRecordsToTheMetricsItsOptionsName()
    {
        using var factory = new TestMeterFactory();
        using var metrics = new SocketKitMetrics(factory);
        using var recorded = new RecordedMetrics();
        await using AppServer server = new AppServer(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Metrics = metrics }).Start();
        int port = ((IPEndPoint)server.LocalEndPoint).Port;
        await AppClient.RequestAsync("127.0.0.1", port, AppRequests.Json("search", "morpheus"));
        await server.StopAsync();
        Meter meter = Assert.Single(factory.Meters);
        Assert.Equal(SocketKitMetrics.MeterName, meter.Name);
        Assert.Equal(1, recorded.Sum(SocketKitMetrics.Requests, port));
    }

    private static byte[] Encode(Message message)
    {
        var output = new ArrayBufferWriter<byte>();
        MessageEncoder.Write(output, message.Header, message.Content.Span);
        return output.WrittenSpan.ToArray();
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Meters { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, this);
            Meters.Add(meter);
            return meter;
        }

        public void Dispose() => Meters.ForEach(m => m.Dispose());
    }
}
