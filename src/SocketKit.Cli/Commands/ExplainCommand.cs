using SocketKit.Cli.Output;
using SocketKit.Transport;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit explain: what a socket error means and what to check, from the same guide every command uses.</summary>
internal static class ExplainCommand
{
    public static Command Create(CliContext context)
    {
        var error = new Argument<string?>("ERROR")
        {
            Description = "An errno name (ECONNREFUSED), number (111) or kind (ConnectionRefused); without it, every entry.",
            DefaultValueFactory = _ => null,
        };
        var command = new Command("explain", """
            Says what a socket error means and what to check next: the advice every socketkit command
            prints when it fails on that error.

            Examples:
              socketkit explain ECONNREFUSED
              socketkit explain 98
              socketkit explain
              socketkit explain ETIMEDOUT --json
            """) { error };
        command.Options.Add(JsonOutput.Option);
        CommandRunner.SetAction(command, context, (result, _, _) =>
        {
            string? wanted = result.GetValue(error);
            if (wanted is null)
            {
                JsonOutput.Write(context, result, new ExplainResult(SocketErrorGuide.All, All: true), new ExplainText(), new ExplainJson());
                return Task.FromResult(ExitCodes.Success);
            }
            SocketErrorAdvice? advice = SocketErrorGuide.Find(wanted);
            if (advice is null)
            {
                context.Error.WriteLine($"socketkit: '{wanted}' is not an error the guide knows.");
                context.Error.WriteLine($"  Known: {string.Join(", ", SocketErrorGuide.All.Select(a => a.Errno == 0 ? a.ErrnoName : $"{a.ErrnoName} ({a.Errno})"))}.");
                return Task.FromResult(ExitCodes.Usage);
            }
            JsonOutput.Write(context, result, new ExplainResult([advice], All: false), new ExplainText(), new ExplainJson());
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
