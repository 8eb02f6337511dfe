using System.CommandLine;
using SocketKit.Cli;
using SocketKit.Cli.CommandHost;

namespace SocketKit.Tests.Cli;

/// <summary>The command line's front door: the commands when none is given, a suggestion for a mistyped one, and the values that once crashed or misled.</summary>
[Tier(TestTier.Socket)]
public class UsageErrorTests
{
    [Fact]
    public async Task SocketkitAloneListsEveryCommandGroupedAndSucceeds()
    {
        Support.Cli.Result result = await Support.Cli.RunAsync();
        Assert.Equal((0, ""), (result.ExitCode, result.Error));
        foreach (string group in new[] { "The tutorial's programs:", "Troubleshooting:", "Load:" })
        {
            Assert.Contains(group, result.Out);
        }
        foreach (Command command in SocketKitCli.Build(new CliContext(TextWriter.Null, TextWriter.Null)).Subcommands)
        {
            Assert.Matches($@"(?m)^  {command.Name} +\S", result.Out);
        }
        // The tutorial's programs come before the tools, in the tutorial's order.
        Assert.True(result.Out.IndexOf("  echo-server", StringComparison.Ordinal) < result.Out.IndexOf("  app-client", StringComparison.Ordinal));
        Assert.True(result.Out.IndexOf("  app-client", StringComparison.Ordinal) < result.Out.IndexOf("  ping", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("echo-serve", "socketkit", "echo-server")]
    [InlineData("ehco-client", "socketkit", "echo-client")]
    [InlineData("nestat", "socketkit", "netstat")]
    public async Task AMistypedCommandGetsTheNearestOne(string typed, string command, string meant)
    {
        Support.Cli.Result result = await Support.Cli.RunAsync(typed);
        Assert.Equal((2, $"socketkit: unknown command '{typed}': did you mean '{meant}'?\nTry '{command} --help' for usage.\n"), (result.ExitCode, result.Error));
    }

    [Fact]
    public async Task APrefixOfTwoCommandsNamesBoth()
    {
        Support.Cli.Result result = await Support.Cli.RunAsync("multiconn");
        Assert.Equal((2, "socketkit: unknown command 'multiconn': did you mean 'multiconn-server' or 'multiconn-client'?\nTry 'socketkit --help' for usage.\n"),
            (result.ExitCode, result.Error));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("99999999")]
    public async Task NumConnectionsIsAWholeNumberUpToWhatTheProcessMayOpen(string value)
    {
        // The most is the descriptor limit less those open and a reserve: no fixed cap of the program's own.
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, "multiconn-client", "127.0.0.1", "65432", value);
        Assert.StartsWith($"socketkit: '{value}' is not a valid value for NUM_CONNECTIONS: use a whole number from 1 to {SocketKit.Applications.MultiConn.MultiConnClient.MaxConnections}.\n", result.Error);
    }

    [Fact]
    public async Task AMistypedSubcommandGetsTheNearestOne()
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, "bench", "eco", "127.0.0.1", "65432");
        Assert.StartsWith("socketkit: 'bench' has no subcommand 'eco': did you mean 'echo'?\n", result.Error);
    }

    [Fact]
    public async Task NothingLikeACommandListsThemAll()
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, "xyzzyplugh");
        Assert.Contains("unknown command 'xyzzyplugh': the commands are tour, echo-server,", result.Error);
    }

    /// <summary>Each once a stack trace and SIGABRT, a .NET type name, an empty answer or a run against port 0.</summary>
    [Theory]
    [InlineData("'abc' is not a valid value for --count: use a whole number of at least 1.", "ping", "-c", "abc", "127.0.0.1")]
    [InlineData("'abc' is not a valid value for --size: use a whole number from 0 to 65500.", "ping", "-s", "abc", "-c", "1", "127.0.0.1")]
    [InlineData("'abc' is not a port for PORT: use a number from 1 to 65535.", "ping", "--tcp", "-c", "1", "127.0.0.1", "abc")]
    [InlineData("'70000' is not a port for PORT: use a number from 1 to 65535.", "ping", "--tcp", "-c", "1", "127.0.0.1", "70000")]
    [InlineData("PORT 0 is not a port to connect to", "ping", "--tcp", "-c", "1", "127.0.0.1", "0")]
    [InlineData("ping probes a host over IP; a Unix socket has no address to ping.", "ping", "-c", "1", "unix:/tmp/x.sock")]
    [InlineData("'abc' is not a port for LISTEN_PORT: use a number from 0 to 65535.", "trace", "abc", "127.0.0.1", "65432")]
    [InlineData("PORT 0 is not a port to connect to", "trace", "0", "127.0.0.1", "0")]
    [InlineData("--pcap '/nonexistent/dir/x.pcap': the directory /nonexistent/dir does not exist.", "trace", "0", "127.0.0.1", "65432", "--pcap", "/nonexistent/dir/x.pcap")]
    [InlineData("'abc' is not a port for --port: use a number from 0 to 65535.", "netstat", "--port", "abc")]
    [InlineData("'establised' is not a socket state for --state: use one of established, estab,", "netstat", "-tan", "--state", "establised")]
    [InlineData("--engine: 'foo' is not an engine; use one of blocking, select", "echo-server", "--engine", "foo")]
    [InlineData("PORT 0 is not a port to connect to", "bench", "echo", "127.0.0.1", "0")]
    [InlineData("PORT 0 is not a port to connect to", "echo-client", "127.0.0.1", "0")]
    [InlineData("'abc' is not a valid value for --requests: use a whole number of at least 1.", "bench", "echo", "127.0.0.1", "65432", "-n", "abc")]
    [InlineData("missing HOST and PORT (usage: socketkit app-client HOST PORT [ACTION] [VALUE]).", "app-client")]
    [InlineData("missing LISTEN_PORT, HOST and PORT (usage: socketkit trace LISTEN_PORT HOST PORT).", "trace")]
    public async Task ABadValueIsOneLineInWordsAndExit2(string said, params string[] args)
    {
        Support.Cli.Result result = await Support.Cli.RunAsync(args);
        Assert.Equal("", CommandTreeTests.Problem(result, ExitCodes.Usage));
        Assert.StartsWith($"socketkit: {said}", result.Error);
        Assert.Equal(2, result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public void AnUnexpectedFailureIsOneLineAndExit70WithTheTraceOnlyUnderVerbose()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("the state machine met a state it has no name for");
        }
        catch (InvalidOperationException ex)
        {
            thrown = ex;
        }
        var quiet = new StringWriter();
        Assert.Equal(70, ErrorReporter.Report(thrown, new CliContext(TextWriter.Null, quiet), verbose: false));
        Assert.Equal("socketkit: unexpected error: the state machine met a state it has no name for. Run with -v for the details, and please report it.\n", quiet.ToString());

        var verbose = new StringWriter();
        Assert.Equal(70, ErrorReporter.Report(thrown, new CliContext(TextWriter.Null, verbose), verbose: true));
        Assert.StartsWith(quiet.ToString(), verbose.ToString());
        Assert.Contains("\n   at ", verbose.ToString());
    }

    [Theory]
    [InlineData("echo-client")]
    [InlineData("multiconn-client")]
    [InlineData("app-client")]
    [InlineData("bench", "echo")]
    [InlineData("trace")]
    public async Task AClientsHelpSpeaksOfTheServerItReachesNotOfListening(params string[] command)
    {
        Support.Cli.Result help = await Support.Cli.RunExpectingAsync(0, [.. command, "--help"]);
        Assert.Contains("The server's TCP port, 1 to 65535", help.Out);
        // Only the relay's own port (trace's LISTEN_PORT) is one the system may pick.
        Assert.DoesNotContain(help.Out.Split('\n'), l => l.Contains("lets the system pick", StringComparison.Ordinal) && !l.Contains("LISTEN_PORT", StringComparison.Ordinal));
        Assert.DoesNotContain(":: listens", help.Out);
    }

    [Fact]
    public async Task ACaptureFileThatCannotBeMadeIsOneLineAndExit1()
    {
        // The folder exists, so the value is well-formed; /proc takes no new files, so it is unusable.
        Support.Cli.Result result = await Support.Cli.RunAsync("trace", "0", "127.0.0.1", "65432", "--pcap", "/proc/self/socketkit.pcap");
        Assert.Equal("", CommandTreeTests.Problem(result, ExitCodes.Failure));
        Assert.StartsWith("socketkit: cannot write the capture --pcap /proc/self/socketkit.pcap: ", result.Error);
        Assert.DoesNotContain("unexpected", result.Error);
    }
}
