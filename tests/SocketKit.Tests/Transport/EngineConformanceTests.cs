using SocketKit.Applications.MultiConn;

namespace SocketKit.Tests.Transport;

/// <summary>
/// The same conversations over every engine and transport: each must serve every application identically. Over TLS
/// the raw clients speak inside an <see cref="System.Net.Security.SslStream"/>, so the bytes compared are the plaintext.
/// </summary>
/// <param name="engine">The engine every server of the suite runs.</param>
/// <param name="transport">Where the servers listen (IPv4 loopback when none is given); the same conversations run again over each transport.</param>
[Tier(TestTier.Socket)]
public abstract class EngineConformanceTests(EngineKind engine, TestTransport? transport = null) : EngineSuite(engine)
{
    protected TestTransport Transport { get; } = transport ?? TestTransport.Ipv4;

    public static TheoryData<string> Vectors => ReferenceVectors.Names();

    /// <summary>How the servers of the suite are set up; a variant (the selector's mechanism, the loops) changes it.</summary>
    protected virtual ServerOptions Options() => TestServers.Options(Engine, Transport);

    private SocketServer App()
    {
        AppRouter router = TutorialHandlers.CreateRouter();
        return SocketServer.Start(Options(), connection => new AppServerHandler(router, connection));
    }

    private SocketServer Echo() => SocketServer.Start(Options(), _ => new EchoHandler());

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task TheAppServerAnswersEachReferenceRequestWithTheReferenceBytesAndCloses(string name)
    {
        ReferenceVector v = ReferenceVectors.Get(name);
        await using SocketServer server = App();
        byte[] answer = await Transport.ExchangeUntilCloseAsync(server, v.Request);
        Assert.Equal(Convert.ToHexString(v.Response), Convert.ToHexString(answer));
    }

    [Fact]
    public async Task TheAppServerReadsARequestSentOneByteAtATime()
    {
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        await using SocketServer server = App();
        byte[] answer = await Transport.ExchangeUntilCloseAsync(server, v.Request, pieceSize: 1);
        Assert.Equal(v.Response, answer);
    }

    [Fact]
    public async Task KeepAliveRequestsPipelinedInOneSegmentAreAllAnsweredInOrder()
    {
        await using SocketServer server = App();
        string[] values = ["morpheus", "ring", "neo", "\U0001F436"];
        byte[] pipelined = [.. values.SelectMany((value, i) =>
        {
            Message m = AppRequests.Json("search", value, keepAlive: i < values.Length - 1);
            return MessageEncoder.Encode(m.Header, m.Content.Span);
        })];
        byte[] answers = await Transport.ExchangeUntilCloseAsync(server, pipelined);
        List<Message> responses = Splits.Decode(answers, []);
        Assert.Equal(values.Length, responses.Count);
        for (int i = 0; i < values.Length; i++)
        {
            AppResponse expected = AppServerHandler.Answer(TutorialHandlers.CreateRouter(), AppRequests.Json("search", values[i]));
            Assert.Equal(expected.Content.ToArray(), responses[i].Content.ToArray());
            Assert.Equal(i < values.Length - 1, responses[i].Header.KeepAlive);
        }
    }

    [Fact]
    public async Task TheAppClientGetsTheTutorialsAnswers()
    {
        await using SocketServer server = App();
        Message response = await AppClient.RequestAsync(Transport.Host(server), server.Port(), AppRequests.FromCommandLine("search", "ring"), Transport.Client);
        Assert.Equal(ReferenceVectors.Get("search-ring").Response, MessageEncoder.Encode(response.Header, response.Content.Span));
    }

    [Fact]
    public async Task AProtocolErrorIsAnsweredAndClosesOnlyThatConnection()
    {
        await using SocketServer server = App();
        await using RawConnection idle = await Transport.ConnectAsync(server);
        byte[] answer = await Transport.ExchangeUntilCloseAsync(server, Frames.Raw("[not, a, header]"));
        Message error = Assert.Single(Splits.Decode(answer, []));
        Assert.Equal("{\"result\": \"Error: the JSON header must be an object, not an array.\"}", Encoding.UTF8.GetString(error.Content.Span));
        // Another connection, opened before the bad one, is still served.
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        await idle.SendAsync(ReferenceVectors.Get("search-miss").Request, cts.Token);
        Assert.Equal(ReferenceVectors.Get("search-miss").Response, await idle.ReadToEndAsync(cts.Token));
    }

    [Fact]
    public async Task TheEchoServerReturnsAMegabyteByteForByte()
    {
        await using SocketServer server = Echo();
        byte[] message = RandomNumberGenerator.GetBytes(1024 * 1024);
        byte[] echo = await EchoClient.EchoAsync(Transport.Host(server), server.Port(), message, Transport.Client);
        Assert.Equal(message, echo);
    }

    [Fact]
    public async Task TheEchoServerSendsBackWhatArrivedBeforeTheClientsHalfClose()
    {
        await using SocketServer server = Echo();
        byte[] message = RandomNumberGenerator.GetBytes(100_000);
        byte[] echo = await Transport.ExchangeUntilCloseAsync(server, message, pieceSize: 7_000, halfClose: true);
        Assert.Equal(message, echo);
    }

    [Fact]
    public async Task StoppingTheServerClosesOpenConnectionsAndCompletes()
    {
        SocketServer server = Echo();
        await using RawConnection client = await Transport.ConnectAsync(server);
        using var cts = new CancellationTokenSource(RawClient.Timeout);
        await client.SendAsync("ping"u8.ToArray(), cts.Token);
        Assert.Equal("ping"u8.ToArray(), await client.ReadExactlyAsync(4, cts.Token));
        await server.StopAsync().WaitAsync(RawClient.Timeout);
        Assert.Empty(await client.ReadToEndAsync(cts.Token));
    }

    [Fact]
    public async Task AServerToldToServeOneConnectionStopsAfterIt()
    {
        ServerOptions options = Options() with { StopAfterConnections = 1 };
        await using SocketServer server = SocketServer.Start(options, _ => new EchoHandler());
        Assert.Equal("hi"u8.ToArray(), await EchoClient.EchoAsync(Transport.Host(server), server.Port(), "hi"u8.ToArray(), Transport.Client));
        await server.Completion.WaitAsync(RawClient.Timeout);
        await Assert.ThrowsAsync<NetworkException>(() => EchoClient.EchoAsync(Transport.Host(server), server.Port(), "hi"u8.ToArray(), Transport.Client with { ConnectTimeout = TimeSpan.FromSeconds(2) }));
    }

    [Fact]
    public async Task TheMultiConnClientGetsEveryConnectionsBytesBack()
    {
        await using SocketServer server = Echo();
        IReadOnlyList<MultiConnResult> results = await MultiConnClient.RunAsync(Transport.Host(server), server.Port(), 20, options: Transport.Client);
        Assert.Equal(20, results.Count);
        Assert.All(results, r => Assert.True(r.Complete, r.Error));
        Assert.All(results, r => Assert.Equal("Message 1 from client.Message 2 from client."u8.ToArray(), r.Received));
    }
}

public sealed class BlockingEngineTests() : EngineConformanceTests(EngineKind.Blocking);

public sealed class SelectEngineTests() : EngineConformanceTests(EngineKind.Select);
