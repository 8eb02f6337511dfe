using Microsoft.Extensions.Logging;
using SocketKit.Protocol;
using SocketKit.Transport;

namespace SocketKit.Cli.Serving;

/// <summary>
/// What every server command shares: HOST and PORT, then the option groups (metrics, every setting of the library's
/// <see cref="ServerSettings"/> as a flag, TLS), read into the library's <see cref="ServerBuilder"/>; then serving
/// until Ctrl+C or SIGTERM. Each command adds only what is its own: its name and help, its defaults where they differ
/// from the model's, its options and what it serves.
/// </summary>
internal sealed class ServerCommand
{
    private readonly Argument<string> _host = CommonOptions.Host();
    private readonly Argument<int> _port = CommonOptions.Port();
    private readonly ServerTlsFlags _tls = new();
    private readonly MetricsFlags _metrics = new();
    private readonly ClientAddressFlags _addresses = new();

    /// <param name="name">The command's name, e.g. echo-server.</param>
    /// <param name="description">Its help: what it serves, and examples.</param>
    /// <param name="defaults">The command's settings without flags: the model's defaults, or the command's own.</param>
    /// <param name="options">The command's own options, listed in its help before the settings.</param>
    public ServerCommand(string name, string description, ServerSettings defaults, params Option[] options)
    {
        Settings = new ServerFlags(defaults);
        Command = new Command(name, description) { _host, _port };
        foreach (Option option in options)
        {
            Command.Options.Add(option);
        }
        Settings.AddTo(Command);
        _metrics.AddTo(Command);
        _addresses.AddTo(Command);
        _tls.AddTo(Command);
        Command.Validators.Add(result =>
        {
            int workers = Settings.Read(result).Workers;
            if (workers > 1 && EndPoints.TryGetUnixPath(result.GetValue(_host) ?? "", out _))
            {
                result.AddError($"--workers {workers} needs an IP address: listeners cannot share a Unix socket; use one worker.");
            }
        });
    }

    /// <summary>The command, with every shared argument and option added.</summary>
    public Command Command { get; }

    /// <summary>Every setting's flag, for a command's own validators.</summary>
    public ServerFlags Settings { get; }

    /// <summary>
    /// Serves when the command runs: resolves HOST and PORT, reads the command line into a <see cref="ServerBuilder"/>
    /// (endpoint, TLS, every setting, logger), and has <paramref name="start"/>
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
            ServerSettings settings = Settings.Read(result);
            Transport.Tls.TlsServerOptions? tls = _tls.Read(result);
            ServerBuilder builder = new ServerBuilder(new ServerOptions { EndPoint = endPoint, Tls = tls, ClientAddresses = _addresses.Read(result) })
                .UseSettings(settings)
                .UseLogger(logger);
            MetricsReporting? metrics = _metrics.Read(result);
            // Before the server says it listens: from then on, SIGHUP reloads rather than ends it.
            using IDisposable? reload = CertificateReload.OnHangUp(tls?.CertificateFiles, logger);
            await using IRunningServer server = start(result, builder, settings.Protocol);
            // Every worker listens on the same port, so one metrics summary by port covers them all.
            return await CommandRunner.ServeUntilStoppedAsync(server, () => Interrupted(logger, settings), cancellationToken,
                metrics is null ? null : new MetricsReporter(context, metrics));
        });
        return Command;
    }

    private static void Interrupted(ILogger logger, ServerSettings settings)
    {
        if (settings.Workers == 1 && !settings.ReusePort)
        {
            logger.LogInformation("Caught interrupt, exiting");
        }
        else
        {
            logger.LogInformation("Caught interrupt, stopping {Workers} workers", settings.Workers);
        }
    }
}
