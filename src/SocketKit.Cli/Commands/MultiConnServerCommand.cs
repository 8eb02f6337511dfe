using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using SocketKit.Applications.Echo;
using SocketKit.Cli.Infrastructure;
using SocketKit.Transport;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit multiconn-server: the tutorial's multiconn-server.py.</summary>
internal static class MultiConnServerCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> host = CommonOptions.Host();
        Argument<int> port = CommonOptions.Port();
        Option<EngineKind> engine = CommonOptions.Engine(EngineKind.Select);
        var command = new Command("multiconn-server", """
            Multi-connection echo server: one thread, non-blocking sockets, a readiness loop.
            The tutorial's multiconn-server.py: a selector tells which sockets are ready; each is served
            without blocking the others. Unlike the reference it sleeps while nothing is ready.

            Example:
              socketkit multiconn-server 127.0.0.1 65432 -v
              socketkit multiconn-server 127.0.0.1 65432 --max-send-buffer-bytes 256KiB --header-timeout 10s
            """) { host, port, engine };
        ScaleOptions scale = ScaleOptions.AddTo(command);
        var metrics = new MetricsOptions();
        metrics.AddTo(command);
        ServerFlags flags = ServerFlags.AddTo(command);
        CommandRunner.SetAction(command, context, async (result, loggers, cancellationToken) =>
        {
            ILogger logger = loggers.CreateLogger("SocketKit.MultiConnServer");
            EndPoint endPoint = await EndPoints.ResolveListenAsync(result.GetValue(host)!, result.GetValue(port), cancellationToken);
            ServerOptions options = flags.Apply(new ServerOptions { EndPoint = endPoint, Engine = result.GetValue(engine) }, result);
            return await scale.ServeAsync(result, options, _ => new EchoHandler(), logger, cancellationToken,
                metrics.Create(result, context));
        });
        return command;
    }
}
