using SocketKit.Cli.Explain;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit explain: what a socket error means and what to check, however it was written, from a name to a pasted traceback line.</summary>
internal static class ExplainCommand
{
    public static Command Create(CliContext context)
    {
        var error = new Argument<string?>("ERROR")
        {
            Description = "The error as you met it: an errno name or number (ECONNREFUSED, 111), a Windows name or code (WSAECONNREFUSED, 10061), "
                + ".NET's SocketError name (ConnectionRefused), Python's exception (ConnectionRefusedError, socket.gaierror), or a whole pasted line "
                + "of a traceback or log (quote it); without it, every entry.",
            DefaultValueFactory = _ => null,
        };
        var command = new Command("explain", """
            Says what a socket error means and what to check next: the advice every socketkit command
            prints when it fails on that error. It knows every errno Linux defines for sockets, the
            resolver's EAI_ errors, every Windows WSA error, every .NET SocketError, and Python's
            exceptions and printed forms; given a whole line, it finds the error in it.

            Examples:
              socketkit explain ECONNREFUSED
              socketkit explain 10061
              socketkit explain ConnectionResetError
              socketkit explain "ConnectionRefusedError: [Errno 111] Connection refused"
              socketkit explain "socket.gaierror: [Errno -2] Name or service not known"
              socketkit explain
              socketkit explain ETIMEDOUT --json
            """) { error };
        command.Options.Add(JsonOutput.Option);
        CommandRunner.SetAction(command, context, (result, _, _) =>
        {
            string? wanted = result.GetValue(error);
            if (wanted is null)
            {
                JsonOutput.Write(context, result, new ExplainResult(ErrorCatalog.All, All: true), new ExplainText(), new ExplainJson());
                return Task.FromResult(ExitCodes.Success);
            }
            if (ErrorFinder.Find(wanted) is not var (entry, found))
            {
                context.Error.WriteLine($"socketkit: '{wanted}' is not an error the guide knows, nor does it hold one.");
                context.Error.WriteLine($"  It knows {ErrorCatalog.All.Count} errors by errno name or number, Windows name or code, .NET SocketError name, Python exception, or message: 'socketkit explain' lists them.");
                return Task.FromResult(ExitCodes.Usage);
            }
            JsonOutput.Write(context, result, new ExplainResult([entry], All: false, found), new ExplainText(), new ExplainJson());
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
