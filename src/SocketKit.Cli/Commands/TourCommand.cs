using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Cli.Tour;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit tour: the whole tutorial, run on loopback in one command.</summary>
internal static class TourCommand
{
    public static Command Create(CliContext context)
    {
        var list = new Option<bool>("--list") { Description = "List the steps and the tutorial section each reads, without running them." };
        var keep = new Option<bool>("--keep") { Description = "Leave what the tour writes (the Wireshark step's capture, in the temporary folder); by default it is removed." };
        var step = new Option<int?>("--step") { Description = $"Run only step N (1 to {GuidedTour.Steps.Count}; --list shows them).", HelpName = "N" };
        step.Validators.Add(result =>
        {
            if (result.GetValue(step) is int n && (n < 1 || n > GuidedTour.Steps.Count))
            {
                result.AddError($"--step must be from 1 to {GuidedTour.Steps.Count}; `socketkit tour --list` shows the steps.");
            }
        });
        var command = new Command("tour", $"""
            A guided run of the whole tutorial on 127.0.0.1, in one command: echo, socket state, multiple
            connections, one application conversation traced byte by byte, a refused connection, then the
            troubleshooting section: ping (ICMP and TCP), the socket table with data in flight, the same states
            and errors on Windows, and one conversation captured for Wireshark. Each server gets a port the
            system picks. After each step: the tutorial section to read and the commands to run it yourself.
            -v also prints every event and byte of the servers and clients.

            Examples:
              socketkit tour
              socketkit tour --list
              socketkit tour --list --json
              socketkit tour --step 7
              socketkit tour --step 9 --keep
            """) { list, step, keep, JsonOutput.Option };
        command.Validators.Add(result =>
        {
            if (result.GetValue(list) && result.GetValue(step) is not null)
            {
                result.AddError("--list and --step go alone: list the steps, or run one.");
            }
            if (result.GetValue(JsonOutput.Option) && !result.GetValue(list))
            {
                result.AddError("--json goes with --list: the tour itself is a guide to read, not a result.");
            }
        });
        CommandRunner.SetAction(command, context, async (result, loggers, cancellationToken) =>
        {
            if (result.GetValue(list))
            {
                JsonOutput.Write(context, result, new TourListResult(GuidedTour.Steps), new TourListText(), new TourListJson());
                return ExitCodes.Success;
            }
            // The guide is the output; the programs' own events would drown it, so they appear only with -v.
            ILogger logger = CommonOptions.LogLevelOf(result) < LogLevel.Information ? loggers.CreateLogger("SocketKit.Tour") : NullLogger.Instance;
            await new GuidedTour(context, logger, Terminal.IsColourTerminal(context.Out), cancellationToken, result.GetValue(keep)).RunAsync(result.GetValue(step));
            return ExitCodes.Success;
        });
        return command;
    }
}
