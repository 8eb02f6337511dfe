using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using SocketKit.Applications.Echo;
using SocketKit.Cli.Infrastructure;
using SocketKit.Transport;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit echo-server: the tutorial's echo-server.py.</summary>
internal static class EchoServerCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> host = CommonOptions.Host();
        Argument<int> port = CommonOptions.Port();
        var once = new Option<bool>("--once") { Description = "Serve one connection, then exit (as echo-server.py does)." };
        Option<EngineKind> engine = CommonOptions.Engine(EngineKind.Async);
        var tls = new ServerTlsOptions();
        var command = new Command("echo-server", """
            Echo server: sends back every byte it receives until the client closes.
            The tutorial's echo-server.py (its blocking sockets: --engine blocking). Serves connection after
            connection until Ctrl+C (--once: one connection, then exit).

            Examples:
              socketkit echo-server 127.0.0.1 65432
              socketkit echo-server 127.0.0.1 65432 --max-connections 100 --idle-timeout 30s
              socketkit echo-server ::1 65432
              socketkit echo-server unix:/tmp/echo.sock
              socketkit echo-server 127.0.0.1 65432 --tls-cert cert.pem --tls-key key.pem
            """) { host, port, once, engine };
        ScaleOptions scale = ScaleOptions.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(once) && result.GetValue(scale.Workers) > 1)
            {
                result.AddError("--once serves one connection, so it takes one worker: drop --workers or --once.");
            }
        });
        var metrics = new MetricsOptions();
        metrics.AddTo(command);
        ServerFlags flags = ServerFlags.AddTo(command);
        tls.AddTo(command);
        CommandRunner.SetAction(command, context, async (result, loggers, cancellationToken) =>
        {
            ILogger logger = loggers.CreateLogger("SocketKit.EchoServer");
            EndPoint endPoint = await EndPoints.ResolveListenAsync(result.GetValue(host)!, result.GetValue(port), cancellationToken);
            ServerOptions options = flags.Apply(new ServerOptions { EndPoint = endPoint, Engine = result.GetValue(engine), Tls = tls.Read(result, result.GetValue(engine)), StopAfterConnections = result.GetValue(once) ? 1 : null }, result);
            return await scale.ServeAsync(result, options, _ => new EchoHandler(), logger, cancellationToken, metrics.Create(result, context));
        });
        return command;
    }
}
