using System.CommandLine;
using SocketKit.Cli;
using SocketKit.Cli.CommandHost;
using SocketKit.Cli.Parsing;

namespace SocketKit.Tests.Cli;

/// <summary>unix:PATH in HOST's place fills PORT's too, wherever the parser put HOST; anything else stays as typed.</summary>
[Tier(TestTier.Unit)]
public class UnixHostArgumentTests
{
    [Theory]
    [InlineData("app-client", "unix:/tmp/app.sock", "search", "ring")]
    [InlineData("app-client", "--timeout", "5s", "unix:/tmp/app.sock", "search", "ring")]
    [InlineData("app-client", "--timeout=5s", "-q", "unix:/tmp/app.sock", "search", "ring", "--json")]
    [InlineData("app-client", "--json-request", "--tls-insecure", "unix:/tmp/app.sock", "search", "ring")]
    [InlineData("app-client", "unix:/tmp/app.sock", "--", "search", "ring")]
    public void AUnixHostAfterAnyOptionsLeavesTheOtherArgumentsInTheirPlaces(params string[] args)
    {
        ParseResult parsed = UnixHostArguments.Parse(Root(), args);
        Assert.Empty(parsed.Errors);
        Assert.Equal(["unix:/tmp/app.sock", UnixHostArguments.PortPlaceholder, "search", "ring"], Positionals(parsed));
    }

    [Fact]
    public void AMessageThatStartsWithUnixIsAMessage()
    {
        ParseResult parsed = UnixHostArguments.Parse(Root(), ["echo-client", "127.0.0.1", "65432", "unix:hello"]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(["127.0.0.1", "65432", "unix:hello"], Positionals(parsed));
    }

    [Fact]
    public void ARequiredPortIsNotRequiredOfAUnixSocket()
    {
        ParseResult bench = UnixHostArguments.Parse(Root(), ["bench", "echo", "-c", "2", "unix:/tmp/echo.sock", "-d", "1s"]);
        Assert.Empty(bench.Errors);
        Assert.Equal(["unix:/tmp/echo.sock", UnixHostArguments.PortPlaceholder], Positionals(bench));

        ParseResult tcp = UnixHostArguments.Parse(Root(), ["bench", "echo", "-c", "2", "127.0.0.1"]);
        Assert.NotEmpty(tcp.Errors);
    }

    [Fact]
    public void AServerTakesAUnixSocketAsItsAddress()
    {
        ParseResult parsed = UnixHostArguments.Parse(Root(), ["echo-server", "--engine", "select", "unix:/tmp/echo.sock"]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(["unix:/tmp/echo.sock", UnixHostArguments.PortPlaceholder], Positionals(parsed));
    }

    private static Command Root() => SocketKitCli.Build(new CliContext(TextWriter.Null, TextWriter.Null));

    /// <summary>The command's positional arguments as the parser took them, in order.</summary>
    private static string[] Positionals(ParseResult parsed) =>
        [.. parsed.CommandResult.Command.Arguments.Select(a => parsed.CommandResult.GetResult(a)).OfType<System.CommandLine.Parsing.ArgumentResult>().SelectMany(r => r.Tokens).Select(t => t.Value)];
}
