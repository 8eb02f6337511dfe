using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using SocketKit.Applications.App;
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
                return ErrorReporter.Report(ex, context);
            }
        });

    /// <summary>Serves until Ctrl+C or SIGTERM, then stops the server and exits 0, as the tutorial's servers do on a keyboard interrupt.</summary>
    public static Task<int> ServeUntilStoppedAsync(SocketServer server, ILogger logger, CancellationToken cancellationToken, MetricsOptions.Reporter? metrics = null) =>
        ServeUntilStoppedAsync(server.LocalEndPoint, server.Completion, server.StopAsync, logger, cancellationToken, metrics);

    /// <inheritdoc cref="ServeUntilStoppedAsync(SocketServer, ILogger, CancellationToken, MetricsOptions.Reporter?)"/>
    public static Task<int> ServeUntilStoppedAsync(AppServer server, ILogger logger, CancellationToken cancellationToken, MetricsOptions.Reporter? metrics = null) =>
        ServeUntilStoppedAsync(server.LocalEndPoint, server.Completion, server.StopAsync, logger, cancellationToken, metrics);

    private static async Task<int> ServeUntilStoppedAsync(EndPoint listening, Task completion, Func<Task> stop, ILogger logger, CancellationToken cancellationToken,
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
                logger.LogInformation("Caught interrupt, exiting");
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
