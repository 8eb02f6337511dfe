using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using SocketKit.Applications.App;
using SocketKit.Cli.Infrastructure;
using SocketKit.Transport;

namespace SocketKit.Cli.Commands;

/// <summary>socketkit app-server: the tutorial's app-server.py.</summary>
internal static class AppServerCommand
{
    public static Command Create(CliContext context)
    {
        Argument<string> host = CommonOptions.Host();
        Argument<int> port = CommonOptions.Port();
        Option<EngineKind> engine = CommonOptions.Engine(EngineKind.Async);
        var tls = new ServerTlsOptions();
        var command = new Command("app-server", """
            Application server: the framed protocol of the tutorial's app-server.py.
            Answers "search" requests from the tutorial's table (morpheus, ring, 🐶), other actions with
            "Error: invalid action", and binary requests with their first 10 bytes; then closes, as the
            reference does (a request with "keep-alive": true keeps the connection open).

            Examples:
              socketkit app-server 127.0.0.1 65432
              socketkit app-server 127.0.0.1 65432 --workers 2 --proxy-protocol   # behind HAProxy or nginx
              socketkit app-server 127.0.0.1 65432 --metrics --metrics-interval 10s --log-format json
              socketkit app-server 127.0.0.1 65432 --max-content-bytes 64KiB --header-timeout 5s --drain-timeout 10s
              socketkit app-server :: 65432                    (IPv6 and IPv4)
              socketkit app-server unix:/tmp/app.sock
              socketkit app-server 127.0.0.1 65432 --tls-cert cert.pem --tls-key key.pem

            A malformed request gets {"result": "Error: ..."} saying what was wrong, then the server closes that
            connection only. Ctrl+C or SIGTERM stop accepting, let requests in flight finish (up to
            --drain-timeout), then exit 0.
            """) { host, port, engine };
        ScaleOptions scale = ScaleOptions.AddTo(command);
        var metrics = new MetricsOptions();
        metrics.AddTo(command);
        ServerFlags flags = ServerFlags.AddTo(command);
        tls.AddTo(command);
        CommandRunner.SetAction(command, context, async (result, loggers, cancellationToken) =>
        {
            ILogger logger = loggers.CreateLogger("SocketKit.AppServer");
            EndPoint endPoint = await EndPoints.ResolveListenAsync(result.GetValue(host)!, result.GetValue(port), cancellationToken);
            // The tutorial's handlers, which are also AppServer's defaults; --workers and --proxy-protocol need the handler factory itself.
            AppRouter router = TutorialHandlers.CreateRouter();
            ServerOptions options = flags.Apply(new ServerOptions { EndPoint = endPoint, Engine = result.GetValue(engine), Tls = tls.Read(result, result.GetValue(engine)) }, result);
            return await scale.ServeAsync(result, options,
                connection => new AppServerHandler(router, connection, logger, options.Limits.Protocol), logger, cancellationToken,
                metrics.Create(result, context));
        });
        return command;
    }
}
