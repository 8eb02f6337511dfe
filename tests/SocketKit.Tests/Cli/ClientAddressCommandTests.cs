namespace SocketKit.Tests.Cli;

/// <summary>--allow, --deny and --max-connections-per-address on the command line, and their mistakes.</summary>
[Tier(TestTier.Socket)]
public class ClientAddressCommandTests
{
    [Fact]
    public async Task RepeatedAllowAndDenyJudgeTheClientAsNcatDoes()
    {
        await using Support.Cli.RunningServer allowed = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0", "--allow", "10.0.0.0/8", "--allow", "127.0.0.0/8", "--deny", "192.0.2.1");
        Support.Cli.Result served = await Support.Cli.RunAsync("echo-client", "127.0.0.1", allowed.Port.ToString(), "hi", "-q");
        Assert.Equal((0, "Received b'hi'\n"), (served.ExitCode, served.Out));

        await using Support.Cli.RunningServer denied = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0", "--allow", "127.0.0.0/8", "--deny", "127.0.0.1");
        await Support.Cli.RunExpectingAsync(1, "echo-client", "127.0.0.1", denied.Port.ToString(), "hi", "-q");
        await denied.Error.WaitForAsync(@"Refused a connection from 127\.0\.0\.1:\d+: its address is not allowed \(address rules\)");
    }

    [Fact]
    public async Task MaxConnectionsPerAddressRefusesTheOneOver()
    {
        await using Support.Cli.RunningServer server = await Support.Cli.StartServerAsync("echo-server", "127.0.0.1", "0", "--max-connections-per-address", "1");
        var endPoint = new IPEndPoint(IPAddress.Loopback, server.Port);
        using Socket held = await RawClient.ConnectAsync(endPoint);
        await server.Error.WaitForAsync(@"Accepted connection 1 from");
        await Support.Cli.RunExpectingAsync(1, "echo-client", "127.0.0.1", server.Port.ToString(), "hi", "-q");
        await server.Error.WaitForAsync(@"Refused a connection from 127\.0\.0\.1:\d+: its address already holds the maximum of 1 connections");
    }

    [Theory]
    [InlineData("--allow", "example.com", "--allow 'example.com': example.com is not an address or a network in CIDR notation")]
    [InlineData("--deny", "10.0.0.0/40", "--deny '10.0.0.0/40': 10.0.0.0/40 is not an address or a network in CIDR notation")]
    [InlineData("--max-connections-per-address", "0", "--max-connections-per-address")]
    public async Task ABadRuleIsAUsageError(string option, string value, string said)
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, "app-server", "127.0.0.1", "0", option, value);
        Assert.Contains(said, result.Error);
    }
}
