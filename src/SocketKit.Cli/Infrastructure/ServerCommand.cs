using System.Net;
using Microsoft.Extensions.Logging;
using SocketKit.Protocol;
using SocketKit.Transport;

namespace SocketKit.Cli.Infrastructure;

/// <summary>
/// What every server command shares: HOST and PORT, --engine and --loops, then the option groups (scale, metrics,
/// limits and timeouts, TLS), read into the library's <see cref="ServerBuilder"/>; then serving until Ctrl+C or SIGTERM.
/// Each command adds only what is its own: its name and help, its default engine, its options and what it serves.
/// </summary>
internal sealed class ServerCommand
{
    private readonly Argument<string> _host = CommonOptions.Host();
    private readonly Argument<int> _port = CommonOptions.Port();
    private readonly Option<EngineKind> _engine;
    private readonly Option<int?> _loops;
    private readonly ServerTlsOptions _tls = new();
    private readonly MetricsOptions _metrics = new();
    private readonly ServerFlags _flags = new();
    private readonly ClientAddressOptions _addresses = new();

    /// <param name="name">The command's name, e.g. echo-server.</param>
    /// <param name="description">Its help: what it serves, and examples.</param>
    /// <param name="defaultEngine">The engine without --engine.</param>
    /// <param name="defaultLoops">The select engine's loops without --loops; null: one per core.</param>
    /// <param name="options">The command's own options, listed in its help before --engine.</param>
    public ServerCommand(string name, string description, EngineKind defaultEngine, int? defaultLoops, params Option[] options)
    {
        _engine = CommonOptions.Engine(defaultEngine);
        _loops = CommonOptions.Loops(defaultLoops);
        Command = new Command(name, description) { _host, _port };
        foreach (Option option in options)
        {
            Command.Options.Add(option);
        }
        Command.Options.Add(_engine);
        Command.Options.Add(_loops);
        Scale.AddTo(Command);
        _metrics.AddTo(Command);
        _flags.AddTo(Command);
        _addresses.AddTo(Command);
        _tls.AddTo(Command);
        Command.Validators.Add(result =>
        {
            int workers = result.GetValue(Scale.Workers);
            if (workers > 1 && EndPoints.TryGetUnixPath(result.GetValue(_host) ?? "", out _))
            {
                result.AddError($"--workers {workers} needs an IP address: listeners cannot share a Unix socket; use one worker.");
            }
        });
    }

    /// <summary>The command, with every shared argument and option added.</summary>
    public Command Command { get; }

    /// <summary>--workers, --reuse-port and --proxy-protocol, for a command's own validators.</summary>
    public ScaleOptions Scale { get; } = new();

    /// <summary>
    /// Serves when the command runs: resolves HOST and PORT, reads the command line into a <see cref="ServerBuilder"/>
    /// (endpoint, engine, loops, workers, PROXY protocol, TLS, limits, timeouts, logger), and has <paramref name="start"/>
    /// start what the command serves with it; then serves until Ctrl+C or SIGTERM, printing metrics with --metrics.
    /// </summary>
    /// <param name="loggerCategory">The category of the server's events, e.g. SocketKit.EchoServer.</param>
    /// <param name="start">
    /// Starts the server from the command line, the composed builder (without a handler) and the protocol's limits.
    /// </param>
    public Command Serves(CliContext context, string loggerCategory, Func<ParseResult, ServerBuilder, ProtocolLimits, IRunningServer> start)
    {
        CommandRunner.SetAction(Command, context, async (result, loggers, cancellationToken) =>
        {
            ILogger logger = loggers.CreateLogger(loggerCategory);
            EndPoint endPoint = await EndPoints.ResolveListenAsync(result.GetValue(_host)!, result.GetValue(_port), cancellationToken);
            ServerLimitsAndTimeouts bounds = _flags.Read(result);
            ServerScale scale = Scale.Read(result);
            (AddressRules rules, int? perAddress) = _addresses.Read(result);
            var options = new ServerOptions
            {
                EndPoint = endPoint,
                Engine = result.GetValue(_engine),
                Loops = result.GetValue(_loops),
                Tls = _tls.Read(result),
                Limits = bounds.Limits with { MaxConnectionsPerAddress = perAddress },
                ClientAddresses = rules,
                Timeouts = bounds.Timeouts,
                ReusePort = scale.ReusePort,
            };
            ServerBuilder builder = new ServerBuilder(options).WithWorkers(scale.Workers).RequireProxyProtocol(scale.ProxyProtocol).UseLogger(logger);
            MetricsReporting? metrics = _metrics.Read(result);
            // Before the server says it listens: from then on, SIGHUP reloads rather than ends it.
            using IDisposable? reload = CertificateReload.OnHangUp(options.Tls?.CertificateFiles, logger);
            await using IRunningServer server = start(result, builder, bounds.Protocol);
            // Every worker listens on the same port, so one metrics summary by port covers them all.
            return await CommandRunner.ServeUntilStoppedAsync(server, () => Interrupted(logger, scale), cancellationToken,
                metrics is null ? null : new MetricsReporter(context, metrics));
        });
        return Command;
    }

    private static void Interrupted(ILogger logger, ServerScale scale)
    {
        if (scale.Workers == 1 && !scale.ReusePort)
        {
            logger.LogInformation("Caught interrupt, exiting");
        }
        else
        {
            logger.LogInformation("Caught interrupt, stopping {Workers} workers", scale.Workers);
        }
    }
}
