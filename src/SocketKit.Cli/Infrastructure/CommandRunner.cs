using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using SocketKit.Transport;

namespace SocketKit.Cli.Infrastructure;

/// <summary>Runs a command's body with its logger, and maps whatever it throws to an exit code.</summary>
internal static class CommandRunner
{
    public static void SetAction(Command command, CliContext context, Func<ParseResult, ILoggerFactory, CancellationToken, Task<int>> body) =>
        command.SetAction(async (result, cancellationToken) =>
        {
            using ILoggerFactory loggers = context.CreateLoggerFactory(CommonOptions.LogLevelOf(result), result.GetValue(CommonOptions.LogFormatOption));
            try
            {
                return await body(result, loggers, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
            {
                return ErrorReporter.Report(ex, context, result.GetValue(CommonOptions.Verbose), result);
            }
        });

    /// <summary>Serves until Ctrl+C or SIGTERM, then stops the server and exits 0, as the tutorial's servers do on a keyboard interrupt.</summary>
    public static Task<int> ServeUntilStoppedAsync(SocketServer server, ILogger logger, CancellationToken cancellationToken, MetricsOptions.Reporter? metrics = null) =>
        ServeUntilStoppedAsync(server.LocalEndPoint, server.Completion, server.StopAsync, () => logger.LogInformation("Caught interrupt, exiting"), cancellationToken, metrics);

    /// <summary>
    /// Serves until <paramref name="completion"/> ends or Ctrl+C or SIGTERM, then stops and exits 0; one server or
    /// several workers on one port (<paramref name="interrupted"/> says which was stopped).
    /// </summary>
    public static async Task<int> ServeUntilStoppedAsync(EndPoint listening, Task completion, Func<Task> stop, Action interrupted, CancellationToken cancellationToken,
        MetricsOptions.Reporter? metrics)
    {
        metrics?.Attach(listening);
        try
        {
            await Task.WhenAny(completion, Task.Delay(Timeout.Infinite, cancellationToken));
        }
        finally
        {
            if (cancellationToken.IsCancellationRequested)
            {
                interrupted();
            }
            await stop();
            if (metrics is not null)
            {
                await metrics.DisposeAsync();
            }
        }
        return ExitCodes.Success;
    }
}
