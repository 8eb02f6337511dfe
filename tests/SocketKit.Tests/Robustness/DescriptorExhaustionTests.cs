namespace SocketKit.Tests.Robustness;

/// <summary>
/// A server whose process may open few descriptors (300, set with prlimit as `ulimit -n 300` would) meets a burst of
/// 1,000 connections: on every engine it lives, keeps answering the connections it holds, and answers a new one after.
/// </summary>
[Collection("Heavy")]
[Tier(TestTier.Heavy)]
public sealed class DescriptorExhaustionTests
{
    private const int Limit = 300;
    private const int Burst = 1_000;
    private const int Held = 5;

    [Theory]
    [MemberData(nameof(TestServers.EngineNames), MemberType = typeof(TestServers))]
    public async Task ABurstPastTheDescriptorLimitLeavesTheServerServing(string engine)
    {
        using CliProcess server = await CliProcess.StartServerAsync(Limit, "echo-server", "127.0.0.1", "0", "--engine", engine);
        // At start the server fits its connection limit to its descriptors (less those open and a reserve), and says so.
        var said = await server.Error.WaitForAsync($@"may open {Limit} descriptors: serving at most (\d+) connections at once, not the 10000 asked for");
        Assert.InRange(int.Parse(said.Groups[1].Value), 1, Limit - DescriptorLimit.Reserve);
        // Held until the server has refused some: the burst went past its limit.
        await SurvivesABurst(server, "Refused a connection from .*: already serving the maximum of");
    }

    [Fact]
    public async Task TwoListenersThatTogetherRunOutOfDescriptorsPauseAcceptingAndResume()
    {
        // Each of two listeners in one process fits its own limit to the descriptors, so together they can ask for
        // more than there are: accept then fails with EMFILE, and the server pauses accepting rather than dying.
        using CliProcess server = await CliProcess.StartServerAsync(Limit, "echo-server", "127.0.0.1", "0", "--workers", "2");
        await SurvivesABurst(server, @"Accepting paused on 127\.0\.0\.1:\d+: out of file descriptors \(EMFILE\)");
    }

    /// <summary>Holds a burst open until the server says <paramref name="sayDuringBurst"/>, then checks it still serves.</summary>
    private static async Task SurvivesABurst(CliProcess server, string sayDuringBurst)
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, server.Port);
        var held = new List<Socket>();
        var burst = new List<Socket>();
        try
        {
            for (int i = 0; i < Held; i++)
            {
                held.Add(await RawClient.ConnectAsync(endPoint));
                await EchoAsync(held[i], (byte)i);
            }

            // All at once, and all kept open until every connect has finished one way or the other.
            Task[] connects = [.. Enumerable.Range(0, Burst).Select(_ =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                lock (burst) burst.Add(socket);
                return TryConnectAsync(socket, endPoint);
            })];
            await Task.WhenAll(connects).WaitAsync(TimeSpan.FromSeconds(60));
            await server.Error.WaitForAsync(sayDuringBurst, TimeSpan.FromSeconds(30));
            Assert.False(server.HasExited, $"the server exited during the burst: {Tail(server)}");

            for (int i = 0; i < Held; i++)
            {
                await EchoAsync(held[i], (byte)(100 + i));
            }
        }
        finally
        {
            foreach (Socket socket in burst) socket.Dispose();
        }

        // Once the burst is gone its descriptors come free, and a new client is served.
        using Socket fresh = await ConnectWithRetriesAsync(endPoint);
        await EchoAsync(fresh, 200);
        Assert.False(server.HasExited, $"the server exited after the burst: {Tail(server)}");
        Support.Cli.AssertNoStackTrace(server.Error.ToString());
        foreach (Socket socket in held) socket.Dispose();
    }

    private static string Tail(CliProcess server) => string.Join('\n', server.Error.ToString().Split('\n').TakeLast(15));

    private static async Task TryConnectAsync(Socket socket, EndPoint endPoint)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await socket.ConnectAsync(endPoint, timeout.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            // Refused, reset or not accepted in time: the burst only has to be sent.
        }
    }

    /// <summary>Right after the burst the server may still be closing its part, and refuse one more for a moment: bounded retries.</summary>
    private static async Task<Socket> ConnectWithRetriesAsync(EndPoint endPoint)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            Socket socket = await RawClient.ConnectAsync(endPoint);
            try
            {
                await EchoAsync(socket, 1);
                return socket;
            }
            catch (Exception ex) when (ex is SocketException or EndOfStreamException && DateTime.UtcNow < deadline)
            {
                // The server may still be closing the burst's connections and refuse one more for a moment.
                socket.Dispose();
                await Task.Delay(100);
            }
        }
    }

    private static async Task EchoAsync(Socket socket, byte value)
    {
        using var timeout = new CancellationTokenSource(RawClient.Timeout);
        await socket.SendAsync(new[] { value }, SocketFlags.None, timeout.Token);
        byte[] one = new byte[1];
        int n = await socket.ReceiveAsync(one, SocketFlags.None, timeout.Token);
        if (n == 0) throw new EndOfStreamException("the server closed the connection");
        Assert.Equal(value, one[0]);
    }
}
