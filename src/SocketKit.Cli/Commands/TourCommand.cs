using System.CommandLine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Cli.Infrastructure;
using SocketKit.Cli.Tour;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit tour: the whole tutorial, run on loopback in one command.</summary>
internal static class TourCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("tour", """
            A guided run of the whole tutorial on 127.0.0.1, in one command: echo, socket state, multiple
            connections, one application conversation traced byte by byte, and a refused connection.
            Each server gets a port the system picks. After each step: the tutorial section to read and
            the commands to run it yourself. -v also prints every event and byte of the servers and clients.

            Example:
              socketkit tour
            """);
        CommandRunner.SetAction(command, context, async (result, loggers, cancellationToken) =>
        {
            // The guide is the output; the programs' own events would drown it, so they appear only with -v.
            ILogger logger = CommonOptions.LogLevelOf(result) < LogLevel.Information ? loggers.CreateLogger("SocketKit.Tour") : NullLogger.Instance;
            await new GuidedTour(context, logger, Terminal.IsColourTerminal(context.Out), cancellationToken).RunAsync();
            return ExitCodes.Success;
        });
        return command;
    }
}
