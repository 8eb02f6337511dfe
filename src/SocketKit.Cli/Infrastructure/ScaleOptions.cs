using System.CommandLine;
using Microsoft.Extensions.Logging;
using SocketKit.Protocol.Proxy;
using SocketKit.Transport;
using SocketKit.Transport.ProxyProtocol;

namespace SocketKit.Cli.Infrastructure;

/// <summary>
/// The options that take a server past one listener and put it behind a load balancer: --workers, --reuse-port,
/// --proxy-protocol. Every server command adds them with <see cref="AddTo"/> and starts with <see cref="ServeAsync"/>.
/// </summary>
internal sealed class ScaleOptions
{
    /// <summary>The most listeners one process may start: far more than cores on any machine this runs on.</summary>
    public const int MaxWorkers = 64;

    public Option<int> Workers { get; } = new("--workers")
    {
        Description = $"Listeners sharing the port with SO_REUSEPORT (Linux); the kernel spreads connections among them and Ctrl+C stops them all (default 1, at most {MaxWorkers}).",
        HelpName = "N",
        DefaultValueFactory = _ => 1,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, out int workers) && workers is >= 1 and <= MaxWorkers)
            {
                return workers;
            }
            result.AddError($"{ValueParsers.Shown(text)} is not a number of workers: use a number from 1 to {MaxWorkers}.");
            return 1;
        },
    };

    public Option<bool> ReusePort { get; } = new("--reuse-port")
    {
        Description = "Set SO_REUSEPORT so that other processes started with --reuse-port share the port (Linux).",
    };

    public Option<bool> ProxyProtocol { get; } = new("--proxy-protocol")
    {
        Description = "Require a PROXY protocol header (v1 or v2, as HAProxy's send-proxy-v2 or nginx's proxy_protocol send) first on every connection, and use the client's address it names; connections without a valid one are refused.",
    };

    public static ScaleOptions AddTo(Command command)
    {
        var options = new ScaleOptions();
        command.Options.Add(options.Workers);
        command.Options.Add(options.ReusePort);
        command.Options.Add(options.ProxyProtocol);
        return options;
    }

    /// <summary>Starts the listeners the options ask for and serves until Ctrl+C or SIGTERM, then stops them all and returns 0.</summary>
    public async Task<int> ServeAsync(ParseResult result, ServerOptions serverOptions, Func<ConnectionInfo, IConnectionHandler> handlerFactory,
        ILogger logger, CancellationToken cancellationToken, MetricsOptions.Reporter? metrics = null)
    {
        if (result.GetValue(ProxyProtocol))
        {
            handlerFactory = ProxyProtocolHandler.Require(handlerFactory, logger, ProxyHeaderDecoder.DefaultMaxHeaderBytes);
        }
        int workers = result.GetValue(Workers);
        if (workers == 1 && !result.GetValue(ReusePort))
        {
            await using SocketServer server = SocketServer.Start(serverOptions, handlerFactory, logger);
            return await CommandRunner.ServeUntilStoppedAsync(server, logger, cancellationToken, metrics);
        }
        await using ServerGroup group = ServerGroup.Start(serverOptions, workers, handlerFactory, logger);
        // Every worker listens on the same port, so one summary by port covers them all.
        return await CommandRunner.ServeUntilStoppedAsync(group.LocalEndPoint, group.Completion, group.StopAsync,
            () => logger.LogInformation("Caught interrupt, stopping {Workers} workers", workers), cancellationToken, metrics);
    }
}
