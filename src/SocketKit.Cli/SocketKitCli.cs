using System.CommandLine.Help;
using SocketKit.Cli.Commands;

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
            every byte). Exit codes: 0 success, 1 failure, 2 usage error, 70 a fault of socketkit's own,
            130 Ctrl+C and 143 SIGTERM before a client finished (servers stop cleanly and exit 0).
            """)
        {
            new HelpOption(),
            new VersionOption { Action = new VersionAction() },
            CommonOptions.Quiet,
            CommonOptions.Verbose,
            CommonOptions.LogFormatOption,
        };
        // The tutorial's order: the tour, its six programs, then the tools.
        Func<CliContext, Command>[] commands =
        [
            TourCommand.Create,
            EchoServerCommand.Create,
            EchoClientCommand.Create,
            MultiConnServerCommand.Create,
            MultiConnClientCommand.Create,
            AppServerCommand.Create,
            AppClientCommand.Create,
            BenchCommand.Create,
            PingCommand.Create,
            DiagnoseCommand.Create,
            ExplainCommand.Create,
            NetstatCommand.Create,
            TraceCommand.Create,
            NcCommand.Create,
        ];
        foreach (Func<CliContext, Command> create in commands)
        {
            root.Subcommands.Add(create(context));
        }
        return root;
    }

    /// <summary>Runs one command line; returns its exit code. Nothing it throws escapes: an unexpected failure is one line and exit 70.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(output, error);
        Command root = Build(context);
        ValidatorGuard.Apply(root);
        if (Completions.IsRequest(args))
        {
            return Completions.Write(root, args, output);
        }
        ParseResult parsed;
        try
        {
            parsed = UnixHostArguments.Parse(root, args);
        }
        catch (Exception ex)
        {
            return ErrorReporter.Report(ex, context, verbose: args.Contains("-v") || args.Contains("--verbose"));
        }
        if (parsed.Errors.Count > 0)
        {
            if (parsed.CommandResult.Parent is null && parsed.Tokens.Count == 0)
            {
                CommandOverview.Write(root, output);
                return ExitCodes.Success;
            }
            // A mistyped command is the one thing wrong: the parser's other complaints follow from it.
            IReadOnlyList<string> problems = UsageErrors.UnknownCommand(parsed) is string unknown ? [unknown] : UsageErrors.Describe(parsed);
            foreach (string problem in problems)
            {
                error.WriteLine($"socketkit: {problem}");
            }
            error.WriteLine($"Try '{UsageErrors.Name(parsed.CommandResult)} --help' for usage.");
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
        // Exceptions are the command runner's to report; the parser's own handler would print a stack trace.
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            return await parsed.InvokeAsync(configuration, cancellationToken);
        }
        catch (Exception ex)
        {
            return ErrorReporter.Report(ex, context, parsed.GetValue(CommonOptions.Verbose), parsed);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" ?\[default:\s[^\]]*\]")]
    private static partial System.Text.RegularExpressions.Regex DefaultLabel();
}
