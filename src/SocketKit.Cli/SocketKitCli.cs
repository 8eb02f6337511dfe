using System.CommandLine;
using System.CommandLine.Help;
using SocketKit.Cli.Commands;
using SocketKit.Cli.Infrastructure;

namespace SocketKit.Cli;

/// <summary>The socketkit command line: builds the command tree and runs one command line.</summary>
internal static partial class SocketKitCli
{
    public static Command Build(CliContext context)
    {
        // A plain Command named "socketkit" rather than RootCommand, whose name would be the assembly's (SocketKit.Cli).
        var root = new Command("socketkit", """
            socketkit: the programs of the "Socket Programming in Python" tutorial, in C#, and tools to
            troubleshoot connections. Results go to stdout, events to stderr (-q hides them, -v adds
            every byte). Exit codes: 0 success, 1 failure, 2 usage error.
            """)
        {
            new HelpOption(),
            new VersionOption { Action = new VersionAction() },
            CommonOptions.Quiet,
            CommonOptions.Verbose,
            CommonOptions.LogFormatOption,
        };
        root.Subcommands.Add(TourCommand.Create(context));
        root.Subcommands.Add(EchoServerCommand.Create(context));
        root.Subcommands.Add(EchoClientCommand.Create(context));
        root.Subcommands.Add(MultiConnServerCommand.Create(context));
        root.Subcommands.Add(MultiConnClientCommand.Create(context));
        root.Subcommands.Add(AppServerCommand.Create(context));
        root.Subcommands.Add(AppClientCommand.Create(context));
        root.Subcommands.Add(BenchCommand.Create(context));
        root.Subcommands.Add(PingCommand.Create(context));
        root.Subcommands.Add(ExplainCommand.Create(context));
        root.Subcommands.Add(NetstatCommand.Create(context));
        root.Subcommands.Add(TraceCommand.Create(context));
        return root;
    }

    /// <summary>Runs one command line; returns its exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(output, error);
        Command root = Build(context);
        if (Completions.IsRequest(args))
        {
            return Completions.Write(root, args, output);
        }
        ParseResult parsed = root.Parse(UnixHostArguments.Expand(args, root));
        if (parsed.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError parseError in parsed.Errors)
            {
                error.WriteLine($"socketkit: {parseError.Message}");
            }
            error.WriteLine($"Try '{CommandPath(parsed.CommandResult)} --help' for usage.");
            return ExitCodes.Usage;
        }
        if (parsed.Action is System.CommandLine.Help.HelpAction)
        {
            // Every description says its default in the words the option takes ("default 10s"); the parser's own
            // label would say it again, differently ("[default: 00:00:10]").
            var help = new StringWriter();
            int code = await parsed.InvokeAsync(new InvocationConfiguration { Output = help, Error = error }, cancellationToken);
            output.Write(DefaultLabel().Replace(help.ToString(), ""));
            return code;
        }
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return await parsed.InvokeAsync(configuration, cancellationToken);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" ?\[default:\s[^\]]*\]")]
    private static partial System.Text.RegularExpressions.Regex DefaultLabel();

    /// <summary>The words that name a command from the root, e.g. "socketkit bench echo".</summary>
    private static string CommandPath(System.CommandLine.Parsing.CommandResult command)
    {
        var names = new Stack<string>();
        for (System.CommandLine.Parsing.SymbolResult? at = command; at is not null; at = at.Parent)
        {
            if (at is System.CommandLine.Parsing.CommandResult c)
            {
                names.Push(c.Parent is null ? "socketkit" : c.Command.Name); // The root's own name is the host process's.
            }
        }
        return string.Join(' ', names);
    }
}
