using System.Text.RegularExpressions;

namespace SocketKit.Tests.Applications;

/// <summary>
/// samples/Chat run as its README says: chat servers and clients as programs of their own, clients fed on their
/// standard input, alone or two servers sharing a redis-server the test starts.
/// </summary>
[Tier(TestTier.Socket)]
public sealed class ChatSampleTests
{
    private const string Channel = "socketkit-chat"; // the sample's RedisRelay.Channel

    private static string SampleDll => Samples.Dll("Chat");

    [Fact]
    public async Task ThreeClientsOnOneServerEachHearTheOthersLinesAndNotTheirOwnThenLeaveAtTheEndOfTheirInput()
    {
        using ProgramProcess server = StartServer();
        int port = await ListeningPortAsync(server);
        string[] names = ["alice", "bob", "carol"];
        ProgramProcess[] clients = [.. names.Select(name => StartClient(port, name))];
        try
        {
            foreach (string name in names)
            {
                await server.Out.WaitForAsync($"^{name} joined from 127\\.0\\.0\\.1:\\d+$", TestTimeouts.SampleStartup);
            }
            for (int i = 0; i < names.Length; i++)
            {
                await clients[i].Input.WriteLineAsync($"hello from {names[i]}, ünïcode ✓");
                await clients[i].Input.FlushAsync();
            }
            for (int i = 0; i < names.Length; i++)
            {
                foreach (string other in names.Where(n => n != names[i]))
                {
                    await clients[i].Out.WaitForAsync($"^{other}: hello from {other}, ünïcode ✓$", TestTimeouts.SampleStartup);
                }
            }
            // End of input: each half-closes, the server closes it, and it exits having printed only the others' lines.
            for (int i = 0; i < names.Length; i++)
            {
                clients[i].Input.Close();
                Assert.Equal(0, await clients[i].WaitForExitAsync(TestTimeouts.SampleStartup));
                Assert.Equal(names.Where(n => n != names[i]).Select(n => $"{n}: hello from {n}, ünïcode ✓").Order(), Lines(clients[i]).Order());
                await server.Out.WaitForAsync($"^{names[i]} left$", TestTimeouts.SampleStartup);
            }
        }
        finally
        {
            foreach (ProgramProcess client in clients) client.Dispose();
        }
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync(TestTimeouts.SampleStartup));
        Assert.Matches("(?m)^Stopping$", server.Out.ToString());
    }

    [Fact]
    public async Task ALineSentByteByByteArrivesWhole()
    {
        using ProgramProcess server = StartServer();
        int port = await ListeningPortAsync(server);
        using ProgramProcess listener = await JoinAsync(server, port, "alice");

        using Socket dave = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        byte[] said = Encoding.UTF8.GetBytes("dave\r\nsplit everywhere, even inside ü and ✓\r\n");
        using var timeout = new CancellationTokenSource(RawClient.Timeout);
        for (int i = 0; i < said.Length; i++)
        {
            await dave.SendAsync(said.AsMemory(i, 1), SocketFlags.None, timeout.Token);
            await Task.Delay(2, timeout.Token); // spreads the bytes over separate reads
        }
        await listener.Out.WaitForAsync("^dave: split everywhere, even inside ü and ✓$", TestTimeouts.SampleStartup);

        dave.Shutdown(SocketShutdown.Send);
        Assert.Empty(await RawClient.ReadToEndAsync(dave, timeout.Token)); // heard nothing: alice said nothing
        listener.Input.Close();
        Assert.Equal(0, await listener.WaitForExitAsync(TestTimeouts.SampleStartup));
        Assert.Equal(["dave: split everywhere, even inside ü and ✓"], Lines(listener));
    }

    [Fact]
    public async Task ALineOfTheLimitIsRelayedAndALongerOneIsRefusedAndClosed()
    {
        using ProgramProcess server = StartServer();
        int port = await ListeningPortAsync(server);
        using ProgramProcess listener = await JoinAsync(server, port, "alice");
        const int Limit = 4096; // the sample's ChatProtocol.MaxLineBytes, as its README states
        string longest = new string('x', Limit - 1) + "\r"; // the '\r' before '\n' counts, and is dropped

        using Socket dave = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        using var timeout = new CancellationTokenSource(RawClient.Timeout);
        await dave.SendAsync(Encoding.UTF8.GetBytes($"dave\n{longest}\n{new string('y', Limit + 1)}"), SocketFlags.None, timeout.Token);
        byte[] answer = await RawClient.ReadToEndAsync(dave, timeout.Token);

        Assert.Equal($"* line too long: at most {Limit} bytes; closing\n", Encoding.UTF8.GetString(answer));
        await listener.Out.WaitForAsync($"^dave: {longest[..^1]}$", TestTimeouts.SampleStartup);
        await server.Out.WaitForAsync("^dave left$", TestTimeouts.SampleStartup);
        Assert.DoesNotContain("yyyy", listener.Out.ToString(), StringComparison.Ordinal);
    }

    [ExternalFact("redis-server")]
    public async Task TwoServersSharingARedisRelayEachOthersClientsAndNoLineTwice()
    {
        await using ExternalServer redis = await StartRedisAsync(out IPEndPoint redisEndPoint);
        string redisAddress = $"127.0.0.1:{redisEndPoint.Port}";
        using ProgramProcess serverA = StartServer("--redis", redisAddress);
        using ProgramProcess serverB = StartServer("--redis", redisAddress);
        int portA = await ListeningPortAsync(serverA);
        int portB = await ListeningPortAsync(serverB);
        await WaitForSubscribersAsync(redisEndPoint, 2);

        // alice and carol on A, bob on B.
        using ProgramProcess alice = await JoinAsync(serverA, portA, "alice");
        using ProgramProcess carol = await JoinAsync(serverA, portA, "carol");
        using ProgramProcess bob = await JoinAsync(serverB, portB, "bob");

        await SayAsync(alice, "hi from A");
        await bob.Out.WaitForAsync("^alice: hi from A$", TestTimeouts.SampleStartup);
        await SayAsync(bob, "hi from B");
        await alice.Out.WaitForAsync("^bob: hi from B$", TestTimeouts.SampleStartup);
        await carol.Out.WaitForAsync("^bob: hi from B$", TestTimeouts.SampleStartup);

        foreach (ProgramProcess client in new[] { alice, bob, carol })
        {
            client.Input.Close();
            Assert.Equal(0, await client.WaitForExitAsync(TestTimeouts.SampleStartup));
        }
        // Server A hears its own publication back from Redis and must not deliver it again.
        Assert.Equal(["bob: hi from B"], Lines(alice));
        Assert.Equal(["alice: hi from A"], Lines(bob));
        Assert.Equal(["alice: hi from A", "bob: hi from B"], Lines(carol));
        foreach (ProgramProcess server in new[] { serverA, serverB })
        {
            server.Terminate();
            Assert.Equal(0, await server.WaitForExitAsync(TestTimeouts.SampleStartup));
            Assert.DoesNotContain("unreachable", server.Out.ToString(), StringComparison.Ordinal);
        }
    }

    [ExternalFact("redis-server")]
    public async Task WhenRedisGoesAwayTheServerSaysSoOnceGoesOnRelayingAmongItsOwnClientsAndRejoinsWhenItIsBack()
    {
        ExternalServer redis = await StartRedisAsync(out IPEndPoint redisEndPoint);
        using ProgramProcess server = StartServer("--redis", $"127.0.0.1:{redisEndPoint.Port}");
        int port;
        try
        {
            port = await ListeningPortAsync(server);
            await WaitForSubscribersAsync(redisEndPoint, 1);
        }
        finally
        {
            await redis.DisposeAsync();
        }
        await server.Out.WaitForAsync(@"^Redis at 127\.0\.0\.1:\d+ is unreachable \(\w+\): relaying among this server's clients only until it is back$", TestTimeouts.SampleStartup);

        using ProgramProcess alice = await JoinAsync(server, port, "alice");
        using ProgramProcess bob = await JoinAsync(server, port, "bob");
        await SayAsync(alice, "still here");
        await SayAsync(alice, "and here");
        await bob.Out.WaitForAsync("^alice: and here$", TestTimeouts.SampleStartup);
        alice.Input.Close();
        bob.Input.Close();
        Assert.Equal(0, await alice.WaitForExitAsync(TestTimeouts.SampleStartup));
        Assert.Equal(0, await bob.WaitForExitAsync(TestTimeouts.SampleStartup));

        Assert.Equal(["alice: still here", "alice: and here"], Lines(bob));
        Assert.Single(Regex.Matches(server.Out.ToString(), "unreachable"));
        Assert.False(server.HasExited, $"the server goes on without Redis:\n{server.Out}\n{server.Error}");

        // Redis comes back where it was: the server says so and is subscribed again, without being asked.
        await using (await StartRedisAsync(redisEndPoint))
        {
            await server.Out.WaitForAsync(@"^Redis at 127\.0\.0\.1:\d+ is back: relaying across servers again$", TestTimeouts.SampleStartup);
            await WaitForSubscribersAsync(redisEndPoint, 1);
        }
        server.Terminate();
        Assert.Equal(0, await server.WaitForExitAsync(TestTimeouts.SampleStartup));
    }

    private static ProgramProcess StartServer(params string[] more) =>
        ProgramProcess.StartDll(SampleDll, null, ["server", "0", .. more]);

    private static ProgramProcess StartClient(int port, string name) =>
        new("dotnet", [SampleDll, "client", "127.0.0.1", port.ToString(), name], null, Path.GetDirectoryName(SampleDll), input: true);

    /// <summary>A client named <paramref name="name"/>, once <paramref name="server"/> has said it joined.</summary>
    private static async Task<ProgramProcess> JoinAsync(ProgramProcess server, int port, string name)
    {
        ProgramProcess client = StartClient(port, name);
        try
        {
            await server.Out.WaitForAsync($"^{name} joined", TestTimeouts.SampleStartup);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task<int> ListeningPortAsync(ProgramProcess server) =>
        int.Parse((await server.Out.WaitForAsync(@"^Listening on 127\.0\.0\.1:(\d+)$", TestTimeouts.SampleStartup)).Groups[1].Value);

    private static async Task SayAsync(ProgramProcess client, string line)
    {
        await client.Input.WriteLineAsync(line);
        await client.Input.FlushAsync();
    }

    private static string[] Lines(ProgramProcess client) =>
        client.Out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A redis-server of the test's own on a free loopback port, without persistence, once it answers PING.</summary>
    private static Task<ExternalServer> StartRedisAsync(out IPEndPoint endPoint)
    {
        endPoint = new IPEndPoint(IPAddress.Loopback, Ports.Free());
        return StartRedisAsync(endPoint);
    }

    private static async Task<ExternalServer> StartRedisAsync(IPEndPoint endPoint)
    {
        ExternalServer redis = await ExternalServer.StartAsync("redis-server",
            ["--port", endPoint.Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], endPoint, TestTimeouts.SampleStartup);
        try
        {
            Assert.Equal("+PONG\r\n", await AskRedisAsync(endPoint, "PING", "\r\n"));
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until <paramref name="count"/> connections are subscribed to the chat's channel: then the servers relay.</summary>
    private static async Task WaitForSubscribersAsync(IPEndPoint redis, int count)
    {
        var clock = Stopwatch.StartNew();
        int subscribers;
        // PUBSUB NUMSUB answers *2 $len name :count.
        while ((subscribers = int.Parse(Regex.Match(await AskRedisAsync(redis, $"PUBSUB NUMSUB {Channel}", $"{Channel}\r\n:", "\r\n"), @":(\d+)\r\n$").Groups[1].Value)) != count)
        {
            Assert.True(clock.Elapsed < TestTimeouts.SampleStartup, $"{subscribers} subscribers to {Channel} after {TestTimeouts.SampleStartup}, not {count}");
            await Task.Delay(50);
        }
    }

    /// <summary>Sends one inline command and reads until the answer contains each of <paramref name="ends"/>, in order, last at the end.</summary>
    private static async Task<string> AskRedisAsync(IPEndPoint redis, string command, params string[] ends)
    {
        using Socket socket = await RawClient.ConnectAsync(redis);
        using var timeout = new CancellationTokenSource(RawClient.Timeout);
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\r\n"), SocketFlags.None, timeout.Token);
        var answer = new StringBuilder();
        byte[] buffer = new byte[1024];
        while (!Complete(answer.ToString()))
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0) throw new EndOfStreamException($"redis closed after '{answer}'");
            answer.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        return answer.ToString();

        bool Complete(string text)
        {
            int at = 0;
            foreach (string end in ends)
            {
                at = text.IndexOf(end, at, StringComparison.Ordinal);
                if (at < 0) return false;
                at += end.Length;
            }
            return text.EndsWith(ends[^1], StringComparison.Ordinal);
        }
    }
}
