namespace SocketKit.Tests.Applications;

[Tier(TestTier.Socket)]
public class AppClientPipeliningTests
{
    private static readonly string[] Values = ["morpheus", "ring", "neo", "\U0001F436", "morpheus", "x", "ring"];

    private static Message[] Requests() => [.. Values.Select(v => AppRequests.Json("search", v))];

    private static void AssertAnswersInOrder(IReadOnlyList<Message> responses)
    {
        Assert.Equal(Values.Length, responses.Count);
        for (int i = 0; i < Values.Length; i++)
        {
            AppResponse expected = AppServerHandler.Answer(TutorialHandlers.CreateRouter(), AppRequests.Json("search", Values[i]));
            Assert.Equal(expected.Content.ToArray(), responses[i].Content.ToArray());
        }
    }

    [Theory]
    [InlineData(EngineKind.Blocking)]
    [InlineData(EngineKind.Select)]
    public async Task PipelinedRequestsGoInsideTls(EngineKind engine)
    {
        await using SocketServer server = SocketServer.Start(
            new ServerOptions
            {
                EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                Engine = engine,
                Tls = new SocketKit.Transport.Tls.TlsServerOptions { Certificate = TestCertificates.Server },
            },
            connection => new AppServerHandler(TutorialHandlers.CreateRouter(), connection));
        var options = new SocketKit.Applications.ClientOptions { Tls = new SocketKit.Transport.Tls.TlsClientOptions { TrustedRoots = [TestCertificates.Server] } };
        AssertAnswersInOrder(await AppClient.RequestManyAsync("127.0.0.1", server.Port(), Requests(), pipeline: 3, options));
    }

    [Theory]
    [InlineData(EngineKind.Select, 4)]
    [InlineData(EngineKind.Blocking, 16)]
    public async Task ManyRequestsShareOneConnectionAndComeBackInOrder(EngineKind engine, int pipeline)
    {
        long connections = 0;
        AppRouter router = TutorialHandlers.CreateRouter();
        await using SocketServer server = SocketServer.Start(
            new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Engine = engine },
            connection =>
            {
                Interlocked.Increment(ref connections);
                return new AppServerHandler(router, connection);
            });
        IReadOnlyList<Message> responses = await AppClient.RequestManyAsync("127.0.0.1", server.Port(), Requests(), pipeline);
        AssertAnswersInOrder(responses);
        Assert.Equal(1, Interlocked.Read(ref connections));
        Assert.All(responses.Take(Values.Length - 1), r => Assert.True(r.Header.KeepAlive));
        Assert.False(responses[^1].Header.KeepAlive); // The last request asked the server to close, as the reference does.
    }

    [ExternalFact("python3")]
    public async Task AgainstAServerThatClosesAfterEachResponseTheClientFallsBackToOneConnectionPerRequest()
    {
        (PythonPeer peer, int port) = await PythonPeer.StartServerAsync("app-server", connections: Values.Length);
        using (peer)
        {
            IReadOnlyList<Message> responses = await AppClient.RequestManyAsync("127.0.0.1", port, Requests(), pipeline: 4);
            AssertAnswersInOrder(responses);
            Assert.Equal(0, (await peer.WaitAsync()).ExitCode); // It served exactly one request on each of its connections.
        }
    }

    [Fact]
    public async Task APipelineBelowOneIsRejected() =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => AppClient.RequestManyAsync("127.0.0.1", 1, Requests(), pipeline: 0));
}
