namespace SocketKit.Tests.Cli;

/// <summary>Which engine each server runs on when --engine is not given.</summary>
public class EngineDefaultTests
{
    [Theory]
    [InlineData("echo-server", "async")]
    [InlineData("app-server", "async")]
    [InlineData("multiconn-server", "select")]
    public async Task EachServerSaysWhichEngineItRunsOnByDefault(string command, string engine)
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync(command, "127.0.0.1", "0");
        await server.Error.WaitForAsync($@"Listening on 127\.0\.0\.1:{server.Port} \({engine} engine\)");
    }
}
