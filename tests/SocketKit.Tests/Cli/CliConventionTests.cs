using System.Reflection;
using SocketKit.Cli;
using SocketKit.Cli.CommandHost;

namespace SocketKit.Tests.Cli;

/// <summary>What every command honours: --help with an example, --version, tab completion.</summary>
[Tier(TestTier.Socket)]
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
        Support.Cli.Result help = await Support.Cli.RunExpectingAsync(0, command, "--help");
        Assert.Matches(@"Examples?:\s+socketkit " + command, help.Out);
        Assert.Contains("Usage:", help.Out);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task EveryDefaultIsSaidOnceInTheWordsTheOptionTakes(string command)
    {
        Support.Cli.Result help = await Support.Cli.RunAsync(command, "--help");
        Assert.DoesNotContain("[default:", help.Out);

        // With the parser's own label gone, every option or argument that has a default says it in its description
        // (a flag's default, off, and an optional argument's, none, go without saying).
        static IEnumerable<System.CommandLine.Command> Tree(System.CommandLine.Command c) => c.Subcommands.SelectMany(Tree).Prepend(c);
        System.CommandLine.Command root = SocketKitCli.Build(new CliContext(TextWriter.Null, TextWriter.Null));
        foreach (System.CommandLine.Command c in Tree(root.Subcommands.Single(c => c.Name == command)))
        {
            foreach (System.CommandLine.Option option in c.Options.Where(o => o.HasDefaultValue && !o.Hidden && o.ValueType != typeof(bool)))
            {
                Assert.True(option.Description?.Contains("default", StringComparison.OrdinalIgnoreCase), $"{command} {option.Name}: {option.Description}");
            }
            foreach (System.CommandLine.Argument argument in c.Arguments.Where(a => a.HasDefaultValue && !a.Hidden && a.GetDefaultValue() is not null))
            {
                Assert.True(argument.Description?.Contains("default", StringComparison.OrdinalIgnoreCase), $"{command} {argument.Name}: {argument.Description}");
            }
        }
    }

    [Fact]
    public async Task VersionPrintsTheAssemblyVersion()
    {
        Support.Cli.Result version = await Support.Cli.RunExpectingAsync(0, "--version");
        string expected = typeof(SocketKitCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(expected + "\n", version.Out);
    }

    [Theory]
    [InlineData("[suggest:11]", "socketkit a", new[] { "app-client", "app-server" }, new[] { "multiconn-client" })]
    [InlineData("[suggest]", "socketkit app-server --engine ", new[] { "Blocking", "Select" }, new string[] { })]
    [InlineData("[suggest]", "socketkit echo-server --log-format ", new[] { "Json", "Plain" }, new string[] { })]
    public async Task TheSuggestDirectiveCompletesCommandsAndValues(string directive, string line, string[] expected, string[] absent)
    {
        Support.Cli.Result completions = await Support.Cli.RunExpectingAsync(0, directive, line);
        string[] offered = completions.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(expected, e => Assert.Contains(e, offered));
        Assert.All(absent, a => Assert.DoesNotContain(a, offered));
    }
}
