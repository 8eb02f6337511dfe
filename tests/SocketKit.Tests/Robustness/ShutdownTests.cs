using System.Text.RegularExpressions;

namespace SocketKit.Tests.Robustness;

/// <summary>SIGTERM to a real socketkit process while requests are in flight: every one is answered, then it exits 0.</summary>
[Collection("Heavy")]
[Tier(TestTier.Heavy)]
public class ShutdownTests
{
    private const int InFlight = 50;

    [Theory]
    [MemberData(nameof(TestServers.EngineNames), MemberType = typeof(TestServers))]
    public async Task SigtermWithFiftyRequestsInFlightAnswersThemAllAndExitsZeroWithinTheDrainTimeout(string engine)
    {
        TimeSpan drainTimeout = TimeSpan.FromSeconds(20);
        using CliProcess server = await CliProcess.StartServerAsync("app-server", "127.0.0.1", "0", "--engine", engine, "-v", "--drain-timeout", "20s");
        var endPoint = new IPEndPoint(IPAddress.Loopback, server.Port);
        ReferenceVector v = ReferenceVectors.Get("search-morpheus");
        int half = v.Request.Length / 2;

        var clients = new Socket[InFlight];
        for (int i = 0; i < InFlight; i++)
        {
            clients[i] = await RawClient.ConnectAsync(endPoint);
            clients[i].Send(v.Request.AsSpan(0, half));
        }
        // In flight: the server has read the first half of each request (it logs every read with -v).
        await Eventually.TrueAsync(() => Regex.Count(server.Error.ToString(), $@"^Received {half} bytes on connection", RegexOptions.Multiline) == InFlight,
            "the server reads the first half of every request", TimeSpan.FromSeconds(30));

        var clock = Stopwatch.StartNew();
        server.Terminate();
        await server.Error.WaitForAsync("Stopping: no longer accepting");
        byte[][] answers = await Task.WhenAll(clients.Select(async c =>
        {
            c.Send(v.Request.AsSpan(half));
            using var cts = new CancellationTokenSource(RawClient.Timeout);
            return await RawClient.ReadToEndAsync(c, cts.Token);
        }));
        int exitCode = await server.WaitForExitAsync(drainTimeout);
        TimeSpan tookToExit = clock.Elapsed;

        Assert.All(answers, a => Assert.Equal(v.Response, a));
        Assert.Equal(0, exitCode);
        Assert.True(tookToExit < drainTimeout, $"exited {tookToExit} after SIGTERM");
        Console.WriteLine($"{engine}: SIGTERM with {InFlight} requests in flight: all answered, exit 0 after {tookToExit.TotalMilliseconds:0} ms");
        foreach (Socket c in clients) c.Dispose();
    }
}
