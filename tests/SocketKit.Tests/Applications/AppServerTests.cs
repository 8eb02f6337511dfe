namespace SocketKit.Tests.Applications;

/// <summary>The library's extension API: an AppServer with handlers of one's own, and the async AppClient.</summary>
[Tier(TestTier.Socket)]
public class AppServerTests
{
    private static ServerOptions Loopback(EngineKind engine = EngineKind.Select) => new() { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Engine = engine };

    private static string ResultOf(Message response) => JsonContent.Parse(response.Content, response.Header.ContentEncoding).RootElement.GetProperty("result").GetString()!;

    [Theory]
    [InlineData(EngineKind.Blocking)]
    [InlineData(EngineKind.Select)]
    public async Task ACustomActionAndContentTypeAnswerBesideTheTutorialsHandlers(EngineKind engine)
    {
        await using AppServer server = new AppServer(Loopback(engine))
            .MapAction("reverse", r => AppResponse.Result(new string(r.Value!.Value.GetString()!.Reverse().ToArray())))
            .MapContentType("binary/upper", r => AppResponse.Binary(r.Content.ToArray().Select(b => (byte)char.ToUpperInvariant((char)b)).ToArray(), "binary/upper"))
            .Start();
        int port = ((IPEndPoint)server.LocalEndPoint).Port;

        Assert.Equal("desserts", ResultOf(await AppClient.RequestAsync("127.0.0.1", port, AppRequests.Json("reverse", "stressed"))));
        Assert.Equal("Follow the white rabbit. \U0001F430", ResultOf(await AppClient.RequestAsync("127.0.0.1", port, AppRequests.Json("search", "morpheus"))));
        var upper = new Message(new MessageHeader("binary/upper", "binary", 3), "abc"u8.ToArray());
        Message shouted = await AppClient.RequestAsync("127.0.0.1", port, upper);
        Assert.Equal("binary/upper", shouted.Header.ContentType);
        Assert.Equal("ABC"u8.ToArray(), shouted.Content.ToArray());
        Message other = await AppClient.RequestAsync("127.0.0.1", port, AppRequests.Binary("findxyz"u8.ToArray()));
        Assert.Equal("First 10 bytes of request: findxyz"u8.ToArray(), other.Content.ToArray());
    }

    [Fact]
    public async Task SeveralRequestsShareOneConnectionWhenTheyAskForKeepAlive()
    {
        int calls = 0;
        await using AppServer server = new AppServer(Loopback())
            .MapAction("count", _ => AppResponse.Result((++calls).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Start();
        await using AppClient client = await AppClient.ConnectAsync("127.0.0.1", ((IPEndPoint)server.LocalEndPoint).Port);
        for (int i = 1; i <= 3; i++)
        {
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), ResultOf(await client.SendAsync(AppRequests.Json("count", "", keepAlive: true))));
        }
        Assert.Equal("4", ResultOf(await client.SendAsync(AppRequests.Json("count", ""))));
        // The server closed after its answer without keep-alive: the next request meets a closed connection, said so.
        NetworkException closed = await Assert.ThrowsAsync<NetworkException>(() => client.SendAsync(AppRequests.Json("count", "")));
        Assert.Equal(SocketErrorKind.ConnectionReset, closed.Kind);
        Assert.StartsWith("the server closed the connection after ", closed.Message);
        Assert.True(client.ClosedByServer);
    }

    [Fact]
    public async Task WithoutTheTutorialHandlersSearchIsAnInvalidAction()
    {
        await using AppServer server = new AppServer(Loopback(), withTutorialHandlers: false).Start();
        Message response = await AppClient.RequestAsync("127.0.0.1", ((IPEndPoint)server.LocalEndPoint).Port, AppRequests.Json("search", "morpheus"));
        Assert.Equal("Error: invalid action 'search'.", ResultOf(response));
    }

    [Fact]
    public async Task HandlersAreMappedBeforeStartAndTheAddressIsReadAfter()
    {
        var server = new AppServer(Loopback());
        Assert.Throws<InvalidOperationException>(() => server.LocalEndPoint);
        await using (server.Start())
        {
            Assert.Throws<InvalidOperationException>(() => server.MapAction("late", _ => AppResponse.Result("")));
            Assert.Throws<InvalidOperationException>(() => server.Start());
        }
        await server.Completion.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
