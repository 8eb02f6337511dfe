namespace SocketKit.Tests.Cli;

/// <summary>The six tutorial programs as a user runs them: arguments, output, exit codes.</summary>
[Tier(TestTier.Socket)]
public class TutorialCommandTests
{
    [Theory]
    [InlineData("blocking")]
    [InlineData("select")]
    public async Task EchoClientPrintsTheWholeEchoFromEchoServer(string engine)
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0", "--engine", engine);
        Support.Cli.Result client = await Support.Cli.RunExpectingAsync(0, "echo-client", "127.0.0.1", server.Port.ToString());
        Assert.Equal("Received b'Hello, world'\n", client.Out);
        await server.Error.WaitForAsync("Accepted connection 1 from 127.0.0.1:");
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task EchoServerWithOnceExitsZeroAfterOneConnection()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0", "--once");
        Support.Cli.Result client = await Support.Cli.RunAsync("echo-client", "127.0.0.1", server.Port.ToString(), "once only", "-q");
        Assert.Equal("Received b'once only'\n", client.Out);
        Assert.Equal("", client.Error);
        Assert.Equal(0, await server.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task MultiConnClientPrintsWhatEachConnectionGotBack()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("multiconn-server", "127.0.0.1", "0", "-v");
        Support.Cli.Result client = await Support.Cli.RunExpectingAsync(0, "multiconn-client", "127.0.0.1", server.Port.ToString(), "3");
        Assert.Equal(
            "Connection 1 received b'Message 1 from client.Message 2 from client.'\n" +
            "Connection 2 received b'Message 1 from client.Message 2 from client.'\n" +
            "Connection 3 received b'Message 1 from client.Message 2 from client.'\n", client.Out);
        Assert.Contains("Sending b'Message 1 from client.' to connection 1", client.Error);
        await server.Error.WaitForAsync(@"Received b'Message 1 from client\.");
        Assert.Contains("(select engine)", server.Error.ToString());
    }

    [Theory]
    [InlineData("search", "morpheus", "Got result: Follow the white rabbit. \U0001F430")]
    [InlineData("search", "\U0001F436", "Got result: \U0001F43E Playing ball! \U0001F3D0")]
    [InlineData("search", "neo", "Got result: No match for 'neo'.")]
    [InlineData("double", "21", "Got response: b'First 10 bytes of request: double21'")]
    [InlineData("find", "xyz", "Got response: b'First 10 bytes of request: findxyz'")]
    public async Task AppClientPrintsTheAppServersAnswer(string action, string value, string expected)
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0");
        Support.Cli.Result client = await Support.Cli.RunExpectingAsync(0, "app-client", "127.0.0.1", server.Port.ToString(), action, value);
        Assert.Equal(expected + "\n", client.Out);
        Assert.Contains("Starting connection 1 to 127.0.0.1:", client.Error);
        await server.Error.WaitForAsync(@"Closing connection 1 to 127\.0\.0\.1:\d+ \(done\)");
        Assert.Contains("Received request", server.Error.ToString());
        Assert.Contains("Sending response", server.Error.ToString());
    }

    [Fact]
    public async Task VerboseShowsTheBytesAndQuietShowsNoEvents()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0", "-v");
        Support.Cli.Result quiet = await Support.Cli.RunAsync("app-client", "127.0.0.1", server.Port.ToString(), "search", "ring", "-q");
        Assert.Equal("", quiet.Error);
        await server.Error.WaitForAsync(@"Received b'\\x00g\{""byteorder"": ""little""");
        await server.Error.WaitForAsync(@"Sending b'\\x00g\{""byteorder""");
    }

    [Fact]
    public async Task ConnectionRefusedSaysNothingListensAndExitsOne()
    {
        int port = Ports.Free();
        Support.Cli.Result r = await Support.Cli.RunExpectingAsync(1, "app-client", "127.0.0.1", port.ToString(), "search", "morpheus");
        Assert.Contains($"connection refused: nothing is listening on 127.0.0.1:{port}", r.Error);
        Assert.Contains("ECONNREFUSED", r.Error);
        Support.Cli.AssertNoStackTrace(r.Error);
    }

    [Fact]
    public async Task AddressInUseSaysSoAndHowToSeeWhoHoldsIt()
    {
        using Socket holder = LoopbackListeners.Start();
        int port = holder.Port();
        Support.Cli.Result r = await Support.Cli.RunExpectingAsync(1, "app-server", "127.0.0.1", port.ToString());
        Assert.Contains($"address already in use: another socket is bound to 127.0.0.1:{port}", r.Error);
        Assert.Contains("netstat -tlnp", r.Error);
    }

    [Theory]
    [InlineData("app-client", "127.0.0.1", "65536", "search", "x")]
    [InlineData("app-client", "127.0.0.1", "port", "search", "x")]
    [InlineData("app-client", "no host!", "65432", "search", "x")]
    [InlineData("app-client", "127.0.0.1", "65432", "search")]
    [InlineData("echo-server", "127.0.0.1", "-1")]
    [InlineData("multiconn-client", "127.0.0.1", "65432", "0")]
    [InlineData("echo-client", "--timeout", "soon")]
    [InlineData("no-such-command")]
    public async Task ABadCommandLineIsAUsageErrorWithExitTwo(params string[] args)
    {
        Support.Cli.Result r = await Support.Cli.RunExpectingAsync(2, args);
        Assert.StartsWith("socketkit: ", r.Error);
        Assert.Contains("--help' for usage.", r.Error);
    }

    [Theory]
    [InlineData("socketkit bench echo", "bench", "echo", "127.0.0.1", "1", "--warmup", "2x")]
    [InlineData("socketkit echo-client", "echo-client", "--timeout", "soon")]
    [InlineData("socketkit", "no-such-command")]
    public async Task AUsageErrorPointsToTheHelpOfTheCommandThatWasMeant(string command, params string[] args)
    {
        Support.Cli.Result r = await Support.Cli.RunExpectingAsync(2, args);
        Assert.EndsWith($"Try '{command} --help' for usage.", r.Error.TrimEnd());
    }

    [Fact]
    public async Task APeerThatClosesWithoutAnsweringIsReportedClearly()
    {
        using Socket listener = LoopbackListeners.Start();
        int port = listener.Port();
        Task closer = Task.Run(async () =>
        {
            using Socket s = await listener.AcceptAsync();
            byte[] buffer = new byte[4096];
            await s.ReceiveAsync(buffer); // Read the request, then hang up without a word, as the reference does on an empty request.
        });
        Support.Cli.Result r = await Support.Cli.RunAsync("app-client", "127.0.0.1", port.ToString(), "search", "morpheus");
        await closer.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"the server closed the connection after 146 bytes: 127.0.0.1:{port} took the request and closed without answering", r.Error);
    }

    [Fact]
    public async Task HelpTeachesEachCommandWithAnExample()
    {
        foreach (string command in new[] { "echo-server", "echo-client", "multiconn-server", "multiconn-client", "app-server", "app-client" })
        {
            Support.Cli.Result r = await Support.Cli.RunExpectingAsync(0, command, "--help");
            Assert.Contains($"socketkit {command}", r.Out);
            Assert.Contains("Example", r.Out);
        }
    }
}
