using SocketKit.Applications;
using SocketKit.Applications.MultiConn;

namespace SocketKit.Tests.Transport;

/// <summary>
/// The tutorial's "Communication Breakdown" through a relay that misbehaves as networks do: every message
/// still arrives intact, or the failure is reported as what it is and nothing half-received is taken as a message.
/// </summary>
[Tier(TestTier.Socket)]
public class FaultyNetworkTests
{
    public static TheoryData<EngineKind> Engines => TestServers.Engines;

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task EveryReferenceExchangeArrivesByteForByteInOneByteSegments(EngineKind engine)
    {
        await using SocketServer server = TestServers.App(engine);
        await using var relay = FaultRelay.Start(server.LocalEndPoint, new Faults { SegmentBytes = 1 }, new Faults { SegmentBytes = 1 });
        long bytes = 0;
        foreach (ReferenceVector v in ReferenceVectors.All)
        {
            byte[] answer = await RawClient.ExchangeUntilCloseAsync(relay.EndPoint, v.Request);
            Assert.Equal(Convert.ToHexString(v.Response), Convert.ToHexString(answer));
            bytes += v.Request.Length + v.Response.Length;
        }
        Assert.Equal(bytes, relay.Writes);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task AnEchoComesBackWholeThroughOneByteSegments(EngineKind engine)
    {
        await using SocketServer server = TestServers.Echo(engine);
        await using var relay = FaultRelay.Start(server.LocalEndPoint, new Faults { SegmentBytes = 1 }, new Faults { SegmentBytes = 1 });
        byte[] message = RandomNumberGenerator.GetBytes(4096);
        Assert.Equal(message, await EchoClient.EchoAsync("127.0.0.1", relay.Port, message));
        Assert.Equal(2 * message.Length, relay.Writes);
    }

    [Fact]
    public async Task MultiConnConnectionsGetTheirBytesBackThroughSlowSmallWrites()
    {
        await using SocketServer server = TestServers.Echo(EngineKind.Select);
        var slow = new Faults { SegmentBytes = 5, DelayPerWrite = TimeSpan.FromMilliseconds(2) };
        await using var relay = FaultRelay.Start(server.LocalEndPoint, slow, slow);
        IReadOnlyList<MultiConnResult> results = await MultiConnClient.RunAsync("127.0.0.1", relay.Port, 5);
        Assert.All(results, r => Assert.True(r.Complete, r.Error));
        Assert.All(results, r => Assert.Equal("Message 1 from client.Message 2 from client."u8.ToArray(), r.Received));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task AStallOf200MillisecondsMidMessageEachWayChangesNothingButTheTime(EngineKind engine)
    {
        await using SocketServer server = TestServers.App(engine);
        await using var relay = FaultRelay.Start(server.LocalEndPoint,
            new Faults { StallAfterBytes = SearchMorpheus.Request.Length / 2, StallFor = TimeSpan.FromMilliseconds(200) },
            new Faults { StallAfterBytes = 5, StallFor = TimeSpan.FromMilliseconds(200) });
        Message response = await SearchMorpheusAsync(relay);
        Assert.Equal(SearchMorpheus.Response, MessageEncoder.Encode(response.Header, response.Content.Span));
        Assert.Equal(2, relay.Stalls);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task AResetMidResponseIsReportedAsAResetAndNoMessageIsTaken(EngineKind engine)
    {
        await using SocketServer server = TestServers.App(engine);
        await using var relay = FaultRelay.Start(server.LocalEndPoint, toClient: new Faults { ResetAfterBytes = SearchMorpheus.Response.Length / 2 });
        NetworkException ex = await Assert.ThrowsAsync<NetworkException>(() => SearchMorpheusAsync(relay));
        Assert.Equal(SocketErrorKind.ConnectionReset, ex.Kind);
        Assert.Equal(1, relay.Resets);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task AResetMidRequestLeavesTheServerServingOthers(EngineKind engine)
    {
        await using SocketServer server = TestServers.App(engine);
        await using (var relay = FaultRelay.Start(server.LocalEndPoint, new Faults { ResetAfterBytes = SearchMorpheus.Request.Length - 3 }))
        {
            await Assert.ThrowsAsync<NetworkException>(() => SearchMorpheusAsync(relay));
            Assert.Equal(1, relay.Resets);
        }
        Assert.Equal(SearchMorpheus.Response, await RawClient.ExchangeUntilCloseAsync(server.LocalEndPoint, SearchMorpheus.Request));
    }

    [Fact]
    public async Task TheAppClientCommandSaysTheConnectionWasResetAndPrintsNoResult()
    {
        await using SocketServer server = TestServers.App(EngineKind.Select);
        await using var relay = FaultRelay.Start(server.LocalEndPoint, toClient: new Faults { ResetAfterBytes = 10 });
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(1, "app-client", "127.0.0.1", relay.Port.ToString(), "search", "morpheus", "-q");
        Assert.Equal("", result.Out);
        Assert.Contains("ECONNRESET", result.Error);
        Support.Cli.AssertNoStackTrace(result.Error);
    }

    [Fact]
    public async Task TheEchoClientSaysTheConnectionWasResetWithinItsTimeout()
    {
        await using SocketServer server = TestServers.Echo(EngineKind.Blocking);
        await using var relay = FaultRelay.Start(server.LocalEndPoint, toClient: new Faults { ResetAfterBytes = 1000 });
        NetworkException ex = await Assert.ThrowsAsync<NetworkException>(() =>
            EchoClient.EchoAsync("127.0.0.1", relay.Port, RandomNumberGenerator.GetBytes(5000), new ClientOptions { Timeout = TimeSpan.FromSeconds(10) }));
        Assert.Equal(SocketErrorKind.ConnectionReset, ex.Kind);
    }

    /// <summary>The reference exchange the fault tests ask through the relay.</summary>
    private static readonly ReferenceVector SearchMorpheus = ReferenceVectors.Get("search-morpheus");

    /// <summary><see cref="SearchMorpheus"/>'s request asked through the relay.</summary>
    private static Task<Message> SearchMorpheusAsync(FaultRelay relay) =>
        AppClient.RequestAsync("127.0.0.1", relay.Port, AppRequests.FromCommandLine("search", "morpheus"));
}
