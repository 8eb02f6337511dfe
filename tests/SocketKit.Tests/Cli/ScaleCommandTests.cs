namespace SocketKit.Tests.Cli;

/// <summary>--workers, --reuse-port and --proxy-protocol as a user runs them.</summary>
[Tier(TestTier.Socket)]
public class ScaleCommandTests
{
    private static byte[] SearchRequest(string value) => [.. MessageBytes(AppRequests.Json("search", value))];

    private static byte[] MessageBytes(Message message)
    {
        var output = new ArrayBufferWriter<byte>();
        MessageEncoder.Write(output, message.Header, message.Content.Span);
        return output.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData(EngineKind.Select)]
    [InlineData(EngineKind.Blocking)]
    public async Task TwoWorkersShareThePortAndNumberTheirConnectionsTogether(EngineKind engine)
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<long>();
        await using ServerGroup group = ServerGroup.Start(new ServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Engine = engine }, 2,
            connection =>
            {
                ids.Add(connection.Id);
                return new EchoHandler();
            });
        Assert.Equal(group.Servers[0].LocalEndPoint, group.Servers[1].LocalEndPoint);
        for (int i = 0; i < 40; i++)
        {
            byte[] echo = await RawClient.ExchangeUntilCloseAsync(group.LocalEndPoint, [(byte)i], halfClose: true);
            Assert.Equal([(byte)i], echo);
        }
        // The kernel hashes each client's port: all 40 on one listener would have odds of 2 in 2^40.
        Assert.All(group.Servers, server => Assert.InRange(server.Counters.ConnectionsAccepted, 1, 39));
        Assert.Equal(40, group.Servers.Sum(server => server.Counters.ConnectionsAccepted));
        // One numbering for the group: each id names one connection, whichever listener accepted it.
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), ids.Order());
    }

    [Fact]
    public async Task AppServerWithTwoWorkersAnswersAndCtrlCStopsThemAll()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0", "--workers", "2");
        await server.Error.WaitForAsync($@"Listening on 127\.0\.0\.1:{server.Port} \(select engine\b.*\)\n(.*\n)*Listening on 127\.0\.0\.1:{server.Port} ");
        for (int i = 0; i < 4; i++)
        {
            Support.Cli.Result client = await Support.Cli.RunAsync("app-client", "127.0.0.1", server.Port.ToString(), "search", "ring", "-q");
            Assert.Equal("Got result: In the caves beneath the Misty Mountains. \U0001F48D\n", client.Out);
        }
        Assert.Equal(0, await server.StopAsync());
        Assert.Contains("Caught interrupt, stopping 2 workers", server.Error.ToString());
        Assert.Equal(2, server.Error.ToString().Split('\n').Count(l => l.StartsWith($"Stopping: no longer accepting connections on 127.0.0.1:{server.Port}", StringComparison.Ordinal)));
        var refused = await Assert.ThrowsAnyAsync<SocketException>(() => RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port)));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task ProcessesWithReusePortShareAPortThatOthersCannotTake()
    {
        await using Support.Cli.RunningServer first = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0", "--reuse-port");
        await using Support.Cli.RunningServer second = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", first.Port.ToString(), "--reuse-port");
        Assert.Equal(first.Port, second.Port);
        Support.Cli.Result without = await Support.Cli.RunExpectingAsync(1, "echo-server", "127.0.0.1", first.Port.ToString());
        Assert.StartsWith($"socketkit: address already in use: another socket is bound to 127.0.0.1:{first.Port}", without.Error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("two")]
    public async Task WorkersOutsideOneToSixtyFourIsAUsageError(string workers)
    {
        Support.Cli.Result r = await Support.Cli.RunExpectingAsync(2, "app-server", "127.0.0.1", "0", "--workers", workers);
        Assert.Contains(int.TryParse(workers, out _) ? $"--workers: {workers} must be from 1 to 64" : $"--workers: '{workers}' is not a whole number", r.Error);
        Assert.Contains("Try 'socketkit app-server --help'", r.Error);
    }

    [Fact]
    public async Task EchoServerOnceWithTwoWorkersIsAUsageError()
    {
        Support.Cli.Result r = await Support.Cli.RunExpectingAsync(2, "echo-server", "127.0.0.1", "0", "--once", "--workers", "2");
        Assert.Contains("--once serves one connection, so it takes one worker", r.Error);
    }

    [Theory]
    [InlineData("v1", "PROXY TCP4 192.0.2.7 127.0.0.1 4444 65432\r\n", "192.0.2.7:4444")]
    [InlineData("v1 IPv6", "PROXY TCP6 2001:db8::7 ::1 4444 65432\r\n", "[2001:db8::7]:4444")]
    [InlineData("v2", "\r\n\r\n\0\r\nQUIT\n\x21\x11\0\x0c\xc6\x33\x64\x01\x7f\0\0\x01\x15\xb3\xff\x98", "198.51.100.1:5555")]
    public async Task AppServerWithProxyProtocolAnswersAndLogsTheClientTheHeaderNames(string name, string header, string client)
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0", "--proxy-protocol");
        byte[] reply = await RawClient.ExchangeUntilCloseAsync(new IPEndPoint(IPAddress.Loopback, server.Port),
            [.. Encoding.Latin1.GetBytes(header), .. SearchRequest("morpheus")]);
        Assert.True(Encoding.UTF8.GetString(reply).EndsWith("{\"result\": \"Follow the white rabbit. \U0001F430\"}", StringComparison.Ordinal), name);
        await server.Error.WaitForAsync($@"Connection 1 from 127\.0\.0\.1:\d+ is for client {System.Text.RegularExpressions.Regex.Escape(client)} \(PROXY v{name[1]}\)");
    }

    [Fact]
    public async Task AppServerWithProxyProtocolRefusesAConnectionWithoutAHeader()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0", "--proxy-protocol");
        byte[] reply = await RawClient.ExchangeUntilCloseAsync(new IPEndPoint(IPAddress.Loopback, server.Port), SearchRequest("morpheus"));
        Assert.Empty(reply);
        await server.Error.WaitForAsync(@"warning: Refused connection 1 from 127\.0\.0\.1:\d+: MissingSignature: the connection does not start with a PROXY protocol header");
        Assert.DoesNotContain("Received request", server.Error.ToString());
    }

    [Fact]
    public async Task AppServerWithoutProxyProtocolTakesAProxyHeaderForAMalformedMessage()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("app-server", "127.0.0.1", "0");
        byte[] reply = await RawClient.ExchangeUntilCloseAsync(new IPEndPoint(IPAddress.Loopback, server.Port),
            [.. "PROXY TCP4 192.0.2.7 127.0.0.1 4444 65432\r\n"u8, .. SearchRequest("morpheus")]);
        // "PR" read as a header length is 20,562 bytes: refused, and the error says so before the close.
        Message error = Assert.Single(Splits.Decode(reply, []));
        Assert.Contains("JSON header of 20,562 bytes", Encoding.UTF8.GetString(error.Content.Span));
        await server.Error.WaitForAsync(@"Protocol error on connection 1 from 127\.0\.0\.1:\d+");
        Assert.DoesNotContain("192.0.2.7", server.Error.ToString());
    }

    [Fact]
    public async Task WorkersOnAUnixSocketAreAUsageErrorAndNothingIsBound()
    {
        string path = Path.Combine(TestScratch.Directory, $"workers-{Guid.NewGuid():N}.sock");
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, "echo-server", $"unix:{path}", "--workers", "2");
        Assert.Contains("--workers 2 needs an IP address: listeners cannot share a Unix socket", result.Error);
        Assert.False(File.Exists(path));
    }
}
