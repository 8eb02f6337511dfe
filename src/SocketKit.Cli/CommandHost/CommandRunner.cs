using Microsoft.Extensions.Logging;
using SocketKit.Cli.Serving;
using SocketKit.Transport;

namespace SocketKit.Cli.CommandHost;

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
                bool? speaksTls = await ErrorReporter.CheckTlsAsync(ex, result, cancellationToken);
                return ErrorReporter.Report(ex, context, result.GetValue(CommonOptions.Verbose), result, speaksTls);
            }
        });

    /// <summary>
    /// Serves until the server stops by itself or Ctrl+C or SIGTERM, then stops it and exits 0, as the tutorial's servers
    /// do on a keyboard interrupt (<paramref name="interrupted"/> logs what was stopped).
    /// </summary>
    public static async Task<int> ServeUntilStoppedAsync(IRunningServer server, Action interrupted, CancellationToken cancellationToken, MetricsReporter? metrics)
    {
        metrics?.Attach(server.LocalEndPoint);
        try
        {
            await Task.WhenAny(server.Completion, Task.Delay(Timeout.Infinite, cancellationToken));
        }
        finally
        {
            if (cancellationToken.IsCancellationRequested)
            {
                interrupted();
            }
            await server.StopAsync();
            if (metrics is not null)
            {
                await metrics.DisposeAsync();
            }
        }
        return ExitCodes.Success;
    }
}
