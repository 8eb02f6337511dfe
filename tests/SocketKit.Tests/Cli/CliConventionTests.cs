using System.Reflection;
using SocketKit.Cli;
using SocketKit.Cli.Infrastructure;

namespace SocketKit.Tests.Cli;

/// <summary>What every command honours: --help with an example, --version, tab completion.</summary>
public class CliConventionTests
{
    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        foreach (var command in SocketKitCli.Build(new CliContext(TextWriter.Null, TextWriter.Null)).Subcommands)
        {
            data.Add(command.Name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task EveryCommandsHelpTeachesWithAnExampleOfItself(string command)
    {
        Support.Cli.Result help = await Support.Cli.RunAsync(command, "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Matches(@"Examples?:\s+socketkit " + command, help.Out);
        Assert.Contains("Usage:", help.Out);
    }

    [Fact]
    public async Task VersionPrintsTheAssemblyVersion()
    {
        Support.Cli.Result version = await Support.Cli.RunAsync("--version");
        Assert.Equal(0, version.ExitCode);
        string expected = typeof(SocketKitCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(expected + "\n", version.Out);
    }

    [Theory]
    [InlineData("[suggest:11]", "socketkit a", new[] { "app-client", "app-server" })]
    [InlineData("[suggest]", "socketkit app-server --engine ", new[] { "Async", "Blocking", "Select" })]
    [InlineData("[suggest]", "socketkit echo-server --log-format ", new[] { "Json", "Plain" })]
    public async Task TheSuggestDirectiveCompletesCommandsAndValues(string directive, string line, string[] expected)
    {
        Support.Cli.Result completions = await Support.Cli.RunAsync(directive, line);
        Assert.Equal(0, completions.ExitCode);
        string[] offered = completions.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(expected, e => Assert.Contains(e, offered));
        Assert.DoesNotContain("multiconn-client", expected.Length == 2 && expected[0] == "app-client" ? offered : []);
    }
}
