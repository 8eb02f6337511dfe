using System.CommandLine;
using System.Text.RegularExpressions;
using SocketKit.Cli;
using SocketKit.Cli.CommandHost;
using SocketKit.Cli.Output;

namespace SocketKit.Tests.Cli;

/// <summary>--json is one option, the same on every command that has it.</summary>
[Tier(TestTier.Unit)]
public class JsonOptionTests
{
    [Fact]
    public void EveryJsonOptionIsTheOneOption()
    {
        Command root = SocketKitCli.Build(new CliContext(TextWriter.Null, TextWriter.Null));
        Command[] withJson = [.. Tree(root).Where(c => c.Options.Any(o => o.Name == "--json" || o.Aliases.Contains("--json")))];
        Assert.All(withJson, c =>
        {
            Option json = c.Options.Single(o => o.Name == "--json" || o.Aliases.Contains("--json"));
            Assert.Same(JsonOutput.Option, json);
            Assert.Equal(typeof(bool), json.ValueType);
        });
        // Every command that prints a result a script would read, and no server (their output is events).
        Assert.Equal(["app", "app-client", "diagnose", "echo", "echo-client", "explain", "multiconn-client", "netstat", "ping", "tour"],
            withJson.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Tree(root), c => c.Name.EndsWith("-server", StringComparison.Ordinal) && c.Options.Contains(JsonOutput.Option));
    }

    [Fact]
    public async Task HelpShowsTheSameJsonDescriptionEverywhere()
    {
        foreach (string[] command in new[] { new[] { "echo-client" }, ["netstat"], ["bench", "app"], ["ping"], ["explain"], ["diagnose"] })
        {
            Support.Cli.Result help = await Support.Cli.RunAsync([.. command, "--help"]);
            // Help wraps a description over lines: compared with each run of white space as one space.
            Assert.Contains(JsonOutput.Option.Description!, Regex.Replace(help.Out, @"\s+", " "), StringComparison.Ordinal);
        }
    }

    private static IEnumerable<Command> Tree(Command command) => command.Subcommands.SelectMany(Tree).Prepend(command);
}
