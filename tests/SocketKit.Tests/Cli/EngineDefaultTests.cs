namespace SocketKit.Tests.Cli;

/// <summary>Which engine each server runs on when --engine is not given, and on how many loops.</summary>
[Tier(TestTier.Socket)]
public class EngineDefaultTests
{
    [Theory]
    [InlineData("echo-server", false)]
    [InlineData("app-server", false)]
    [InlineData("multiconn-server", true)]
    public async Task EachServerRunsOnReadinessLoopsByDefaultOnePerCoreButTheTutorialsSingleThreadedOne(string command, bool oneLoop)
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync(command, "127.0.0.1", "0");
        string loops = oneLoop || Environment.ProcessorCount == 1 ? "" : $", {Environment.ProcessorCount} loops";
        await server.Error.WaitForAsync($@"Listening on 127\.0\.0\.1:{server.Port} \(select engine{loops}\)");
    }

    [Fact]
    public async Task LoopsSetsHowManyReadinessLoopsServe()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0", "--loops", "3");
        await server.Error.WaitForAsync($@"Listening on 127\.0\.0\.1:{server.Port} \(select engine, 3 loops\)");
        byte[] echo = await RawClient.ExchangeUntilCloseAsync(new IPEndPoint(IPAddress.Loopback, server.Port), [7], halfClose: true);
        Assert.Equal([7], echo);
    }
}
