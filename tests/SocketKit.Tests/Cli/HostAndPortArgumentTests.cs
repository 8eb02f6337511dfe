using System.CommandLine;

namespace SocketKit.Tests.Cli;

/// <summary>
/// A host and a port in one argument ([::1]:65437, 127.0.0.1:65437, localhost:65437) is refused the same way by every
/// command that takes a HOST, now and later: exit 2, in words that say how to write it, and nothing else said (the
/// arguments after it, shifted, are not complained of too). [::1]:65437 once connected to the default port instead.
/// </summary>
[Tier(TestTier.Socket)]
public class HostAndPortArgumentTests
{
    public static TheoryData<string[], string, string> Cases()
    {
        var cases = new TheoryData<string[], string, string>();
        foreach ((string[] path, Command command) in CommandTree.Runnable(CommandTree.Root(), []))
        {
            int host = command.Arguments.ToList().FindIndex(a => a.Name == "HOST");
            if (host < 0)
            {
                continue;
            }
            // The arguments before HOST (trace's LISTEN_PORT), good; then HOST:PORT; then the required ones after PORT, as a user types them.
            string[] before = [.. command.Arguments.Take(host).Select(_ => "0")];
            string[] after = [.. command.Arguments.Skip(host + 2).Where(a => a.Arity.MinimumNumberOfValues > 0 && !a.HasDefaultValue).Select(_ => "x")];
            foreach ((string typed, string apart) in new[] { ("[::1]:65437", "::1 65437"), ("127.0.0.1:65437", "127.0.0.1 65437"), ("localhost:65437", "localhost 65437") })
            {
                cases.Add([.. path, .. before, typed, .. after], typed, apart);
            }
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryCommandRefusesAHostWithItsPortInWords(string[] args, string typed, string apart)
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, args);
        Assert.Equal("", result.Out);
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"socketkit: '{typed}' is a host and a port in one argument: give them as two, HOST then PORT ({apart}).", lines[0]);
        Assert.StartsWith("Try 'socketkit ", lines[1]);
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public void EveryCommandWithAHostIsCovered()
    {
        string[] commands = [.. Cases().Select(c => string.Join(' ', ((string[])c[0]).TakeWhile(a => a != "0" && !a.Contains(':', StringComparison.Ordinal))))];
        Assert.Superset(new HashSet<string> { "echo-client", "app-client", "multiconn-client", "bench echo", "bench app", "ping", "diagnose", "echo-server", "app-server", "multiconn-server", "trace" },
            commands.ToHashSet());
    }

    [Fact]
    public async Task AnOptionThatTakesAHostRefusesItsPortToo()
    {
        Support.Cli.Result result = await Support.Cli.RunExpectingAsync(2, "trace", "0", "127.0.0.1", "65432", "--listen-host", "127.0.0.1:9000");
        Assert.Contains("socketkit: '127.0.0.1:9000' is a host and a port in one argument: --listen-host takes the host alone (127.0.0.1).", result.Error);
    }

    [Fact]
    public async Task AnIpv6AddressWithoutBracketsIsStillAHost()
    {
        using HeldPort closed = Ports.Hold();
        Support.Cli.Result result = await Support.Cli.RunAsync("echo-client", "::1", closed.Port.ToString());
        // Refused at ::1 (nothing listens there), not a usage error: the colons are the address's own.
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"connection refused: nothing is listening on [::1]:{closed.Port}", result.Error);
    }
}
