namespace SocketKit.Tests.Robustness;

/// <summary>
/// 15,000 connections open at once, each echoing, on the default engine (readiness loops); and the tutorial's multiconn-client
/// with 15,000 connections. The server runs in a process of its own: with both ends here the test would need 30,000
/// descriptors, more than a process may hold on these machines.
/// </summary>
[Collection("Heavy")]
[Tier(TestTier.Heavy)]
public sealed class FifteenThousandConnectionsTests
{
    private const int Connections = 15_000;

    [Fact]
    public async Task FifteenThousandConnectionsOpenAtOnceEachGetTheirEcho()
    {
        Assert.True(DescriptorLimit.Raise() >= Connections + 1_000, "this test needs 16,000 descriptors");
        using CliProcess server = await CliProcess.StartServerAsync("echo-server", "127.0.0.1", "0", "--max-connections", $"{Connections}");
        var endPoint = new IPEndPoint(IPAddress.Loopback, server.Port);
        var sockets = new Socket[Connections];
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            // In waves, so the listen backlog (4,096) never overflows into a second's SYN retry.
            for (int wave = 0; wave < Connections; wave += 1_000)
            {
                await Task.WhenAll(Enumerable.Range(wave, 1_000).Select(async i =>
                {
                    sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await sockets[i].ConnectAsync(endPoint, timeout.Token);
                }));
            }
            // Every one is open now; each sends two bytes of its own and must get exactly them back.
            await Task.WhenAll(sockets.Select(async (socket, i) =>
            {
                byte[] mine = [(byte)(i >> 8), (byte)i];
                await socket.SendAsync(mine, SocketFlags.None, timeout.Token);
                byte[] back = new byte[2];
                int got = 0;
                while (got < 2)
                {
                    int n = await socket.ReceiveAsync(back.AsMemory(got), SocketFlags.None, timeout.Token);
                    Assert.NotEqual(0, n);
                    got += n;
                }
                Assert.Equal(mine, back);
            }));
            Assert.False(server.HasExited);
        }
        finally
        {
            foreach (Socket? socket in sockets) socket?.Dispose();
        }
    }

    [Fact]
    public async Task TheMultiConnClientCompletesFifteenThousandConnections()
    {
        // Here the server is in this process and the client in its own.
        Assert.True(DescriptorLimit.Raise() >= Connections + 1_000, "this test needs 16,000 descriptors");
        ServerOptions options = TestServers.Options(EngineKind.Select) with { Limits = ServerLimits.Default with { MaxConnections = Connections } };
        await using SocketServer server = SocketServer.Start(options, _ => new EchoHandler());
        using CliProcess client = CliProcess.Start("multiconn-client", "127.0.0.1", $"{server.Port()}", $"{Connections}", "--json", "-q");
        Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(120)));
        using var json = System.Text.Json.JsonDocument.Parse(client.Out.ToString());
        System.Text.Json.JsonElement[] results = [.. json.RootElement.GetProperty("connections").EnumerateArray()];
        Assert.Equal(Connections, results.Length);
        Assert.All(results, r => Assert.True(r.GetProperty("complete").GetBoolean()));
        Assert.Equal(Connections, server.Counters.ConnectionsAccepted);
    }
}
