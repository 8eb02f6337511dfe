using System.CommandLine;
using SocketKit.Cli;
using SocketKit.Cli.CommandHost;

namespace SocketKit.Tests.Support;

/// <summary>socketkit's whole command tree, walked by the tests that hold every command to a rule, now and later.</summary>
public static class CommandTree
{
    /// <summary>The root command, as the program builds it, writing nowhere.</summary>
    public static Command Root() => SocketKitCli.Build(new CliContext(TextWriter.Null, TextWriter.Null));

    /// <summary>The commands that run something: every command with an action, with its path from <paramref name="command"/>.</summary>
    public static IEnumerable<(string[] Path, Command Command)> Runnable(Command command, string[] path)
    {
        if (command.Action is not null)
        {
            yield return (path, command);
        }
        foreach (Command sub in command.Subcommands)
        {
            foreach (var found in Runnable(sub, [.. path, sub.Name]))
            {
                yield return found;
            }
        }
    }
}
