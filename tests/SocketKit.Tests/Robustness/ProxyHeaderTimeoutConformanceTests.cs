using Microsoft.Extensions.Time.Testing;
using SocketKit.Protocol.Proxy;
using SocketKit.Transport.ProxyProtocol;
using static SocketKit.Tests.Protocol.Proxy.ProxyFrames;

namespace SocketKit.Tests.Robustness;

/// <summary>
/// The PROXY header is timed like any other header: the request timeout runs from the connection's start and bounds
/// the PROXY header and the first request together, on every engine, whether the header is read by the server itself
/// (below TLS, as <see cref="ServerBuilder.RequireProxyProtocol"/> composes it) or by a <see cref="ProxyProtocolHandler"/>
/// wrapping the application's. Timeouts run on a fake clock.
/// </summary>
[Tier(TestTier.Socket)]
public abstract class ProxyHeaderTimeoutConformanceTests(EngineKind engine, bool readByTheServer = false) : EngineSuite(engine)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    // Far from the request timeout, so that a connection closed by the idle timeout instead fails the range check.
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    private static readonly IPEndPoint Client = new(IPAddress.Parse("192.0.2.7"), 56324);

    public static TheoryData<string> Versions => new() { "v1", "v2" };

    /// <summary>Each version, with half its header sent or the whole of it.</summary>
    public static TheoryData<string, string> VersionsAndParts => new() { { "v1", "half" }, { "v1", "whole" }, { "v2", "half" }, { "v2", "whole" } };

    private readonly FakeTimeProvider _time = new();

    private static byte[] Header(string version, EndPoint server) => version == "v1"
        ? V1($"PROXY TCP4 {Client.Address} 127.0.0.1 {Client.Port} {((IPEndPoint)server).Port}\r\n")
        : V2(1, 0x11, Addresses(Client, new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)server).Port)));

    private SocketServer Start()
    {
        AppRouter router = HostileServers.Router();
        var options = new ServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            Engine = Engine,
            Timeouts = new ServerTimeouts { RequestTimeout = RequestTimeout, IdleTimeout = IdleTimeout },
            TimeProvider = _time,
        };
        return readByTheServer
            ? SocketServer.Start(options with { ProxyHeaderBytes = ProxyHeaderDecoder.DefaultMaxHeaderBytes }, connection => new AppServerHandler(router, connection))
            : SocketServer.Start(options, ProxyProtocolHandler.Require(connection => new AppServerHandler(router, connection)));
    }

    /// <summary>Moves fake time until the server closes <paramref name="client"/>: at the request timeout (or one heartbeat after), counted as a timeout.</summary>
    private Task AssertClosedByTheRequestTimeoutAsync(SocketServer server, Socket client, Action<int>? eachSecond = null) =>
        HostileServers.AssertClosedByATimeoutAsync(server, _time, client, (int)RequestTimeout.TotalSeconds, eachSecond: eachSecond);

    [Theory]
    [MemberData(nameof(VersionsAndParts))]
    public async Task AProxyHeaderWithoutARequestIsClosedByTheRequestTimeoutFromTheConnectionsStart(string version, string part)
    {
        await using SocketServer server = Start();
        using Socket client = await RawClient.ConnectAsync(server.LocalEndPoint);
        byte[] header = Header(version, server.LocalEndPoint);
        int sent = part == "half" ? header.Length / 2 : header.Length;
        client.Send(header.AsSpan(0, sent));
        await Eventually.TrueAsync(() => server.Counters.BytesReceived == sent, $"the server reads the {part} header");

        // A balancer sends the header at once for a client that then sends nothing: that client gets the header
        // timeout, as it would connecting directly, not the longer idle timeout of a connection between requests.
        await AssertClosedByTheRequestTimeoutAsync(server, client);
        await AssertServesThroughAHeaderAsync(server, version);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task AProxyHeaderDribbledByteByByteDoesNotResetTheRequestTimeout(string version)
    {
        await using SocketServer server = Start();
        using Socket client = await HostileServers.ConnectAcceptedAsync(server);
        byte[] header = Header(version, server.LocalEndPoint);

        // One byte of the header a second, never the whole of it within the timeout.
        await AssertClosedByTheRequestTimeoutAsync(server, client, second => client.Send(header.AsSpan(second - 1, 1)));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task AProxyHeaderAndARequestWithinTheRequestTimeoutAreAnswered(string version)
    {
        await using SocketServer server = Start();
        using Socket client = await HostileServers.ConnectAcceptedAsync(server);
        client.Send(Header(version, server.LocalEndPoint));
        await HostileServers.AssertADribbledRequestIsAnsweredAsync(server, _time, client, seconds: (int)RequestTimeout.TotalSeconds - 1);
    }

    private static async Task AssertServesThroughAHeaderAsync(SocketServer server, string version)
    {
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        byte[] answer = await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint, [.. Header(version, server.LocalEndPoint), .. v.Request]);
        Assert.Equal(v.Response, answer);
    }
}

public sealed class BlockingProxyHeaderTimeoutTests() : ProxyHeaderTimeoutConformanceTests(EngineKind.Blocking);

public sealed class SelectProxyHeaderTimeoutTests() : ProxyHeaderTimeoutConformanceTests(EngineKind.Select);

public sealed class BlockingServerReadProxyHeaderTimeoutTests() : ProxyHeaderTimeoutConformanceTests(EngineKind.Blocking, readByTheServer: true);

public sealed class SelectServerReadProxyHeaderTimeoutTests() : ProxyHeaderTimeoutConformanceTests(EngineKind.Select, readByTheServer: true);
