using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using SocketKit.Applications.App;
using SocketKit.Tests.Support;
using SocketKit.Transport;
using SocketKit.Transport.ProxyProtocol;
using static SocketKit.Tests.Protocol.Proxy.ProxyFrames;

namespace SocketKit.Tests.Robustness;

/// <summary>
/// The PROXY header is timed like any other header: the header timeout runs from the connection's start and bounds
/// the PROXY header and the first request together, on every engine. Timeouts run on a fake clock.
/// </summary>
[Tier(TestTier.Socket)]
public abstract class ProxyHeaderTimeoutConformanceTests
{
    protected abstract EngineKind Engine { get; }

    private static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(10);

    // Far from the header timeout, so that a connection closed by the idle timeout instead fails the range check.
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    private static readonly IPEndPoint Client = new(IPAddress.Parse("192.0.2.7"), 56324);

    public static TheoryData<string> Versions => new() { "v1", "v2" };

    private static byte[] Header(string version, EndPoint server) => version == "v1"
        ? V1($"PROXY TCP4 {Client.Address} 127.0.0.1 {Client.Port} {((IPEndPoint)server).Port}\r\n")
        : V2(1, 0x11, Addresses(Client, new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)server).Port)));

    private SocketServer Start(FakeTimeProvider time)
    {
        AppRouter router = HostileServers.Router();
        var options = new ServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Engine = Engine,
            Timeouts = new ServerTimeouts { HeaderTimeout = HeaderTimeout, IdleTimeout = IdleTimeout },
            TimeProvider = time,
        };
        return SocketServer.Start(options, ProxyProtocolHandler.Require(connection => new AppServerHandler(router, connection, limits: options.Limits.Protocol)));
    }

    /// <summary>Moves fake time until the server closes <paramref name="client"/>: at the header timeout (or one heartbeat after), counted as a timeout.</summary>
    private static async Task AssertClosedByTheHeaderTimeoutAsync(SocketServer server, FakeTimeProvider time, Socket client, Action<int>? eachSecond = null)
    {
        int closedAfter = await HostileServers.AdvanceUntilClosedAsync(time, client, 90, eachSecond);
        Assert.InRange(closedAfter, (int)HeaderTimeout.TotalSeconds, (int)HeaderTimeout.TotalSeconds + 1);
        await Eventually.TrueAsync(() => server.Counters.ConnectionsTimedOut == 1, "the timeout is counted");
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task AHalfProxyHeaderIsClosedByTheHeaderTimeout(string version)
    {
        var time = new FakeTimeProvider();
        await using SocketServer server = Start(time);
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        byte[] header = Header(version, server.LocalEndPoint);
        client.Send(header.AsSpan(0, header.Length / 2));
        await Eventually.TrueAsync(() => server.Counters.BytesReceived == header.Length / 2, "the server reads the half header");

        await AssertClosedByTheHeaderTimeoutAsync(server, time, client);
        await AssertServesThroughAHeaderAsync(server, version);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task AProxyHeaderDribbledByteByByteDoesNotResetTheHeaderTimeout(string version)
    {
        var time = new FakeTimeProvider();
        await using SocketServer server = Start(time);
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        await Eventually.TrueAsync(() => server.Counters.ConnectionsAccepted == 1, "the server accepts the dribbler");
        byte[] header = Header(version, server.LocalEndPoint);

        // One byte of the header a second, never the whole of it within the timeout.
        await AssertClosedByTheHeaderTimeoutAsync(server, time, client, second => client.Send(header.AsSpan(second - 1, 1)));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task AWholeProxyHeaderWithoutARequestIsClosedByTheHeaderTimeoutFromTheConnectionsStart(string version)
    {
        var time = new FakeTimeProvider();
        await using SocketServer server = Start(time);
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        byte[] header = Header(version, server.LocalEndPoint);
        client.Send(header);
        await Eventually.TrueAsync(() => server.Counters.BytesReceived == header.Length, "the server reads the header");

        // A balancer sends the header at once for a client that then sends nothing: that client gets the header
        // timeout, as it would connecting directly, not the longer idle timeout of a connection between requests.
        await AssertClosedByTheHeaderTimeoutAsync(server, time, client);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task AProxyHeaderAndARequestWithinTheHeaderTimeoutAreAnswered(string version)
    {
        var time = new FakeTimeProvider();
        await using SocketServer server = Start(time);
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        await Eventually.TrueAsync(() => server.Counters.ConnectionsAccepted == 1, "the server accepts the client");
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        byte[] header = Header(version, server.LocalEndPoint);
        client.Send(header);
        for (int second = 1; second <= 9; second++)
        {
            client.Send(v.Request.AsSpan(second - 1, 1));
            time.Advance(TimeSpan.FromSeconds(1));
        }
        client.Send(v.Request.AsSpan(9));
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        Assert.Equal(v.Response, await RawClient.ReadToEndAsync(client, cts.Token));
        Assert.Equal(0, server.Counters.ConnectionsTimedOut);
    }

    private static async Task AssertServesThroughAHeaderAsync(SocketServer server, string version)
    {
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        byte[] answer = await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint, [.. Header(version, server.LocalEndPoint), .. v.Request]);
        Assert.Equal(v.Response, answer);
    }
}

public sealed class BlockingProxyHeaderTimeoutTests : ProxyHeaderTimeoutConformanceTests
{
    protected override EngineKind Engine => EngineKind.Blocking;
}

public sealed class SelectProxyHeaderTimeoutTests : ProxyHeaderTimeoutConformanceTests
{
    protected override EngineKind Engine => EngineKind.Select;
}

public sealed class AsyncProxyHeaderTimeoutTests : ProxyHeaderTimeoutConformanceTests
{
    protected override EngineKind Engine => EngineKind.Async;
}
