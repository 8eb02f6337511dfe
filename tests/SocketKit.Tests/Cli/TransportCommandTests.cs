namespace SocketKit.Tests.Cli;

/// <summary>The tutorial programs over IPv6, a dual-stack listener and a Unix socket, as a user types them.</summary>
[Tier(TestTier.Socket)]
public class TransportCommandTests
{
    [Fact]
    public async Task AppClientTalksToAnAppServerOnAUnixSocketWithoutAPort()
    {
        string path = TestTransport.NewSocketPath();
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerListeningAsync(@"Listening on (unix:\S+) ", "app-server", "unix:" + path);
        Assert.Equal("unix:" + path, server.Listening);
        Support.Cli.Result client = await Support.Cli.RunAsync("app-client", "unix:" + path, "search", "morpheus", "-q");
        Assert.Equal((0, "Got result: Follow the white rabbit. \U0001F430\n", ""), (client.ExitCode, client.Out, client.Error));
        await server.Error.WaitForAsync(@"Accepted connection 1 from unix:\(unnamed\)");
        Assert.Equal(0, await server.StopAsync());
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData("--json")]
    [InlineData("--tls-insecure")]
    [InlineData("--connect-timeout", "5s")]
    public async Task AUnixPathIsHostAfterAnyOptionBeforeIt(params string[] options)
    {
        string path = TestTransport.NewSocketPath();
        string[] server = options.Contains("--tls-insecure")
            ? ["app-server", "unix:" + path, "--tls-cert", TestCertificates.CertificatePath, "--tls-key", TestCertificates.KeyPath]
            : ["app-server", "unix:" + path];
        await using Support.Cli.RunningServer running = await Support.Cli.StartServerListeningAsync(@"Listening on (unix:\S+) ", server);
        Support.Cli.Result client = await Support.Cli.RunExpectingAsync(0, ["app-client", .. options, "unix:" + path, "search", "morpheus", "-q"]);
        Assert.Contains("Follow the white rabbit.", client.Out);
    }

    [Fact]
    public async Task AMessageThatStartsWithUnixIsAMessageNotAHost()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0");
        Support.Cli.Result client = await Support.Cli.RunAsync("echo-client", "127.0.0.1", server.Port.ToString(), "unix:hello", "-q");
        Assert.Equal((0, "Received b'unix:hello'\n"), (client.ExitCode, client.Out));
    }

    [Fact]
    public async Task MultiConnClientTakesItsConnectionCountRightAfterAUnixPath()
    {
        string path = TestTransport.NewSocketPath();
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerListeningAsync(@"Listening on (unix:\S+) ", "multiconn-server", "unix:" + path);
        Support.Cli.Result client = await Support.Cli.RunExpectingAsync(0, "multiconn-client", "unix:" + path, "3", "-q");
        Assert.Equal(3, client.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(client.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            line => Assert.Matches(@"^Connection \d received b'Message 1 from client\.Message 2 from client\.'$", line));
    }

    [Fact]
    public async Task EchoOverIPv6LoopbackShowsBracketedAddresses()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerListeningAsync(@"Listening on (\[::1\]:(\d+))", "echo-server", "::1", "0");
        Support.Cli.Result client = await Support.Cli.RunAsync("echo-client", "::1", server.Port.ToString(), "over six");
        Assert.Equal("Received b'over six'\n", client.Out);
        Assert.Contains($"Starting connection 1 to [::1]:{server.Port}", client.Error);
        await server.Error.WaitForAsync(@"Accepted connection 1 from \[::1\]:\d+");
    }

    [Fact]
    public async Task ADualStackServerIsReachedOnIPv4AndShowsThePeerAsIPv4()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerListeningAsync(@"Listening on (\[::\]:(\d+))", "app-server", "::", "0");
        Support.Cli.Result client = await Support.Cli.RunAsync("app-client", "127.0.0.1", server.Port.ToString(), "search", "ring", "-q");
        Assert.Equal("Got result: In the caves beneath the Misty Mountains. \U0001F48D\n", client.Out);
        await server.Error.WaitForAsync(@"Accepted connection 1 from 127\.0\.0\.1:\d+");
    }

    [Fact]
    public async Task AnEmptyUnixPathIsAUsageError()
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, "echo-client", "unix:");
        Assert.Contains("'unix:' is not a Unix socket path: give unix:PATH", result.Error);
    }

    [Fact]
    public async Task NothingListeningOnAUnixPathIsSaidInWords()
    {
        string path = TestTransport.NewSocketPath();
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(1, "echo-client", "unix:" + path);
        Assert.Contains($"unix:{path}", result.Error);
        Support.Cli.AssertNoStackTrace(result.Error);
    }

    [Theory]
    [InlineData("echo-client")]
    [InlineData("app-client", "search", "ring")]
    [InlineData("multiconn-client", "2")]
    public async Task AUnixPathWithNoSocketFileIsRefusedNotAnAddressProblem(string command, params string[] rest)
    {
        string path = TestTransport.NewSocketPath();
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(1, [command, "unix:" + path, .. rest]);
        Assert.Contains($"there is no socket file at unix:{path}", result.Out + result.Error);
        Assert.DoesNotContain("unexpected error", result.Error);
        Assert.DoesNotContain("EADDRNOTAVAIL", result.Error);
    }
}
